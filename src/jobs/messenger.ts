import type { Message } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';

/** A message that exists and can be edited: a Slack ts, or the console's job line prefix. */
export interface MessageHandle {
  channel?: string;
  ts?: string;
  /** True when the message went through response_url (cannot be edited often). */
  viaResponseUrl?: boolean;
}

/**
 * How jobs talk to people. The Slack implementation posts and edits messages through the Web API;
 * the console prints lines. Workers depend only on this interface.
 */
export interface Messenger {
  /** Posts a new message (in `target.threadTs`'s thread when set). */
  post(target: ReplyTarget, message: Message): Promise<MessageHandle>;
  /** Replaces a message posted earlier. */
  update(target: ReplyTarget, handle: MessageHandle, message: Message, final: boolean): Promise<void>;
  /** Posts in the thread of `handle` (or of the target). */
  postInThread(target: ReplyTarget, handle: MessageHandle, message: Message): Promise<void>;
  /** A message only `userId` sees. */
  ephemeral(target: ReplyTarget, userId: string, message: Message): Promise<void>;
}
