import { parseRerunArgs, RERUN_USAGE } from '../../../tools/shared/ci/commands.ts';
import { AppError } from '../../errors.ts';
import type { CiRerunPayload } from '../../jobs/processors/ci-rerun.ts';
import type { JobKind } from '../../jobs/queues.ts';
import { type JobRuntime, safeJobId } from '../../jobs/runtime.ts';
import type { Policy } from '../../policy/policy.ts';
import type { OpsCommand } from '../command.ts';

/**
 * `/ops rerun <owner/repo> <run-id>` — also what the "Re-run failed jobs" button runs, with the
 * clicker as requester. Checks the person may re-run that repository's workflows (Policy.canRerun;
 * a refusal says who can), then queues the re-run under an id derived from the invocation: a double
 * click, or Slack retrying the request, re-runs once.
 */
export function createRerunCommand(deps: {
  jobs: JobRuntime;
  policy: Policy;
  rerunJob: JobKind<CiRerunPayload>;
  /** Refuses at once when GitHub is not configured. */
  unavailable?: () => AppError | undefined;
}): OpsCommand {
  return {
    name: 'rerun',
    usage: RERUN_USAGE,
    summary:
      "re-run the failed jobs of a GitHub Actions run (deployers of the repository's services, or admins)",
    keywords: ['rerun', 're-run', 'retry', 'restart', 'build', 'ci', 'workflow'],
    async run(argv, ctx) {
      const missing = deps.unavailable?.();
      if (missing) throw missing;
      const ref = parseRerunArgs(argv);
      const repo = `${ref.owner}/${ref.repo}`;
      const verdict = await deps.policy.canRerun(ctx.requester.userId, repo);
      if (!verdict.ok) {
        throw new AppError({ code: 'forbidden', userMessage: `You can't re-run this. ${verdict.why}` });
      }
      const r = await deps.jobs.enqueue({
        kind: deps.rerunJob,
        payload: ref,
        jobId: safeJobId('rerun', ctx.invocationId),
        requestedBy: ctx.requester.userId,
        target: ctx.target,
        traceId: ctx.traceId,
        title: `Re-run of ${repo} run ${ref.runId}`,
      });
      return {
        message: { text: r.created ? '' : `Already re-running: job \`${r.jobId}\`.` },
        visibility: 'ephemeral',
        jobIds: [r.jobId],
      };
    },
  };
}
