import { triageJobId, triageRequestFromWorkflowRunEvent } from '../../tools/shared/ci/workflow-run.ts';
import { newTraceId } from '../context.ts';
import type { Enqueue } from '../jobs/enqueue.ts';
import { ciTriageSpec } from '../jobs/specs/ci.ts';
import type { GitHubEventListener } from './github-events.ts';

/**
 * Automatic CI triage from `workflow_run` deliveries: one that triageRequestFromWorkflowRunEvent
 * accepts (completed, failed, repository in `ci.channels`) queues a `ci_triage` job under
 * triageJobId — one job per run attempt, so GitHub redelivering it is a no-op.
 */
export function ciTriageListener(deps: {
  /** `ci.channels` of the team file: `owner/repo` → Slack channel. */
  channels: Readonly<Record<string, string>>;
  enqueue: Enqueue;
}): GitHubEventListener {
  return {
    events: ['workflow_run'],
    async handle({ payload, deliveryId, log }) {
      const request = triageRequestFromWorkflowRunEvent(payload, deps.channels);
      if (!request) return undefined;
      const traceId = newTraceId();
      const repo = `${request.owner}/${request.repo}`;
      const r = await deps.enqueue({
        spec: ciTriageSpec,
        payload: {
          owner: request.owner,
          repo: request.repo,
          runId: request.runId,
          runAttempt: request.runAttempt,
          channel: request.channel,
          deliveryId,
        },
        jobId: triageJobId(request),
        requestedBy: 'github',
        target: { kind: 'slack', channel: request.channel },
        traceId,
        title: `Triage of ${repo} run ${request.runId}${request.runAttempt > 1 ? ` (attempt ${request.runAttempt})` : ''}`,
      });
      log.info(
        { traceId, repo, runId: request.runId, jobId: r.jobId, created: r.created },
        'failed run queued for triage',
      );
      return { jobId: r.jobId, created: r.created };
    },
  };
}
