import { z } from 'zod';
import { summarizeProposal } from './propose-deploy.ts';
import type { ProposedChange } from './shared/changes-port.ts';
import { defineTool } from './shared/define-tool.ts';
import { requirePort } from './shared/ports.ts';

const input = z.object({
  service: z.string().trim().min(1).max(63).describe('Service name from the team catalog, e.g. "checkout".'),
  environment: z.string().trim().min(1).max(63).describe('Environment of that service, e.g. "prod".'),
  revision: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Deployment revision to return to. Omit for the previous one.'),
});

/** Risk `write`, yet it changes nothing: it creates a rollback request with Approve/Reject buttons. */
export const proposeRollback = defineTool<z.infer<typeof input>, ProposedChange>({
  name: 'propose_rollback',
  description:
    'Create a rollback REQUEST (to the previous or a named revision) that a permitted person must approve with a button. It never rolls back by itself. Use only when the user explicitly asks to roll back.',
  input,
  risk: 'write',
  async run(deps, i, ctx) {
    const changes = requirePort(
      deps.changes,
      'Rollbacks',
      'Add services to the team file (see shipmate.example.yml).',
    );
    return changes.propose({ kind: 'rollback', ...i }, { userId: ctx.userId, traceId: ctx.traceId });
  },
  summarize: summarizeProposal,
  blocks: (p) => p.message,
});
