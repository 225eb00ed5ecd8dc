import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Message } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';
import { AppError, slackErrorCode } from '../errors.ts';
import type { DeliveryOptions, MessageHandle, Messenger } from '../jobs/messenger.ts';
import type { Logger } from '../log.ts';
import { prepareFileForSlack, prepareForSlack } from './prepare.ts';
import {
  backoffMs,
  DEFAULT_SLACK_RETRY,
  pause,
  ResponseUrlError,
  type SlackRetryOptions,
  slackFailure,
} from './slack-retry.ts';

const NOT_POSTABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** After this many failed tries of chat.*, a command's answer goes through its response_url instead. */
const FALLBACK_AFTER_TRIES = 2;

/** An upload that keeps failing gives up sooner than a post: the message stands in for the file. */
const UPLOAD_PATIENCE_MS = 60_000;

/** Why a file could not be uploaded, in words a Slack admin can act on. */
function uploadError(e: unknown): AppError {
  const code = slackErrorCode(e);
  const needed = (e as { data?: { needed?: unknown } }).data?.needed;
  const why =
    code === 'missing_scope'
      ? `the Slack app lacks the \`${typeof needed === 'string' ? needed : 'files:write'}\` scope (add it under OAuth & Permissions, as manifest.yml has it, and reinstall the app)`
      : code === 'not_in_channel' || code === 'channel_not_found'
        ? 'Shipmate is not in this channel (`/invite @Shipmate`)'
        : code
          ? `Slack refused the upload (\`${code}\`)`
          : e instanceof AppError && e.code === 'slack_upload_unsure'
            ? 'Slack did not answer the upload in time'
            : 'Slack did not take the upload';
  return new AppError({ code: `slack_upload_${code ?? 'failed'}`, userMessage: why, cause: e });
}

/** The metadata event type that names Shipmate's posts, so a retried post can find the first one. */
export const POST_EVENT_TYPE = 'shipmate_post';

/** How far back a post looked up by its key may be (`lookFirst`: posted by an earlier attempt). */
const LOOK_BACK_MS = 60 * 60_000;

/** The key as it travels in message metadata: a digest, so job ids never show to other apps. */
const digest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 24);

export interface SlackMessengerOptions {
  /** Backoff and patience of retries (defaults: {@link DEFAULT_SLACK_RETRY}). */
  retry?: Partial<SlackRetryOptions>;
  fetch?: typeof fetch;
  /** Aborted when the process stops: retries stop waiting and fail. */
  signal?: AbortSignal;
}

/**
 * Posts and edits messages with the Web API, through Slack's failures: a post or final edit that
 * fails retryably (5xx, timeouts, rate limits, Slack's internal errors) is tried again with backoff
 * for minutes; after two failed tries a slash command's answer goes through its response_url (a
 * different Slack service, accepted for 30 minutes). Every post carries its key in message
 * metadata, and a post whose answer never came (a timeout: it may have landed) is looked up by key
 * before it is sent again, so a slow Slack never shows a message twice. When the bot cannot post in
 * the channel at all (not invited, a private channel or a DM with someone else), a command's answer
 * also goes through its response_url.
 *
 * `client` must make no retries of its own (createSlackWebClient's `ownRetries`): a retried post
 * that had timed out would post twice.
 */
