import type { ReplyTarget, Requester } from '../context.ts';
import type { AgentTurnPayload } from '../jobs/processors/agent-turn.ts';
import type { JobKind } from '../jobs/queues.ts';
import { type EnqueueResult, type JobRuntime, safeJobId } from '../jobs/runtime.ts';

export interface MentionRequest {
  text: string;
  requester: Requester;
  target: ReplyTarget;
  /** Slack's event_id (or the console's line id): the job id derives from it, so repeats are no-ops. */
  eventId: string;
  /** ts of the Slack message asking: the agent's history is the thread before it. */
  messageTs?: string;
  traceId: string;
}

/** Turns an @mention, DM or console line into an agent-turn job that answers in its thread. */
export function createMentionHandler(deps: { jobs: JobRuntime; turn: JobKind<AgentTurnPayload> }) {
  return (m: MentionRequest): Promise<EnqueueResult> =>
    deps.jobs.enqueue({
      kind: deps.turn,
      payload: { text: m.text, messageTs: m.messageTs },
      jobId: safeJobId('turn', m.eventId),
      requestedBy: m.requester.userId,
      target: m.target,
      traceId: m.traceId,
      title: 'Looking into it',
    });
}
export type MentionHandler = ReturnType<typeof createMentionHandler>;
