import { parseRerunArgs, RERUN_USAGE } from '../../../tools/shared/ci/commands.ts';
import type { GitHubPort } from '../../../tools/shared/github-port.ts';
import { portNotConfigured } from '../../../tools/shared/ports.ts';
import { AppError } from '../../errors.ts';
import { type Enqueue, safeJobId } from '../../jobs/enqueue.ts';
import { ciRerunSpec } from '../../jobs/specs/ci.ts';
import type { Policy } from '../../policy/policy.ts';
import { ephemeral, type OpsCommand } from '../command.ts';

/**
 * `/ops rerun <owner/repo> <run-id>` — also what the "Re-run failed jobs" button runs, with the
 * clicker as requester. Checks the person may re-run that repository's workflows (Policy.canRerun;
 * a refusal says who can), reads the run, then queues the re-run under an id derived from the run
 * and its current attempt: a double click, Slack retrying the request, or the button and a typed
 * command for the same attempt re-run once; once that re-run has happened and its attempt has
 * finished, a new click re-runs the new attempt. A run still going is not re-run (GitHub would
 * refuse); the answer says so.
 */
export function createRerunCommand(deps: {
  enqueue: Enqueue;
  policy: Policy;
  /** Absent: GitHub is not configured, and the command says so (after checking its words). */
  github: GitHubPort | undefined;
}): OpsCommand {
  return {
    name: 'rerun',
    usage: RERUN_USAGE,
    summary:
      "re-run the failed jobs of a GitHub Actions run (deployers of the repository's services, or admins)",
    keywords: ['rerun', 're-run', 'retry', 'restart', 'build', 'ci', 'workflow'],
    async run(argv, ctx) {
      const ref = parseRerunArgs(argv);
      if (!deps.github) throw portNotConfigured('github');
      const repo = `${ref.owner}/${ref.repo}`;
      const verdict = await deps.policy.canRerun(ctx.requester.userId, repo);
      if (!verdict.ok) {
        throw new AppError({ code: 'forbidden', userMessage: `You can't re-run this. ${verdict.why}` });
      }
      const run = await deps.github.getWorkflowRun(ref);
      if (run.status !== 'completed') {
        return ephemeral(
          `${repo} run ${ref.runId} is ${(run.status ?? 'running').replace(/_/g, ' ')} (attempt ${run.runAttempt}); nothing to re-run until it has finished: <${run.htmlUrl}|the run>.`,
        );
      }
      const r = await deps.enqueue({
        spec: ciRerunSpec,
        payload: ref,
        jobId: safeJobId('rerun', ref.owner, ref.repo, String(ref.runId), `attempt${run.runAttempt}`),
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
