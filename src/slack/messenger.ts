import type { WebClient } from '@slack/web-api';
import type { Message } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';
import type { MessageHandle, Messenger } from '../jobs/messenger.ts';
import type { Logger } from '../log.ts';
import { prepareForSlack } from './prepare.ts';

const NOT_POSTABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

function slackErrorCode(e: unknown): string | undefined {
  return (e as { data?: { error?: string } })?.data?.error;
}

/**
 * Posts and edits messages with the Web API. When the bot cannot post in the channel (not invited,
 * a private channel or a DM with someone else) and the request came from a slash command, it falls
 * back to the command's response_url, which Slack accepts for 30 minutes and a few messages.
 */
export function createSlackMessenger(
  client: WebClient,
  log: Logger,
  fetchImpl: typeof fetch = fetch,
): Messenger {
  const viaResponseUrl = async (url: string, message: Message, replace: boolean) => {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...prepareForSlack(message),
        response_type: 'in_channel',
        replace_original: replace,
      }),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };
  const slack = (t: ReplyTarget) => {
    if (t.kind !== 'slack') throw new Error('Slack messenger given a console target');
    return t;
  };
  return {
    async post(target, message) {
      const t = slack(target);
      try {
        const r = await client.chat.postMessage({
          channel: t.channel,
          thread_ts: t.threadTs,
          ...prepareForSlack(message),
        });
        return { channel: r.channel ?? t.channel, ts: r.ts };
      } catch (e) {
        const code = slackErrorCode(e);
        if (code && NOT_POSTABLE.has(code) && t.responseUrl) {
          log.info({ code }, 'cannot post in channel; answering through response_url');
          await viaResponseUrl(t.responseUrl, message, false);
          return { viaResponseUrl: true };
        }
        throw e;
      }
    },
    async update(target, handle: MessageHandle, message, final) {
      const t = slack(target);
      if (handle.viaResponseUrl) {
        if (final && t.responseUrl) await viaResponseUrl(t.responseUrl, message, true);
        return;
      }
      if (!handle.ts) return;
      await client.chat.update({
        channel: handle.channel ?? t.channel,
        ts: handle.ts,
        ...prepareForSlack(message),
      });
    },
    async postInThread(target, handle, message) {
      const t = slack(target);
      if (handle.viaResponseUrl || !handle.ts) {
        if (t.responseUrl) await viaResponseUrl(t.responseUrl, message, false);
        return;
      }
      await client.chat.postMessage({
        channel: handle.channel ?? t.channel,
        thread_ts: handle.ts,
        ...prepareForSlack(message),
      });
    },
    async ephemeral(target, userId, message) {
      const t = slack(target);
      await client.chat.postEphemeral({
        channel: t.channel,
        user: userId,
        thread_ts: t.threadTs,
        ...prepareForSlack(message),
      });
    },
  };
}
