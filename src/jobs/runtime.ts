import type { Redis } from 'ioredis';
import { workerConnection } from '../clients/redis.ts';
import type { Logger } from '../log.ts';
import { Queue, QueueEvents } from './bullmq.ts';
import { type Cancel, createCancel } from './cancel.ts';
import { createEnqueue, type Enqueue } from './enqueue.ts';
import type { Messenger } from './messenger.ts';
import { OPS_QUEUE } from './queues.ts';
import { createJobSchedules, type JobSchedules } from './schedules.ts';

/** The queue as request handlers see it: enqueue and cancel, no processors. */
export interface JobQueue {
  enqueue: Enqueue;
  cancel: Cancel;
  /** Cron schedules (BullMQ job schedulers) of jobs, reconciled from config by workers. */
  schedules: JobSchedules;
  /**
   * Runs a job that waits in `delayed` (its first delay, or a `retryLater`) now instead of at its
   * time — a webhook said what it waits for has happened. Atomic in Redis (BullMQ's promote):
   * two callers promote it once. Returns `promoted`, or the state that kept it from being
   * (`active`, `waiting`, `completed`, `failed`, …; `missing` when there is no such job).
   */
  promote(jobId: string): Promise<string>;
}

export interface JobRuntime extends JobQueue {
  /** Resolves when each job is completed or failed for good, or the deadline passes (BullMQ's queue events). */
  waitForJobs(jobIds: readonly string[], timeoutMs: number): Promise<void>;
  readonly queue: Queue;
  close(): Promise<void>;
}

export interface JobRuntimeOptions {
  redis: Redis;
  prefix: string;
  messenger: Messenger;
  log: Logger;
  /** How long queueing tries to post a progress message while Slack fails (default 5 s). */
  progressPatienceMs?: number;
}

/**
 * The one queue of user-visible work as producers see it: enqueue (enqueue.ts), cancel (cancel.ts)
 * and waiting for jobs. Workers (worker.ts) are built separately, from the features' handlers.
 */
export function createJobRuntime(o: JobRuntimeOptions): JobRuntime {
  const queue = new Queue(OPS_QUEUE, { connection: o.redis, prefix: o.prefix });
  queue.on('error', (err) => o.log.error({ err }, 'queue error'));
  let events: QueueEvents | undefined;
  let eventsConnection: Redis | undefined;
  return {
    queue,
    enqueue: createEnqueue({
      queue,
      redis: o.redis,
      prefix: o.prefix,
      messenger: o.messenger,
      log: o.log,
      progressPatienceMs: o.progressPatienceMs,
    }),
    schedules: createJobSchedules(queue, o.log),
    async promote(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return 'missing';
      try {
        await job.promote();
        return 'promoted';
      } catch {
        // Not delayed (any more): running, queued or done — nothing to hurry.
        return (await job.getState()) ?? 'unknown';
      }
    },
    cancel: createCancel({
      queue,
      redis: o.redis,
      prefix: o.prefix,
      messenger: o.messenger,
      log: o.log,
    }),

    async waitForJobs(jobIds, timeoutMs) {
      if (!jobIds.length) return;
      if (!events) {
        eventsConnection = workerConnection(o.redis);
        events = new QueueEvents(OPS_QUEUE, { connection: eventsConnection, prefix: o.prefix });
        events.on('error', (err) => o.log.warn({ err }, 'queue events error'));
        await events.waitUntilReady();
      }
      const ev = events;
      const deadline = Date.now() + timeoutMs;
      await Promise.all(
        jobIds.map(async (id) => {
          const job = await queue.getJob(id);
          if (!job) return;
          // Rejects when the job fails for good (BullMQ's 'failed' is final; a retry waits in 'delayed').
          await job.waitUntilFinished(ev, Math.max(1, deadline - Date.now())).catch(() => undefined);
        }),
      );
    },

    async close() {
      await events?.close().catch(() => undefined);
      await eventsConnection?.quit().catch(() => undefined);
      await queue.close();
    },
  };
}
