import { rerunMessage } from '../../../tools/shared/ci/commands.ts';
import type { GitHubPort, WorkflowRun } from '../../../tools/shared/github-port.ts';
import { requireGitHub } from '../../../tools/shared/github-port.ts';
import type { AuditLog } from '../../audit/audit.ts';
import { isAppError } from '../../errors.ts';
import type { TeamConfig } from '../../team-config.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import type { CiRerunPayload } from '../specs/ci.ts';

/**
 * The job behind `/ops rerun` and the "Re-run failed jobs" button (the command has checked the
 * person's permission): asks GitHub to re-run the run's failed jobs with the full GitHubPort — the
 * agent's read-only port cannot — records an audit entry (`rerun`, the requester, `owner/repo#run`,
 * and the catalog service of that repository when there is one) and reports the new attempt.
 *
 * Each step is checkpointed, so a retry after GitHub accepted the re-run (a worker died, Slack failed
 * to take the final message) does not ask GitHub again — which would start nothing and fail with
 * "not re-runnable" while the new attempt runs — nor audit twice. Not cancellable: once GitHub has
 * the request, stopping the job would not stop the run.
 */
export async function processCiRerun(
  run: JobRun<CiRerunPayload>,
  deps: { github: GitHubPort | undefined; audit: AuditLog; team: TeamConfig },
): Promise<JobOutcome> {
  const serviceOf = (repo: string) =>
    Object.entries(deps.team.services).find(([, s]) => s.repo?.toLowerCase() === repo.toLowerCase())?.[0];
  const ref = run.payload;
  const repo = `${ref.owner}/${ref.repo}`;
  const github = requireGitHub(deps.github);
  let rerun = run.checkpoint.data.run as WorkflowRun | undefined;
  if (!rerun) {
    run.progress(`Asking GitHub to re-run the failed jobs of ${repo} run ${ref.runId}…`);
    try {
      rerun = await github.rerunFailedJobs(ref, { signal: run.signal });
    } catch (e) {
      // The port asks for the re-run, then reads the run back. If an earlier attempt's request
      // went through and only the read failed, GitHub now refuses a second re-run of a running
      // run: that refusal on a retry means it is running, not that it failed.
      if (!(run.attempt > 1 && isAppError(e) && e.code === 'github_not_rerunnable')) throw e;
      rerun = await github.getWorkflowRun(ref, { signal: run.signal });
    }
    await run.checkpoint.save({ run: rerun });
  }
  if (!run.checkpoint.data.audited) {
    await deps.audit.record({
      type: 'rerun',
      actor: run.requestedBy,
      kind: 'rerun',
      service: serviceOf(repo),
      detail: `${repo}#${ref.runId}`,
      traceId: run.traceId,
    });
    await run.checkpoint.save({ audited: true });
  }
  return { message: rerunMessage(ref, rerun, run.requestedBy) };
}
