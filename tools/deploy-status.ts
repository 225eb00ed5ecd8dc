import { z } from 'zod';
import { context, escapeMrkdwn, fields, header, section, takeWithMore } from './shared/block-kit.ts';
import type { ServiceStatus } from './shared/changes-port.ts';
import { defineTool } from './shared/define-tool.ts';
import { requirePort } from './shared/ports.ts';

const input = z.object({
  service: z.string().trim().min(1).max(63).describe('Service name from the team catalog, e.g. "checkout".'),
  environment: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .optional()
    .describe('One environment; omit for all of the service.'),
});

/** Where a service's deploys stand: image, revision and rollout per environment, a running change, recent history. */
export const deployStatus = defineTool<z.infer<typeof input>, ServiceStatus>({
  name: 'deploy_status',
  description:
    'Show what version of a catalog service runs in each environment, whether a rollout is in progress or failed, and its recent deploys and rollbacks. Use for "what is deployed", "did the deploy finish", "who deployed". Not for cluster-wide health (use cluster_status).',
  input,
  risk: 'read',
  async run(deps, i, ctx) {
    const changes = requirePort(
      deps.changes,
      'Deploy status',
      'Add services to the team file (see shipmate.example.yml).',
    );
    return changes.status(i.service, i.environment, ctx.signal);
  },
  summarize(s) {
    const envs = s.environments.map(
      (e) =>
        `${e.environment}: ${e.error ? `error: ${e.error}` : `${e.image ?? '?'} (revision ${e.revision ?? '?'}), ${e.rollout ?? ''}`}${e.runningRequest ? `; change ${e.runningRequest} running` : ''}`,
    );
    const recent = takeWithMore(
      s.recent,
      5,
      (r) => `${r.at} ${r.type} ${r.environment ?? ''} by ${r.actor}${r.detail ? `: ${r.detail}` : ''}`,
    );
    return `Service ${s.service}\n${envs.join('\n')}\nRecent: ${recent.length ? recent.join('; ') : 'none recorded'}`;
  },
  blocks(s) {
    return {
      text: `Deploy status of ${s.service}`,
      blocks: [
        header(`Deploys: ${s.service}`),
        fields(
          s.environments.map(
            (e) =>
              `*${escapeMrkdwn(e.environment)}*\n${e.error ? `⚠️ ${escapeMrkdwn(e.error)}` : `\`${escapeMrkdwn(e.image ?? '?')}\` · rev ${e.revision ?? '?'}\n${escapeMrkdwn(e.rollout ?? '')}`}${e.runningRequest ? `\n⏳ \`${e.runningRequest}\` running` : ''}`,
          ),
        ),
        section(
          s.recent.length
            ? takeWithMore(
                s.recent,
                8,
                (r) =>
                  `• ${r.at.slice(0, 16).replace('T', ' ')}Z *${r.type}* ${escapeMrkdwn(r.environment ?? '')} by <@${r.actor}>${r.detail ? ` — ${escapeMrkdwn(r.detail)}` : ''}`,
              ).join('\n')
            : 'No deploys recorded yet.',
        ),
        context('From the Deployment objects and the audit log.'),
      ],
    };
  },
});
