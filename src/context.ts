import { randomUUID } from 'node:crypto';
import type { Logger } from './log.ts';

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
      /** Answers through `responseUrl` are for the asker only (a shortcut's), not the channel. */
      responseEphemeral?: true;
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

/** What every handler knows about one request: who, where to answer, and its log and trace id. */
export interface RequestContext {
  requester: Requester;
  /** Where a job started by this request reports progress. */
  target: ReplyTarget;
  traceId: string;
  log: Logger;
  /**
   * Unique per invocation and stable across repeats of the same invocation (Slack's trigger_id, a
   * button's message ts + action, a console line number), so job ids derived from it are idempotent.
   */
  invocationId: string;
  surface: 'slack' | 'console';
}

/**
 * The one place a per-request context is built — for slash commands, buttons, mentions and console
 * lines alike: a fresh trace id and a child logger carrying it, the requester and the channel.
 */
export function requestContext(
  log: Logger,
  o: Omit<RequestContext, 'traceId' | 'log'> & { logFields?: Record<string, unknown> },
): RequestContext {
  const traceId = newTraceId();
  return {
    requester: o.requester,
    target: o.target,
    invocationId: o.invocationId,
    surface: o.surface,
    traceId,
    log: log.child({ traceId, user: o.requester.userId, channel: o.requester.channelId, ...o.logFields }),
  };
}
