import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type LogHost, parseLogHost } from './clients/log-url/hosts.ts';
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

/** True when `tz` is a time zone name the runtime knows (IANA names, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `cron` is not a schedule BullMQ can run (5 fields, or 6 with seconds first), or undefined. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6)
    return `"${cron}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron needs 5 (minute hour day month weekday) or 6 with seconds first, e.g. "0 9 * * 1-5"`;
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return undefined;
  } catch (e) {
    return `"${cron}" is not a valid cron (${(e as Error).message}); e.g. "0 9 * * 1-5" for 09:00 on weekdays`;
  }
}

const digestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lower-case letters, digits, - (at most 40)'),
    channel: channelId,
    cron: z.string().superRefine((c, ctx) => {
      const problem = cronProblem(c);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    timezone: z
      .string()
      .default('UTC')
      .superRefine((tz, ctx) => {
        if (!isTimeZone(tz))
          ctx.addIssue({ code: 'custom', message: `"${tz}" is not a time zone; e.g. Europe/Berlin` });
      }),
    /** Section names; each comes from a feature (cluster, ci, deploys). Checked when the app is built. */
    sections: z
      .array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a section name such as cluster, ci or deploys'))
      .min(1),
    /** `post` (default): a one-line "all quiet" message when nothing changed; `skip`: post nothing. */
    when_quiet: z.enum(['post', 'skip']).default('post'),
    /** Pinged only when something new and severe (critical or error) appears. */
    mention: z.array(slackPrincipal).default([]),
    /** cluster section: kubeconfig contexts to read (default: the current one). */
    clusters: z.array(z.string().min(1).max(253)).optional(),
    /** cluster section: only these namespaces (default: all). */
    namespaces: z.array(k8sName).optional(),
    /** ci section: repositories to watch (default: those of `ci.channels`). */
    repos: z.array(z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/repo')).optional(),
  })
  .strict();

export type DigestConfig = z.infer<typeof digestSchema>;

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

/** A `ci.log_hosts` entry: a host name, `host:port`, `*.example.com` or an IP address (src/clients/log-url/hosts.ts). */
const logHost = z.string().transform((entry, ctx): LogHost => {
  const h = parseLogHost(entry);
  if ('problem' in h) {
    ctx.addIssue({ code: 'custom', message: h.problem });
    return z.NEVER;
  }
  return h;
});

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
        /** Hosts `/ops triage <url>` may fetch raw logs from; none by default (every URL is refused). */
        log_hosts: z.array(logHost).default([]),
      })
      .strict()
      .default({ channels: {}, log_hosts: [] }),
    digests: z
      .array(digestSchema)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((d, i) => {
          if (seen.has(d.id))
            ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${d.id}" is used by two digests` });
          seen.add(d.id);
        });
      }),
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
