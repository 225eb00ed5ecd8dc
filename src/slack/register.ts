import { createHash } from 'node:crypto';
import type { App, BlockAction, ButtonAction, MessageShortcut } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { escapeText } from '../../tools/shared/block-kit.ts';
import { requestContext } from '../context.ts';
import { newRefId, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CommandReply } from '../ops/command.ts';
import type { MentionHandler } from '../ops/mention.ts';
import type { OpsRouter } from '../ops/router.ts';
import type { MessageShortcutHandler } from '../ops/shortcut.ts';
import { prepareForSlack } from './prepare.ts';

/**
 * What Shipmate registers with Slack. manifest.yml must declare the same commands and events (a unit
 * test checks both ways). Button action ids come from the features (Feature.actions).
 */
export const SLACK_COMMANDS = ['/ops'] as const;
export const SLACK_EVENTS = ['app_mention', 'message.im', 'app_home_opened'] as const;

/** How long a command may take before we ack empty and answer through response_url instead. */
const ACK_BUDGET_MS = 2000;

export interface SlackDeps {
  router: OpsRouter;
  /** Absent: no feature answers mentions (they are ignored). */
  onMention?: MentionHandler;
  /** After a button clicked in the App Home ran: republish that person's Home. */
  onHomeAction?: (userId: string) => Promise<void>;
  /** Every button action id the features render; each button's value is the `/ops` command it runs. */
  actions: readonly string[];
  /** The features' message shortcuts (manifest.yml declares their callback ids). */
  shortcuts?: readonly MessageShortcutHandler[];
  redis: Redis;
  prefix: string;
  log: Logger;
}

function toResponse(r: CommandReply) {
  return { response_type: r.visibility, ...prepareForSlack(r.message) };
}

/**
 * A message's text as a shortcut reads it: its own, then its attachments' (CI bots post logs as
 * attachment text).
 */
function messageText(m: { text?: string; attachments?: unknown }): string {
  const extra = Array.isArray(m.attachments)
    ? (m.attachments as Array<{ text?: unknown; fallback?: unknown }>).map((a) =>
        typeof a.text === 'string' ? a.text : typeof a.fallback === 'string' ? a.fallback : '',
      )
    : [];
  return [typeof m.text === 'string' ? m.text : '', ...extra].filter(Boolean).join('\n');
}

