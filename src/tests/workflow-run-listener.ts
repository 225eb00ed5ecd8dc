import type { GitHubEventListener } from '../http/github-events.ts';
import type { JobQueue } from '../jobs/runtime.ts';
import type { WatchIndex } from './watch-index.ts';

/** Branches Shipmate pushes drafted tests to (src/jobs/processors/tests-pr.ts branchFor). */
const TESTS_BRANCH = 'shipmate/tests/';

/** How long a delivery waits for a poll that is running right now to end, before it leaves a nudge only. */
const ACTIVE_WAIT_MS = 2000;
const ACTIVE_STEP_MS = 100;

interface WorkflowRunDelivery {
  action?: string;
  workflow_run?: { head_sha?: unknown; head_branch?: unknown };
  repository?: { full_name?: unknown };
}

/**
 * Closes the loop of a drafted tests PR from GitHub's webhook: a completed `workflow_run` of a
 * commit a tests_watch job waits for (found by the index its start wrote, on a `shipmate/tests/`
 * branch) makes that job run now instead of at its next poll. Nothing else happens here: the job
 * itself reads the runs and reports, so a delivery changes only when — a second delivery, or one
 * for a job already running or done, promotes nothing, and the report is the job's one outcome.
 * `requested` and `in_progress` deliveries do nothing. Polling stays the fallback for a lost delivery.
 */
export function workflowRunListener(deps: {
  index: WatchIndex;
  promote: JobQueue['promote'];
  /** How long a nudge for a running poll is kept, in ms. */
  nudgeTtlMs: number;
  /** Pause between looks at a running poll (default setTimeout). */
  pause?: (ms: number) => Promise<void>;
}): GitHubEventListener {
  const pause = deps.pause ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    events: ['workflow_run'],
    async handle({ payload, log }) {
      const p = (payload ?? {}) as WorkflowRunDelivery;
      const sha = p.workflow_run?.head_sha;
      const branch = p.workflow_run?.head_branch;
      const repo = p.repository?.full_name;
      if (p.action !== 'completed' || typeof sha !== 'string' || typeof repo !== 'string') return undefined;
      if (typeof branch !== 'string' || !branch.startsWith(TESTS_BRANCH)) return undefined;
      const jobId = await deps.index.watcherOf(repo, sha);
      if (!jobId) return undefined;
      // A poll running now may have read GitHub before this run completed: it looks again soon.
      await deps.index.nudge(jobId, deps.nudgeTtlMs);
      let state = await deps.promote(jobId);
      // …or it is about to go back to waiting: catch it there.
      for (let waited = 0; state === 'active' && waited < ACTIVE_WAIT_MS; waited += ACTIVE_STEP_MS) {
        await pause(ACTIVE_STEP_MS);
        state = await deps.promote(jobId);
      }
      log.info({ repo, sha, jobId, state }, 'workflow run of a drafted tests PR completed; watch woken');
      return { jobId, promoted: state === 'promoted' };
    },
  };
}
