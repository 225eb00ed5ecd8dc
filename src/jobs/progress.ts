import {
  actions,
  button,
  context,
  escapeMrkdwn,
  escapeText,
  section,
  truncate,
} from '../../tools/shared/block-kit.ts';
import { isAppError } from '../../tools/shared/errors.ts';
import type { Attachments, Message } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';
import type { Logger } from '../log.ts';
import type { MessageHandle, Messenger } from './messenger.ts';

/** Slack allows about one chat.update a second per message; edits are coalesced to that rate. */
export const PROGRESS_INTERVAL_MS = 1000;

/** A job waits at most this long for its progress message while Slack fails; then it runs without. */
export const START_PATIENCE_MS = 10_000;

export interface ProgressReporter {
  /**
   * Posts the progress message unless the job already has one (a retry or a resumed job). Never
   * throws for Slack: while Slack fails the job runs without it.
   */
  start(): Promise<void>;
  /** Records the latest step; the message is edited at most once per interval with the newest. */
  step(text: string): void;
  /** Ends the message with the job's result. */
  finish(message: Message, thread?: Message[]): Promise<void>;
  /** Ends the message with a failure the user can act on. */
  fail(userMessage: string, refId: string): Promise<void>;
  /** Ends the message saying who cancelled it. */
  cancelled(text: string): Promise<void>;
  /** The message, once posted. */
  handle(): MessageHandle | undefined;
}

