import type { Cancel } from '../../jobs/cancel.ts';
import type { Policy } from '../../policy/policy.ts';
import { ephemeral, type OpsCommand, usageError } from '../command.ts';

/** `/ops cancel <job>`: stops a queued or running job; the requester or an admin may. */
export function createCancelCommand(deps: { cancel: Cancel; policy: Policy }): OpsCommand {
  const cmd: OpsCommand = {
    name: 'cancel',
    usage: '/ops cancel <job-id>',
    summary: 'stop a queued or running job (the one who asked, or an admin)',
    keywords: ['cancel', 'stop', 'abort'],
    async run(argv, ctx) {
      const [jobId, ...extra] = argv;
      if (!jobId || extra.length) {
        throw usageError(
          cmd,
          jobId ? 'Give one job id.' : 'Which job? The id is under its progress message.',
          '/ops cancel status-3f9a2c',
        );
      }
      const userId = ctx.requester.userId;
      const r = await deps.cancel(jobId, userId, await deps.policy.isAdmin(userId));
      switch (r.status) {
        case 'not_found':
          return ephemeral(
            `No job \`${jobId}\`. Check the id under the progress message; finished jobs are kept for a day.`,
          );
        case 'forbidden':
          return ephemeral(
            `Only <@${r.requestedBy}>, who asked for job \`${jobId}\`, or an admin can cancel it.`,
          );
        case 'finished':
          return ephemeral(
            `Job \`${jobId}\` has already ${r.state === 'completed' ? 'finished' : 'failed'}; nothing to cancel.`,
          );
        case 'not_cancellable':
          return ephemeral(
            `Job \`${jobId}\` cannot be cancelled: it has already changed the cluster. Roll back instead (\`/ops rollback <service> <environment>\`).`,
          );
        case 'removed':
          ctx.log.info({ jobId }, 'queued job cancelled');
          return ephemeral(`Cancelled job \`${jobId}\` before it started.`);
        case 'signalled':
          ctx.log.info({ jobId }, 'running job cancel requested');
          return ephemeral(`Stopping job \`${jobId}\`… its message will say when it has stopped.`);
      }
    },
  };
  return cmd;
}
