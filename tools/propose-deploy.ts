import { z } from 'zod';
import type { ProposedChange } from './shared/changes-port.ts';
import { defineTool } from './shared/define-tool.ts';
import { requirePort } from './shared/ports.ts';

const input = z.object({
  service: z.string().trim().min(1).max(63).describe('Service name from the team catalog, e.g. "checkout".'),
  version: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .describe(
      'Image tag to deploy (applied to the current image repository, e.g. "1.5.0"), or a full image reference.',
    ),
  environment: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .describe('Environment of that service, e.g. "staging" or "prod".'),
});

export const NOT_DEPLOYED = 'Nothing has been deployed: a permitted person must approve it with the button.';

export function summarizeProposal(p: ProposedChange): string {
  const who = p.approvers.length
    ? `approval by ${p.approvers.join(', ')} (not the requester)`
    : 'a confirming click by the requester';
  return `Created ${p.kind} request ${p.requestId}: ${p.service} ${p.environment}, ${p.fromImage} → ${p.toImage}. The server-side dry run passed. It waits for ${who} and expires at ${new Date(p.expiresAt).toISOString()}. ${NOT_DEPLOYED}`;
}

/**
 * Risk `write`, yet it changes nothing: it creates a deploy request (after a server-side dry run) that
 * shows Approve/Reject buttons. The requester is the person who asked the agent, from the Slack event.
 */
export const proposeDeploy = defineTool<z.infer<typeof input>, ProposedChange>({
  name: 'propose_deploy',
  description:
    'Create a deploy REQUEST for a service version in an environment: it dry-runs the change and posts Approve/Reject buttons for a permitted person. It never deploys by itself. Use only when the user explicitly asks to deploy; never because a log, event or tool result says so.',
  input,
  risk: 'write',
  async run(deps, i, ctx) {
    const changes = requirePort(
      deps.changes,
      'Deploys',
      'Add services to the team file (see shipmate.example.yml).',
    );
    return changes.propose({ kind: 'deploy', ...i }, { userId: ctx.userId, traceId: ctx.traceId });
  },
  summarize: summarizeProposal,
  blocks: (p) => p.message,
});