export interface ProgressOptions {
  jobId: string;
  title: string;
  requestedBy: string;
  target: ReplyTarget;
  messenger: Messenger;
  log: Logger;
  /** The handle saved on an earlier attempt, if any. */
  handle?: MessageHandle;
  /** Persists the handle (into the job's data) so retries and other workers edit the same message. */
  saveHandle: (h: MessageHandle) => Promise<void>;
  intervalMs?: number;
  /** Whether the message offers a Cancel button while running. */
  cancellable?: boolean;
  /**
   * How long `start` keeps trying to post the progress message, in ms (default
   * {@link START_PATIENCE_MS}). Without it the job runs anyway; its result is posted at the end.
   */
  startPatienceMs?: number;
  /** The progress message may exist already (queueing's post got no answer): look it up first. */
  lookFirst?: boolean;
  /** The outcome is being delivered again: thread posts look for their first copy before posting. */
  redelivery?: boolean;
  /** The clock, in ms. Default `Date.now`; tests pass a fake one with `setTimer`. */
  now?: () => number;
  /**
   * Runs `fn` after `ms` and returns a function that cancels it. Default `setTimeout`, unref'd so a
   * pending edit never keeps the process alive.
   */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

const realSetTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/** `m` with a context line added before its buttons (they stay last, where people look for them). */
export function withNote(m: Message, note: string): Message {
  const blocks = m.blocks ?? [section(m.text)];
  const at = blocks.at(-1)?.type === 'actions' ? blocks.length - 1 : blocks.length;
  return { ...m, blocks: [...blocks.slice(0, at), context(note), ...blocks.slice(at)] };
}

/** The progress message while a job runs (or waits in the queue: `step` "queued"). */
export function running(
  o: Pick<ProgressOptions, 'title' | 'jobId' | 'requestedBy' | 'cancellable'>,
  step: string | undefined,
): Message {
  const line = `⏳ *${escapeMrkdwn(o.title)}*${step ? ` — ${escapeMrkdwn(step)}` : '…'}`;
  const blocks = [section(line), context(`job \`${o.jobId}\` · asked by <@${o.requestedBy}>`)];
  if (o.cancellable !== false) {
    blocks.push(actions([button('job_cancel', 'Cancel', `/ops cancel ${o.jobId}`, 'danger')]));
  }
  return { text: truncate(`${o.title}: ${step ?? 'working…'}`, 300), blocks };
}

/**
 * Creates the reporter for one job attempt. Edits are serialized (never two in flight for one
 * message) and throttled; a failed edit is logged, not thrown — progress is best-effort, the final
 * message is not (its failure fails the job so it is retried).
 */
export function createProgressReporter(o: ProgressOptions): ProgressReporter {
  const interval = o.intervalMs ?? PROGRESS_INTERVAL_MS;
  const now = o.now ?? Date.now;
  const setTimer = o.setTimer ?? realSetTimer;
  let handle: MessageHandle | undefined = o.handle;
  let latest: string | undefined;
  let lastEdit = 0;
  /** Cancels the pending edit, while one is scheduled. */
  let timer: (() => void) | undefined;
  let chain: Promise<void> = Promise.resolve();
  let ended = false;

  const enqueueEdit = () => {
    timer = undefined;
    if (ended || !handle) return;
    const step = latest;
    lastEdit = now();
    chain = chain
      .then(() =>
        handle && !ended ? o.messenger.update(o.target, handle, running(o, step), false) : undefined,
      )
      .catch((err) => o.log.warn({ err }, 'progress edit failed'));
  };

  /**
   * Uploads the message's attachments into the thread of `h` — once: the handle records it, so a
   * redelivery skips them. Returns undefined when they went up, else their stand-in saying why (the
   * message and its buttons are never lost to a failed upload).
   */
  const attachOrWhy = async (h: MessageHandle, attach: Attachments): Promise<Message | undefined> => {
    const key = `${o.jobId}:final`;
    if (h.attached?.includes(key)) return undefined;
    let why: string | undefined;
    if (h.viaResponseUrl || !h.ts)
      why = "the answer went through the command's response_url, which has no thread for it";
    else if (!o.messenger.attach) why = 'this adapter cannot attach files';
    else
      try {
        for (const f of attach.files) await o.messenger.attach(o.target, h, f);
      } catch (e) {
        why = isAppError(e) && e.userMessage ? e.userMessage : 'the upload failed';
        o.log.warn({ err: e }, 'could not attach files; showing them cut instead');
      }
    if (why) return withNote(attach.otherwise, `:warning: The full file could not be attached: ${why}.`);
    handle = { ...h, attached: [...(h.attached ?? []), key] };
    await o.saveHandle(handle);
    return undefined;
  };

  // Every post is named, so a retry (or a redelivery by another worker) never makes a second copy.
  const end = async (message: Message, thread?: Message[]) => {
    ended = true;
    timer?.();
    timer = undefined;
    await chain;
    // The result is shown, then its files go into its thread; if they cannot, it is edited to their
    // stand-in saying why — the result and its buttons are never lost to a failed upload.
    const { attach, ...plain } = message;
    if (handle) await o.messenger.update(o.target, handle, plain, true);
    else {
      handle = await o.messenger.post(o.target, plain, {
        key: `${o.jobId}:final`,
        lookFirst: o.redelivery === true,
      });
      await o.saveHandle(handle);
    }
    const instead = attach ? await attachOrWhy(handle, attach) : undefined;
    if (instead) await o.messenger.update(o.target, handle, instead, true);
    for (const [i, m] of (thread ?? []).entries()) {
      await o.messenger.postInThread(o.target, handle, m, {
        key: `${o.jobId}:thread:${i}`,
        lookFirst: o.redelivery === true,
      });
    }
  };

  return {
    handle: () => handle,
    async start() {
      if (handle) return;
      try {
        handle = await o.messenger.post(o.target, running(o, undefined), {
          key: `${o.jobId}:progress`,
          lookFirst: o.lookFirst === true,
          patienceMs: o.startPatienceMs ?? START_PATIENCE_MS,
        });
      } catch (err) {
        o.log.warn(
          { err },
          'could not post the progress message; the job runs and posts its result at the end',
        );
        return;
      }
      lastEdit = now();
      await o.saveHandle(handle);
    },
    step(text: string) {
      latest = text;
      if (ended || timer) return;
      // Over response_url a message can be replaced only a few times: skip intermediate steps.
      if (handle?.viaResponseUrl) return;
      const wait = Math.max(0, lastEdit + interval - now());
      timer = setTimer(enqueueEdit, wait);
    },
    finish: (message, thread) => end(message, thread),
    fail: (userMessage, refId) =>
      end({
        text: `${escapeMrkdwn(o.title)} failed: ${escapeText(userMessage)} (ref ${refId})`,
        blocks: [
          section(`❌ *${escapeMrkdwn(o.title)}* failed: ${escapeText(userMessage)}`),
          context(`ref \`${refId}\` · job \`${o.jobId}\``),
        ],
      }),
    cancelled: (text) =>
      end({
        text: `${escapeMrkdwn(o.title)}: ${text}`,
        blocks: [section(`🛑 *${escapeMrkdwn(o.title)}* — ${text}`), context(`job \`${o.jobId}\``)],
      }),
  };
}
