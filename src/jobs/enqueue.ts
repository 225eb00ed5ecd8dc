import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Messenger } from './messenger.ts';
import { running } from './progress.ts';
import type { JobEnvelope } from './queues.ts';
import type { JobSpec } from './spec.ts';

export interface EnqueueRequest<P> {
  spec: JobSpec<P>;
  payload: P;
  /** Deterministic: the same request (a Slack retry, a double click) must produce the same id. */
  jobId: string;
  requestedBy: string;
  target: JobEnvelope['target'];
  traceId: string;
  title: string;
  /** Run no earlier than this many ms from now (expiries, reminders). */
  delayMs?: number;
}

export interface EnqueueResult {
  jobId: string;
  /** False when a job with this id already existed (the request was a repeat and nothing new was queued). */
  created: boolean;
}

export type Enqueue = <P>(req: EnqueueRequest<P>) => Promise<EnqueueResult>;

/** Job ids must not contain ':' and must not be integers (BullMQ rules); this keeps ids safe. */
export function safeJobId(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 200);
}

/** How long queueing may take before the person is told Redis is not answering. */
const ENQUEUE_DEADLINE_MS = 1500;

/**
 * How long queueing keeps trying to post the progress message while Slack fails (a command's falls
 * back to its response_url after the second try); then the worker tries, with more patience.
 */
export const ENQUEUE_POST_PATIENCE_MS = 5000;

/**
 * How long an id stays claimed while its progress message is posted and the job added. Longer than
 * any enqueue can take (ENQUEUE_DEADLINE_MS per Redis step, plus one Slack post); after it the job
 * itself (kept a day) is what makes a repeat a no-op.
 */
const CLAIM_MS = 60_000;

/** Resolves like `p`, or rejects with `onTimeout()` after `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The producer side of the queue. Enqueueing is one atomic step per job id: the id is claimed with
 * `SET NX` before anything is posted, so ten identical clicks (any replica) post one progress message
 * and add one job; the other nine answer `created: false`.
 */
export function createEnqueue(o: {
  queue: Queue;
  redis: Redis;
  prefix: string;
  messenger: Messenger;
  log: Logger;
  /** How long the progress message's post may keep trying (default {@link ENQUEUE_POST_PATIENCE_MS}). */
  progressPatienceMs?: number;
}): Enqueue {
  const claimKey = (id: string) => `${o.prefix}:enqueue-claim:${id}`;
  // Redis commands wait for a reconnect rather than fail (BullMQ needs that for workers); a person
  // waiting on Slack's 3 s should hear that Shipmate cannot take the request instead.
  const redisStep = <T>(p: Promise<T>) =>
    withDeadline(
      p,
      ENQUEUE_DEADLINE_MS,
      () =>
        new AppError({
          code: 'queue_unavailable',
          userMessage:
            'Shipmate cannot queue work right now: its Redis is not answering. Nothing was started; try again in a minute.',
          retryable: true,
        }),
    );

  return async function enqueue<P>(req: EnqueueRequest<P>): Promise<EnqueueResult> {
    const parsed = req.spec.payload.safeParse(req.payload);
    if (!parsed.success) throw new Error(`bad payload for ${req.spec.name}: ${parsed.error.message}`);
    const claimed = await redisStep(o.redis.set(claimKey(req.jobId), '1', 'PX', CLAIM_MS, 'NX'));
    if (claimed !== 'OK') return { jobId: req.jobId, created: false };
    try {
      if (await redisStep(o.queue.getJob(req.jobId))) return { jobId: req.jobId, created: false };
      const env: JobEnvelope = {
        kind: req.spec.name,
        payload: parsed.data,
        requestedBy: req.requestedBy,
        target: req.target,
        traceId: req.traceId,
        title: req.title,
        ...(req.spec.cancellable === false ? { cancellable: false as const } : {}),
      };
      // The person sees the progress message at once, even while every worker is busy or down; the
      // worker that runs the job edits this same message (its handle travels in the job's data).
      if (req.spec.progressMessage !== false && !req.delayMs) {
        const first = running(
          {
            title: req.title,
            jobId: req.jobId,
            requestedBy: req.requestedBy,
            cancellable: req.spec.cancellable !== false,
          },
          'queued',
        );
        // Named like the worker's own post of it: if this one got no answer but landed, the worker
        // finds it instead of posting a second copy.
        env.progress = await o.messenger
          .post(req.target, first, {
            key: `${req.jobId}:progress`,
            patienceMs: o.progressPatienceMs ?? ENQUEUE_POST_PATIENCE_MS,
          })
          .catch((err: unknown) => {
            o.log.warn({ err, jobId: req.jobId }, 'could not post the progress message; the worker will try');
            env.progressTried = true;
            return undefined;
          });
      }
      await redisStep(
        o.queue.add(req.spec.name, env, {
          jobId: req.jobId,
          delay: req.delayMs,
          attempts: req.spec.attempts ?? 3,
          backoff: { type: 'exponential', delay: 1000 },
          // Kept a day so a repeated request within a day is recognised and `/ops cancel` can say "finished".
          removeOnComplete: { age: 86_400, count: 5000 },
          removeOnFail: { age: 7 * 86_400, count: 5000 },
        }),
      );
      return { jobId: req.jobId, created: true };
    } catch (e) {
      // Nothing was queued: free the id so the person's next try is not taken for a repeat.
      await o.redis.del(claimKey(req.jobId)).catch(() => undefined);
      throw e;
    }
  };
}