export function createSlackMessenger(
  client: WebClient,
  log: Logger,
  o: SlackMessengerOptions = {},
): Messenger {
  const retry: SlackRetryOptions = { ...DEFAULT_SLACK_RETRY, ...o.retry };
  const fetchImpl = o.fetch ?? fetch;

  /** A target's response_url, and whether its answers are for the asker only (a shortcut's). */
  type ReplyUrl = { url: string; ephemeral?: boolean } | undefined;
  const replyUrl = (t: { responseUrl?: string; responseEphemeral?: boolean }): ReplyUrl =>
    t.responseUrl ? { url: t.responseUrl, ephemeral: t.responseEphemeral === true } : undefined;

  const viaResponseUrl = async (to: NonNullable<ReplyUrl>, message: Message, replace: boolean) => {
    const url = to.url;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...prepareForSlack(message),
          response_type: to.ephemeral ? 'ephemeral' : 'in_channel',
          replace_original: replace,
        }),
      });
    } catch (e) {
      throw new ResponseUrlError(0, e);
    }
    if (!res.ok) throw new ResponseUrlError(res.status);
  };

  /**
   * Runs `attempt` until it succeeds, fails for good, or `patienceMs` would pass. After each
   * retryable failure `fallback.run` may deliver another way (from the second try on, and always
   * before giving up); then the result is `fallback.value`.
   */
  async function trying<T>(
    what: string,
    patienceMs: number,
    attempt: () => Promise<T>,
    fallback?: { run: (tries: number, last: boolean) => Promise<boolean>; value: T },
  ): Promise<T> {
    const started = Date.now();
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        const f = slackFailure(e);
        if (!f.retryable) throw e;
        const wait = backoffMs(retry, n, f);
        // The last chance (out of patience, or stopping): the fallback is tried whatever the count.
        const last = o.signal?.aborted === true || Date.now() - started + wait > patienceMs;
        if (fallback && (await fallback.run(n, last))) return fallback.value;
        if (last) throw e;
        log.warn({ err: e, what, attempt: n, retryInMs: wait }, 'Slack call failed; trying again');
        await pause(wait, o.signal);
        if (o.signal?.aborted) throw e;
      }
    }
  }

  /** A command's answer through its response_url, when chat.* keeps failing; undefined when that fails too. */
  const fallbackTo = <T>(url: ReplyUrl, message: Message, unsure: () => boolean, value: T) =>
    url
      ? {
          value,
          run: async (tries: number, last: boolean): Promise<boolean> => {
            // A post that may have landed is looked up by the next try instead: no second copy.
            if ((tries < FALLBACK_AFTER_TRIES && !last) || unsure()) return false;
            try {
              await viaResponseUrl(url, message, false);
              log.warn({ tries }, 'Slack chat.* keeps failing; answered through response_url');
              return true;
            } catch (err) {
              log.warn({ err }, 'response_url failed too');
              return false;
            }
          },
        }
      : undefined;

  /** The ts of the message carrying `key`, posted since `oldest` (Slack seconds), in a channel or thread. */
  const findPosted = async (channel: string, threadTs: string | undefined, key: string, oldest: string) => {
    try {
      const args = { channel, oldest, include_all_metadata: true, limit: 200 };
      const r = threadTs
        ? await client.conversations.replies({ ...args, ts: threadTs })
        : await client.conversations.history(args);
      const found = (r.messages ?? []).find(
        (m) =>
          m.metadata?.event_type === POST_EVENT_TYPE &&
          (m.metadata.event_payload as { key?: string } | undefined)?.key === key,
      );
      return found?.ts;
    } catch (e) {
      if (slackFailure(e).retryable) throw e;
      // No history scope in this conversation: post, accepting the small risk of a second copy.
      log.warn({ err: e, channel }, 'cannot look up an earlier post; posting');
      return undefined;
    }
  };

  const postTo = async (
    channel: string,
    threadTs: string | undefined,
    message: Message,
    d: DeliveryOptions | undefined,
    responseUrl: ReplyUrl,
  ): Promise<MessageHandle> => {
    const key = digest(d?.key ?? randomUUID());
    const since = ((Date.now() - (d?.lookFirst ? LOOK_BACK_MS : 60_000)) / 1000).toFixed(6);
    let unsure = d?.lookFirst === true;
    const attempt = async (): Promise<MessageHandle> => {
      if (unsure) {
        const ts = await findPosted(channel, threadTs, key, since);
        if (ts) return { channel, ts };
      }
      try {
        const r = await client.chat.postMessage({
          channel,
          thread_ts: threadTs,
          ...prepareForSlack(message),
          metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
        });
        return { channel: r.channel ?? channel, ts: r.ts };
      } catch (e) {
        const code = slackErrorCode(e);
        if (code && NOT_POSTABLE.has(code) && responseUrl) {
          log.info({ code }, 'cannot post in channel; answering through response_url');
          await viaResponseUrl(responseUrl, message, false);
          return { viaResponseUrl: true };
        }
        if (slackFailure(e).maybeDone) unsure = true;
        throw e;
      }
    };
    return trying(
      'chat.postMessage',
      d?.patienceMs ?? retry.forMs,
      attempt,
      fallbackTo<MessageHandle>(responseUrl, message, () => unsure, { viaResponseUrl: true }),
    );
  };

  const slack = (t: ReplyTarget) => {
    if (t.kind !== 'slack') throw new Error('Slack messenger given a console target');
    return t;
  };
  return {
    async post(target, message, d) {
      const t = slack(target);
      return postTo(t.channel, t.threadTs, message, d, replyUrl(t));
    },
    async update(target, handle: MessageHandle, message, final, d) {
      const t = slack(target);
      const patience = final ? (d?.patienceMs ?? retry.forMs) : 0;
      if (handle.viaResponseUrl) {
        const url = replyUrl(t);
        if (final && url) await trying('response_url', patience, () => viaResponseUrl(url, message, true));
        return;
      }
      if (!handle.ts) return;
      const ts = handle.ts;
      await trying(
        'chat.update',
        patience,
        async () => {
          await client.chat.update({ channel: handle.channel ?? t.channel, ts, ...prepareForSlack(message) });
        },
        final ? fallbackTo<void>(replyUrl(t), message, () => false, undefined) : undefined,
      );
    },
    async postInThread(target, handle, message, d) {
      const t = slack(target);
      if (handle.viaResponseUrl || !handle.ts) {
        const url = replyUrl(t);
        if (url)
          await trying('response_url', d?.patienceMs ?? retry.forMs, () =>
            viaResponseUrl(url, message, false),
          );
        return;
      }
      await postTo(handle.channel ?? t.channel, handle.ts, message, d, replyUrl(t));
    },
    async attach(target, handle, file) {
      const t = slack(target);
      if (!handle.ts)
        throw new AppError({
          code: 'slack_no_thread',
          userMessage:
            "the answer went through the command's response_url, which has no thread to attach a file to",
        });
      const f = prepareFileForSlack(file);
      const args = {
        channel_id: handle.channel ?? t.channel,
        // Slack wants the thread's parent: a message that is itself a reply gives its thread's ts.
        thread_ts: t.threadTs ?? handle.ts,
        filename: f.filename,
        title: f.title,
        content: f.content,
      };
      try {
        await trying('files.uploadV2', Math.min(retry.forMs, UPLOAD_PATIENCE_MS), async () => {
          try {
            await client.files.uploadV2(args);
          } catch (e) {
            // An upload that may have landed is not sent again: a second copy would show in the thread.
            if (slackFailure(e).maybeDone)
              throw new AppError({ code: 'slack_upload_unsure', userMessage: '', cause: e });
            throw e;
          }
        });
      } catch (e) {
        log.warn({ err: e, channel: args.channel_id }, 'could not upload a file into the thread');
        throw uploadError(e);
      }
    },
    async ephemeral(target, userId, message) {
      const t = slack(target);
      await trying('chat.postEphemeral', retry.forMs, async () => {
        await client.chat.postEphemeral({
          channel: t.channel,
          user: userId,
          thread_ts: t.threadTs,
          ...prepareForSlack(message),
        });
      });
    },
  };
}
