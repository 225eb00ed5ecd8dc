import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Messenger } from './messenger.ts';
import { createProgressReporter } from './progress.ts';
import type { JobEnvelope } from './queues.ts';

export type CancelResult =
  | { status: 'not_found' }
  | { status: 'forbidden'; requestedBy: string }
  | { status: 'finished'; state: string }
  | { status: 'not_cancellable'; kind: string }
  | { status: 'removed' }
  | { status: 'signalled' };

/** Cancels a queued job (removed) or a running one (its AbortSignal fires, on whichever worker runs it). */
export type Cancel = (jobId: string, by: string, isAdmin: boolean) => Promise<CancelResult>;

/** The AbortSignal reason of a cancelled job: `cancelled-by:<user id>`. */
export const CANCEL_REASON = 'cancelled-by:';
/** Pub/sub channel on which a cancel reaches the worker running the job. */
export const cancelChannel = (prefix: string) => `${prefix}:cancel`;
/** Set when a job is cancelled, so a worker that picks it up a moment later stops at once. */
export const cancelKey = (prefix: string, jobId: string) => `${prefix}:cancelled:${jobId}`;

export function createCancel(o: {
  queue: Queue;
  redis: Redis;
  prefix: string;
  messenger: Messenger;
  log: Logger;
}): Cancel {
  const signal = (jobId: string, by: string) =>
    o.redis.publish(cancelChannel(o.prefix), JSON.stringify({ jobId, by }));
  return async (jobId, by, isAdmin) => {
    const job = await o.queue.getJob(jobId);
    if (!job) return { status: 'not_found' };
    const env = job.data as JobEnvelope;
    if (env.requestedBy !== by && !isAdmin) return { status: 'forbidden', requestedBy: env.requestedBy };
    if (env.cancellable === false) return { status: 'not_cancellable', kind: job.name };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return { status: 'finished', state };
    await o.redis.set(cancelKey(o.prefix, jobId), by, 'EX', 86_400);
    if (state === 'active') {
      await signal(jobId, by);
      return { status: 'signalled' };
    }
    try {
      await job.remove();
    } catch {
      // It became active between getState and remove (locked): signal it instead.
      await signal(jobId, by);
      return { status: 'signalled' };
    }
    // Its progress message (posted when it was queued, or by an attempt that will not be retried
    // now) must not keep saying "queued" with a live Cancel button.
    if (env.progress) {
      await createProgressReporter({
        jobId,
        title: env.title,
        requestedBy: env.requestedBy,
        target: env.target,
        messenger: o.messenger,
        log: o.log,
        handle: env.progress,
        saveHandle: async () => undefined,
      })
        .cancelled(`cancelled by <@${by}> before it ran.`)
        .catch((err: unknown) => o.log.warn({ err, jobId }, 'could not update the cancelled job message'));
    }
    return { status: 'removed' };
  };
}
