import type { ReplyTarget, Requester } from '../context.ts';
import type { EnqueueResult } from '../jobs/enqueue.ts';

/** The message a message shortcut was used on, as Slack sent it with the shortcut. */
export interface ShortcutMessage {
  ts: string;
  /** Set when the message is a reply in a thread. */
  threadTs?: string;
  /** Its text as Slack stores it (mrkdwn: `&lt;`, `<url|label>`, `<@U…>`). */
  text: string;
  /** Author, when a person wrote it. */
  user?: string;
  /** Files attached to it (snippets are files), by id; the processor asks Slack for the rest. */
  files: { id: string; name?: string }[];
}

export interface ShortcutRequest {
  requester: Requester;
  /** Where answers go: the message's thread in its channel, falling back to the shortcut's response_url. */
  target: ReplyTarget;
  channel: string;
  message: ShortcutMessage;
  /** Slack's trigger_id: the job id derives from it, so a repeat of one invocation is a no-op. */
  invocationId: string;
  traceId: string;
}

/**
 * A message shortcut (manifest.yml `features.shortcuts`, type `message`): what a feature does with
 * the message. The Slack adapter acks first (inside Slack's 3 s), then calls `run`, which should only
 * enqueue a job; a thrown AppError is shown to the person who used the shortcut.
 */
export interface MessageShortcutHandler {
  /** The shortcut's callback_id; the feature declares it in `Feature.shortcuts` too. */
  callbackId: string;
  run(req: ShortcutRequest): Promise<EnqueueResult>;
}
