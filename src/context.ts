import { randomUUID } from 'node:crypto';

/**
 * Where an answer goes. Serializable: it travels inside job payloads so a worker in another process
 * (or after a restart) can still edit the right message.
 */
export type ReplyTarget =
  | {
      kind: 'slack';
      channel: string;
      /** Reply in this thread (mentions, and results of a progress message). */
      threadTs?: string;
      /** A slash command's response_url: the fallback when the bot cannot post in the channel. */
      responseUrl?: string;
    }
  | { kind: 'console' };

/** Who asked and from where; built from the Slack payload or the console, never from model output. */
export interface Requester {
  userId: string;
  channelId?: string;
  teamId?: string;
}

export function newTraceId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}
