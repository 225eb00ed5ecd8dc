import type { Message, MessageFile } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';

/** A message that exists and can be edited: a Slack ts, or the console's job line prefix. */
export interface MessageHandle {
  channel?: string;
  ts?: string;
  /** True when the message went through response_url (cannot be edited often). */
  viaResponseUrl?: boolean;
  /** Keys of the attachments already uploaded into this message's thread (a redelivery skips them). */
  attached?: string[];
}

/** How hard one post or edit tries, and how it avoids posting twice. */
export interface DeliveryOptions {
  /**
   * Names this post (e.g. `<job id>:progress`): a post retried after an answer that never came is
   * looked up by it first, so a slow Slack cannot make it appear twice. Default: a fresh one.
   */
  key?: string;
  /** The post may already exist from an earlier try (another attempt, another worker): look first. */
  lookFirst?: boolean;
  /** Give up after trying this long, in ms (0: one try). Default: the messenger's retry period. */
  patienceMs?: number;
}

/**
 * How jobs talk to people. The Slack implementation posts and edits messages through the Web API,
 * retrying through Slack's failures; the console prints lines. Workers depend only on this interface.
 */
export interface Messenger {
  /** Posts a new message (in `target.threadTs`'s thread when set). */
  post(target: ReplyTarget, message: Message, o?: DeliveryOptions): Promise<MessageHandle>;
  /**
   * Replaces a message posted earlier. A `final` edit tries through failures (and, for a command,
   * falls back to its response_url); an intermediate one is tried once.
   */
  update(
    target: ReplyTarget,
    handle: MessageHandle,
    message: Message,
    final: boolean,
    o?: DeliveryOptions,
  ): Promise<void>;
  /** Posts in the thread of `handle` (or of the target). */
  postInThread(
    target: ReplyTarget,
    handle: MessageHandle,
    message: Message,
    o?: DeliveryOptions,
  ): Promise<void>;
  /**
   * Uploads a text file into the thread of `handle` (redacted like messages). Throws an AppError
   * whose userMessage says why it cannot (e.g. the app lacks the `files:write` scope). Optional: a
   * messenger without it shows a message's `attach.otherwise`.
   */
  attach?(target: ReplyTarget, handle: MessageHandle, file: MessageFile): Promise<void>;
  /** A message only `userId` sees. */
  ephemeral(target: ReplyTarget, userId: string, message: Message): Promise<void>;
}
