import type { ReplyTarget, Requester } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Enqueue, type EnqueueResult, safeJobId } from '../jobs/enqueue.ts';
import { agentTurnSpec, MAX_QUESTION_CHARS } from '../jobs/specs/agent-turn.ts';

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

export type MentionHandler = (m: MentionRequest) => Promise<EnqueueResult>;

/** Turns an @mention, DM or console line into an agent-turn job that answers in its thread. */
export function createMentionHandler(deps: { enqueue: Enqueue }): MentionHandler {
  return async (m) => {
    if (m.text.length > MAX_QUESTION_CHARS) {
      throw new AppError({
        code: 'usage',
        userMessage: `That message is ${m.text.length.toLocaleString('en')} characters; Shipmate reads questions of up to ${MAX_QUESTION_CHARS.toLocaleString('en')}. Ask in fewer words and quote only the lines that matter — \`/ops logs <workload>\` reads logs itself.`,
      });
    }
    return deps.enqueue({
      spec: agentTurnSpec,
      payload: { text: m.text, messageTs: m.messageTs },
      jobId: safeJobId('turn', m.eventId),
      requestedBy: m.requester.userId,
      target: m.target,
      traceId: m.traceId,
      title: 'Looking into it',
    });
  };
}
