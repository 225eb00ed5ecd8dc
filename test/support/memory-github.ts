/**
 * An in-memory GitHubPort for unit tests of the CI tools: repositories with runs, jobs and logs,
 * the AppErrors the real client throws, and a record of calls.
 */

import { AppError } from '../../tools/shared/errors.ts';
import type { GitHubPort, WorkflowJob, WorkflowRun } from '../../tools/shared/github-port.ts';

export interface MemoryJob
  extends Omit<WorkflowJob, 'runId' | 'runAttempt' | 'htmlUrl' | 'startedAt' | 'completedAt' | 'runnerName'> {
  /** The raw log, or 'expired'. */
  log: string | 'expired';
}

export interface MemoryRun extends Partial<WorkflowRun> {
  id: number;
  headBranch: string;
  conclusion: WorkflowRun['conclusion'];
  jobs: MemoryJob[];
}

export interface MemoryRepo {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Newest first. */
  runs: MemoryRun[];
}

export function memoryGitHub(
  repos: MemoryRepo[],
): GitHubPort & { calls: string[]; linesServed: Map<number, number> } {
  const calls: string[] = [];
  const linesServed = new Map<number, number>();
  const repoOf = (owner: string, repo: string) => {
    const r = repos.find((x) => x.owner === owner && x.repo === repo);
    if (!r) {
      throw new AppError({
        code: 'github_repo_not_found',
        userMessage: `GitHub has no repository ${owner}/${repo}.`,
      });
    }
    return r;
  };
  const toRun = (r: MemoryRepo, run: MemoryRun): WorkflowRun => ({
    name: 'CI',
    workflowPath: '.github/workflows/ci.yml',
    workflowId: 1,
    runNumber: run.id % 1000,
    runAttempt: 1,
    displayTitle: 'Fix the cart',
    headSha: '3f1e2d4c5b6a79880716253443526170819a0b1c',
    event: 'push',
    status: 'completed',
    htmlUrl: `https://github.com/${r.owner}/${r.repo}/actions/runs/${run.id}`,
    actor: 'octocat',
    createdAt: '2025-01-14T09:30:00Z',
    updatedAt: '2025-01-14T09:42:00Z',
    ...run,
  });
  const runOf = (owner: string, repo: string, runId: number) => {
    const r = repoOf(owner, repo);
    const run = r.runs.find((x) => x.id === runId);
    if (!run)
      throw new AppError({ code: 'github_not_found', userMessage: `${owner}/${repo} has no run ${runId}.` });
    return { r, run };
  };
  return {
    calls,
    linesServed,
    async listWorkflowRuns(q) {
      calls.push(
        `listWorkflowRuns ${q.owner}/${q.repo} ${q.branch ?? '*'} ${q.status ?? '*'} ${q.perPage ?? ''}`,
      );
      const r = repoOf(q.owner, q.repo);
      return r.runs
        .filter(
          (run) =>
            (!q.branch || run.headBranch === q.branch) &&
            (!q.status || run.conclusion === q.status) &&
            (!q.headSha || toRun(r, run).headSha === q.headSha),
        )
        .slice(0, q.perPage ?? 10)
        .map((run) => toRun(r, run));
    },
    async getWorkflowRun(ref) {
      calls.push(`getWorkflowRun ${ref.runId}`);
      const { r, run } = runOf(ref.owner, ref.repo, ref.runId);
      return toRun(r, run);
    },
    async listJobsForRun(ref) {
      calls.push(`listJobsForRun ${ref.runId}`);
      const { r, run } = runOf(ref.owner, ref.repo, ref.runId);
      return run.jobs.map(({ log: _log, ...j }) => ({
        ...j,
        runId: run.id,
        runAttempt: 1,
        htmlUrl: `https://github.com/${r.owner}/${r.repo}/actions/runs/${run.id}/job/${j.id}`,
        startedAt: null,
        completedAt: null,
        runnerName: 'GitHub Actions 17',
      }));
    },
    streamJobLog(ref) {
      calls.push(`streamJobLog ${ref.jobId}`);
      const r = repoOf(ref.owner, ref.repo);
      const job = r.runs.flatMap((run) => run.jobs).find((j) => j.id === ref.jobId);
      return (async function* () {
        if (!job) throw new AppError({ code: 'github_not_found', userMessage: 'no such job' });
        if (job.log === 'expired') {
          throw new AppError({
            code: 'github_logs_expired',
            userMessage: `The log of job ${job.id} in ${ref.owner}/${ref.repo} is no longer available (410).`,
          });
        }
        let n = 0;
        for (const line of job.log.replace(/^\ufeff/, '').split('\n')) {
          n++;
          linesServed.set(job.id, n);
          yield line;
        }
      })();
    },
    async rerunFailedJobs(ref) {
      calls.push(`rerunFailedJobs ${ref.runId}`);
      const { r, run } = runOf(ref.owner, ref.repo, ref.runId);
      run.runAttempt = (run.runAttempt ?? 1) + 1;
      return toRun(r, run);
    },
    async getDefaultBranch(ref) {
      calls.push(`getDefaultBranch ${ref.owner}/${ref.repo}`);
      return repoOf(ref.owner, ref.repo).defaultBranch;
    },
  };
}