/** Registers every command, event and action handler on the Bolt app. */
export function registerSlack(app: App, deps: SlackDeps): void {
  const { router, log } = deps;
  const eventKey = (id: string) => `${deps.prefix}:slack-event:${id}`;

  app.command('/ops', async ({ command, ack, respond }) => {
    const ctx = requestContext(log, {
      requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
      target: { kind: 'slack', channel: command.channel_id, responseUrl: command.response_url },
      invocationId: command.trigger_id,
      surface: 'slack',
    });
    const clog = ctx.log;
    const work = router.handle(command.text ?? '', ctx);
    let timer: NodeJS.Timeout | undefined;
    const quick = await Promise.race([
      work,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ACK_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);
    if (quick) {
      // A command that queued a job has nothing to say yet: an empty ack shows nothing, and the
      // progress message appears in the channel.
      await (quick.message.text || quick.message.blocks ? ack(toResponse(quick)) : ack());
      return;
    }
    await ack();
    clog.warn('command slower than the ack budget; answering through response_url');
    const late = await work;
    if (late.message.text || late.message.blocks) await respond(toResponse(late));
  });

  const onMessage = async (
    ev: {
      user?: string;
      text?: string;
      channel: string;
      ts: string;
      thread_ts?: string;
      bot_id?: string;
      subtype?: string;
    },
    eventId: string | undefined,
    botUserId: string | undefined,
    retryNum: number | undefined,
  ) => {
    if (ev.bot_id || ev.subtype || !ev.user || ev.user === botUserId) return;
    const id = eventId ?? `${ev.channel}-${ev.ts}`;
    const ctx = requestContext(log, {
      requester: { userId: ev.user, channelId: ev.channel },
      target: { kind: 'slack', channel: ev.channel, threadTs: ev.thread_ts ?? ev.ts },
      invocationId: id,
      surface: 'slack',
      logFields: { eventId, retryNum },
    });
    const elog = ctx.log;
    if (!deps.onMention) {
      elog.info('no feature answers mentions; ignored');
      return;
    }
    // Slack redelivers an event it thinks we missed (x-slack-retry-num); any replica may get it.
    const first = await deps.redis.set(eventKey(id), '1', 'EX', 86_400, 'NX');
    if (first !== 'OK') {
      elog.info('duplicate event ignored');
      return;
    }
    const text = (ev.text ?? '').replace(/<@[A-Z0-9]+>/g, ' ').trim();
    const r = await deps.onMention({
      text,
      requester: ctx.requester,
      target: ctx.target,
      eventId: id,
      messageTs: ev.ts,
      traceId: ctx.traceId,
    });
    elog.info({ jobId: r.jobId, created: r.created }, 'mention queued');
  };

  // Events are acked before they are handled, so Slack will not redeliver one we fail to queue: say
  // so in the thread rather than drop the question silently.
  const safely = async (
    ev: { channel: string; ts: string; thread_ts?: string },
    client: App['client'],
    work: () => Promise<void>,
  ) => {
    try {
      await work();
    } catch (e) {
      const err = toAppError(e);
      const ref = newRefId();
      if (err.code === 'usage') log.info({ ref, code: err.code, channel: ev.channel }, 'event refused');
      else
        log.error({ ref, code: err.code, err: err.cause ?? err, channel: ev.channel }, 'event not handled');
      await client.chat
        .postMessage({
          channel: ev.channel,
          thread_ts: ev.thread_ts ?? ev.ts,
          ...prepareForSlack({ text: `${escapeText(err.userMessage)} (ref ${ref})` }),
        })
        .catch((postErr: unknown) => log.error({ ref, err: postErr }, 'could not tell the user either'));
    }
  };

  app.event('app_mention', async ({ event, body, context, client }) => {
    await safely(event, client, () => onMessage(event, body.event_id, context.botUserId, context.retryNum));
  });

  app.message(async ({ message, body, context, client }) => {
    if (message.channel_type !== 'im') return;
    const ev = message as Parameters<typeof onMessage>[0];
    await safely(ev, client, () => onMessage(ev, body.event_id, context.botUserId, context.retryNum));
  });

  for (const sh of deps.shortcuts ?? []) {
    app.shortcut<MessageShortcut>(
      { type: 'message_action', callback_id: sh.callbackId },
      async ({ shortcut, ack, respond }) => {
        await ack();
        const m = shortcut.message;
        const channel = shortcut.channel.id;
        const threadTs: string = (m.thread_ts as string | undefined) ?? m.ts;
        const ctx = requestContext(log, {
          requester: { userId: shortcut.user.id, channelId: channel, teamId: shortcut.team?.id },
          // In the message's thread; where the bot cannot post, through the shortcut's response_url.
          target: {
            kind: 'slack',
            channel,
            threadTs,
            responseUrl: shortcut.response_url,
            responseEphemeral: true,
          },
          invocationId: shortcut.trigger_id,
          surface: 'slack',
          logFields: { shortcut: sh.callbackId },
        });
        const files = Array.isArray(m.files)
          ? (m.files as Array<{ id?: unknown; name?: unknown }>).flatMap((f) =>
              typeof f.id === 'string'
                ? [{ id: f.id, ...(typeof f.name === 'string' ? { name: f.name } : {}) }]
                : [],
            )
          : [];
        try {
          const r = await sh.run({
            requester: ctx.requester,
            target: ctx.target,
            channel,
            message: {
              ts: m.ts,
              ...(m.thread_ts ? { threadTs: m.thread_ts as string } : {}),
              text: messageText(m),
              ...(m.user ? { user: m.user } : {}),
              files,
            },
            invocationId: shortcut.trigger_id,
            traceId: ctx.traceId,
          });
          ctx.log.info({ jobId: r.jobId, created: r.created }, 'shortcut queued');
        } catch (e) {
          const err = toAppError(e);
          const ref = newRefId();
          ctx.log.error({ ref, code: err.code, err: err.cause ?? err }, 'shortcut not handled');
          await respond({
            response_type: 'ephemeral',
            ...prepareForSlack({ text: `${escapeText(err.userMessage)} (ref ${ref})` }),
          }).catch((postErr: unknown) => log.error({ ref, err: postErr }, 'could not tell the user either'));
        }
      },
    );
  }

  const actionIds = deps.actions.map((a) => a.replace(/[^A-Za-z0-9_]/g, ''));
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^(${actionIds.join('|')})(:\\d+)?$`),
    async ({ ack, body, action, respond, client }) => {
      await ack();
      if (action.type !== 'button') return;
      const value = action.value ?? '';
      if (!value.startsWith('/ops ')) {
        log.warn({ value, action: action.action_id }, 'button without an /ops command');
        return;
      }
      // A click in the App Home has no channel: the answer goes to the clicker's DM with the app.
      const fromHome = body.view?.type === 'home';
      const channel = body.channel?.id ?? body.container?.channel_id ?? (fromHome ? body.user.id : undefined);
      const messageTs: string | undefined = body.container?.message_ts ?? body.message?.ts;
      const threadTs: string | undefined = body.message?.thread_ts ?? messageTs;
      if (!channel) return;
      // The clicker is the requester: the command re-checks their permission like a typed one.
      const ctx = requestContext(log, {
        requester: { userId: body.user.id, channelId: channel, teamId: body.team?.id },
        target: { kind: 'slack', channel, threadTs, responseUrl: body.response_url },
        // The same button clicked twice is one invocation (a no-op the second time); another button
        // on the same message ("Logs: b" after "Logs: a") is another.
        invocationId: `${action.action_id}-${messageTs ?? action.action_ts}-${createHash('sha256').update(value).digest('hex').slice(0, 10)}`,
        surface: 'slack',
        logFields: { action: action.action_id },
      });
      const reply = await router.handle(value.slice('/ops '.length), ctx);
      if (fromHome) {
        if (reply.message.text || reply.message.blocks)
          await client.chat.postMessage({ channel, ...prepareForSlack(reply.message) });
        await deps.onHomeAction?.(body.user.id);
        return;
      }
      await respond({ ...toResponse(reply), response_type: 'ephemeral', replace_original: false });
    },
  );
}
