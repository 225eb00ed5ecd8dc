import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';

/**
 * The team's file (`SHIPMATE_CONFIG`, YAML): services, who may do what, where CI failures and digests
 * go. Validated at start-up like the environment; src/config.ts names the path and reads it through
 * `loadTeamConfig`.
 */

const ID = /^[USW][A-Z0-9]+$/;
const slackPrincipal = z.string().regex(ID, 'must be a Slack user id (U…) or user-group id (S…)');
const channelId = z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a Slack channel id (C…, G… or D…)');
const k8sName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a Kubernetes name: lower-case letters, digits, - and .',
  );

const environmentSchema = z
  .object({
    cluster: z.string().min(1).optional(),
    namespace: k8sName,
    deployment: k8sName,
    container: k8sName.optional(),
    deployers: z.array(slackPrincipal).default([]),
    approvers: z.array(slackPrincipal).default([]),
  })
  .strict();

/** The team's file (`SHIPMATE_CONFIG`). Shape documented in shipmate.example.yml. */
export const teamConfigSchema = z
  .object({
    services: z
      .record(
        k8sName,
        z
          .object({
            repo: z
              .string()
              .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/repo')
              .optional(),
            environments: z.record(
              z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits, -'),
              environmentSchema,
            ),
          })
          .strict(),
      )
      .default({}),
    ci: z
      .object({
        channels: z
          .record(z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/repo'), channelId)
          .default({}),
      })
      .strict()
      .default({ channels: {} }),
    digests: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits, -'),
            channel: channelId,
            cron: z.string().regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression, e.g. "0 9 * * 1-5"'),
            timezone: z.string().default('UTC'),
            sections: z.array(z.enum(['cluster', 'ci', 'deploys'])).min(1),
          })
          .strict(),
      )
      .default([]),
    admins: z.array(slackPrincipal).default([]),
  })
  .strict();

export type TeamConfig = z.infer<typeof teamConfigSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    '',
  );
}

/**
 * Reads and validates the team file. Missing file at the default path: empty config. Missing at a
 * path the user named: error. Errors carry the key path, e.g. `services.checkout.environments.prod.approvers[0]`.
 */
export function loadTeamConfig(path: string, explicit: boolean): { team: TeamConfig; found: boolean } {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) {
      return { team: teamConfigSchema.parse({}), found: false };
    }
    throw new ConfigError([`SHIPMATE_CONFIG: cannot read ${path}: ${(e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(raw) ?? {};
  } catch (e) {
    throw new ConfigError([`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const parsed = teamConfigSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${path}: ${formatPath(i.path) || '(top level)'}: ${i.message}`),
    );
  }
  checkTeamReferences(parsed.data, path);
  return { team: parsed.data, found: true };
}

/** Cross-field rules zod's shape can't say: approvals need someone other than the requester. */
function checkTeamReferences(team: TeamConfig, path: string): void {
  const problems: string[] = [];
  for (const [svc, s] of Object.entries(team.services)) {
    for (const [env, e] of Object.entries(s.environments)) {
      if (e.approvers.length === 1 && e.deployers.length === 1 && e.approvers[0] === e.deployers[0]) {
        problems.push(
          `${path}: services.${svc}.environments.${env}: the only approver is the only deployer, so no deploy could ever be approved; add another approver`,
        );
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
}
