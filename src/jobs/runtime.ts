import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { workerConnection as blockingConnection } from '../clients/redis.ts';
import { AppError, newRefId, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { MessageHandle, Messenger } from './messenger.ts';
import { createProgressReporter, running } from './progress.ts';
import { type JobEnvelope, type JobKind, OPS_QUEUE } from './queues.ts';

export interface EnqueueRequest<P> {
  kind: JobKind<P>;
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

export type CancelResult =
  | { status: 'not_found' }
  | { status: 'forbidden'; requestedBy: string }
  | { status: 'finished'; state: string }
  | { status: 'not_cancellable'; kind: string }
  | { status: 'removed' }
  | { status: 'signalled' };

export interface JobRuntime {
  enqueue<P>(req: EnqueueRequest<P>): Promise<EnqueueResult>;
  /** Cancels a queued job (removed) or a running one (its AbortSignal fires, on whichever worker runs it). */
  cancel(jobId: string, by: string, isAdmin: boolean): Promise<CancelResult>;
  /** Starts this process's workers (role worker/all). */
  startWorkers(): Promise<void>;
  /** Resolves when each job is completed or failed for good, or the deadline passes. */
  waitForJobs(jobIds: readonly string[], timeoutMs: number): Promise<void>;
  readonly queue: Queue;
  close(): Promise<void>;
}

export interface JobRuntimeOptions {
  redis: Redis;
  prefix: string;
  kinds: readonly JobKind<never>[];
  messenger: Messenger;
  log: Logger;
  concurrency: number;
  jobTimeoutMs: number;
  /** Throttle of progress edits (tests shorten it). */
  progressIntervalMs?: number;
  /**
   * How long a worker's hold on a job lasts without renewal; a worker that dies loses its jobs to
   * another after about this long (BullMQ's stalled-job check). Default 30 s.
   */
  lockDurationMs?: number;
}

/** Job ids must not contain ':' and must not be integers (BullMQ rules); this keeps ids safe. */
export function safeJobId(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 200);
}

const CANCEL_REASON = 'cancelled-by:';

/** How long queueing may take before the person is told Redis is not answering. */
const ENQUEUE_DEADLINE_MS = 1500;

/** Resolves like `p`, or rejects with `onTimeout()` after `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The BullMQ runtime: one queue of user-visible work, workers that run job kinds with progress
 * messages, retries for transient failures and an AbortSignal for cancellation and time limits.
 */
export function createJobRuntime(o: JobRuntimeOptions): JobRuntime {
  const kinds = new Map(o.kinds.map((k) => [k.name, k as JobKind<unknown>]));
  const queue = new Queue(OPS_QUEUE, { connection: o.redis, prefix: o.prefix });
  queue.on('error', (err) => o.log.error({ err }, 'queue error'));
  const cancelChannel = `${o.prefix}:cancel`;
  const cancelKey = (id: string) => `${o.prefix}:cancelled:${id}`;
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  let subscriber: Redis | undefined;

  async function process(job: Job, token: string | undefined, signal?: AbortSignal) {
    const env = job.data as JobEnvelope;
    const log = o.log.child({ traceId: env.traceId, queue: OPS_QUEUE, jobId: job.id, kind: job.name });
    const kind = kinds.get(job.name);
    if (!kind)
      throw new UnrecoverableError(
        `unknown job kind "${job.name}" (a job from another version of Shipmate?)`,
      );
    const jobId = job.id ?? '';
    const attempt = job.attemptsMade + 1;
    const reporter = createProgressReporter({
      jobId,
      title: env.title,
      requestedBy: env.requestedBy,
      target: env.target,
      messenger: o.messenger,
      log,
      handle: env.progress,
      intervalMs: o.progressIntervalMs,
      cancellable: kind.progressMessage !== false && kind.cancellable !== false,
      saveHandle: async (h: MessageHandle) => {
        env.progress = h;
        await job.updateData(env);
      },
    });
    const timeoutMs = kind.timeoutMs ?? o.jobTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any(signal ? [signal, timeout] : [timeout]);
    const started = Date.now();
    log.info({ attempt }, 'job started');
    try {
      if (kind.progressMessage !== false) await reporter.start();
      const early = await o.redis.get(cancelKey(jobId));
      if (early) throw new DOMException(`${CANCEL_REASON}${early}`, 'AbortError');
      const parsed = kind.payload.safeParse(env.payload);
      if (!parsed.success) {
        throw new AppError({
          code: 'bad_payload',
          userMessage: 'This job was queued by an incompatible version of Shipmate; please ask again.',
        });
      }
      const outcome = await kind.process({
        id: jobId,
        payload: parsed.data,
        requestedBy: env.requestedBy,
        target: env.target,
        traceId: env.traceId,
        attempt,
        signal: combined,
        log,
        progress: (s) => reporter.step(s),
        message: () => reporter.handle(),
        stopReason: () => {
          if (timeout.aborted) return 'timeout';
          if (!signal?.aborted) return undefined;
          return String(signal.reason ?? '').startsWith(CANCEL_REASON) ? 'cancelled' : 'shutdown';
        },
        async retryLater(ms, why) {
          reporter.step(why);
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError(why);
        },
        checkpoint: {
          data: env.checkpoint ?? {},
          save: async (patch) => {
            env.checkpoint = { ...env.checkpoint, ...patch };
            await job.updateData(env);
          },
        },
      });
      combined.throwIfAborted();
      if (!outcome.silent) await reporter.finish(outcome.message, outcome.thread);
      log.info({ ms: Date.now() - started }, 'job completed');
      return { ok: true };
    } catch (e) {
      if (e instanceof DelayedError) {
        log.info({ reason: e.message }, 'job waits');
        throw e;
      }
      if (combined.aborted) {
        const reason = String((signal?.aborted ? signal.reason : undefined) ?? (e as Error)?.message ?? '');
        const by = reason.startsWith(CANCEL_REASON) ? reason.slice(CANCEL_REASON.length) : undefined;
        const text = by
          ? `cancelled by <@${by}>.`
          : timeout.aborted
            ? `stopped: it ran longer than ${Math.round(timeoutMs / 1000)} s${kind.timeoutMs ? '' : ' (JOB_TIMEOUT_SECONDS)'}.`
            : 'stopped because the worker is shutting down; it will resume.';
        if (!by && !timeout.aborted) throw e; // shutdown: let BullMQ return it to the queue
        log.info({ by, timeout: timeout.aborted }, 'job cancelled');
        await reporter.cancelled(text).catch((err) => log.warn({ err }, 'could not post cancellation'));
        throw new UnrecoverableError(text);
      }
      const err = toAppError(e);
      const maxAttempts = job.opts.attempts ?? 1;
      if (err.retryable && attempt < maxAttempts) {
        log.warn({ err: err.cause ?? err, code: err.code, attempt }, 'job attempt failed; will retry');
        reporter.step(`attempt ${attempt} failed (${err.userMessage}) — retrying`);
        throw err;
      }
      const ref = newRefId();
      // A bug or an outage is an error for operators; a refusal the user can act on (not configured,
      // forbidden, not found) is a warning.
      log[err.code === 'internal' || err.retryable ? 'error' : 'warn'](
        { ref, code: err.code, err: err.cause ?? err },
        'job failed',
      );
      await reporter
        .fail(err.userMessage, ref)
        .catch((postErr) => log.error({ ref, err: postErr }, 'could not post failure'));
      throw new UnrecoverableError(`${err.code} (ref ${ref})`);
    }
  }

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

  async function enqueue<P>(req: EnqueueRequest<P>): Promise<EnqueueResult> {
    const parsed = req.kind.payload.safeParse(req.payload);

    if (!parsed.success) throw new Error(`bad payload for ${req.kind.name}: ${parsed.error.message}`);
    const existing = await redisStep(queue.getJob(req.jobId));
    if (existing) return { jobId: req.jobId, created: false };
    const env: JobEnvelope = {
      kind: req.kind.name,
      payload: parsed.data,
      requestedBy: req.requestedBy,
      target: req.target,
      traceId: req.traceId,
      title: req.title,
    };
    // The person sees the progress message at once, even while every worker is busy or down; the
    // worker that runs the job edits this same message (its handle travels in the job's data).
    if (req.kind.progressMessage !== false && !req.delayMs) {
      const first = running(
        {
          title: req.title,
          jobId: req.jobId,
          requestedBy: req.requestedBy,
          cancellable: req.kind.cancellable !== false,
        },
        'queued',
      );
      env.progress = await o.messenger.post(req.target, first).catch((err: unknown) => {
        o.log.warn({ err, jobId: req.jobId }, 'could not post the progress message; the worker will try');
        return undefined;
      });
    }
    await redisStep(
      queue.add(req.kind.name, env, {
        jobId: req.jobId,
        delay: req.delayMs,
        attempts: req.kind.attempts ?? 3,
        backoff: { type: 'exponential', delay: 1000 },
        // Kept a day so a repeated request within a day is recognised and `/ops cancel` can say "finished".
        removeOnComplete: { age: 86_400, count: 5000 },
        removeOnFail: { age: 7 * 86_400, count: 5000 },
      }),
    );
    return { jobId: req.jobId, created: true };
  }

  return {
    queue,
    enqueue,

    async cancel(jobId, by, isAdmin) {
      const job = await queue.getJob(jobId);
      if (!job) return { status: 'not_found' };
      const env = job.data as JobEnvelope;
      if (env.requestedBy !== by && !isAdmin) return { status: 'forbidden', requestedBy: env.requestedBy };
      if (kinds.get(job.name)?.cancellable === false) return { status: 'not_cancellable', kind: job.name };
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return { status: 'finished', state };
      await o.redis.set(cancelKey(jobId), by, 'EX', 86_400);
      if (state === 'active') {
        await o.redis.publish(cancelChannel, JSON.stringify({ jobId, by }));
        return { status: 'signalled' };
      }
      try {
        await job.remove();
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
            .catch((err: unknown) =>
              o.log.warn({ err, jobId }, 'could not update the cancelled job message'),
            );
        }
        return { status: 'removed' };
      } catch {
        // It became active between getState and remove (locked): signal it instead.
        await o.redis.publish(cancelChannel, JSON.stringify({ jobId, by }));
        return { status: 'signalled' };
      }
    },

    async startWorkers() {
      subscriber = blockingConnection(o.redis);
      subscriber.on('error', (err) => o.log.warn({ err }, 'cancel subscriber error'));
      await subscriber.subscribe(cancelChannel);
      subscriber.on('message', (_channel, raw) => {
        try {
          const { jobId, by } = JSON.parse(raw) as { jobId: string; by: string };
          if (worker?.cancelJob(jobId, `${CANCEL_REASON}${by}`))
            o.log.info({ jobId, by }, 'cancel signalled');
        } catch (err) {
          o.log.warn({ err }, 'bad cancel message');
        }
      });
      // BullMQ does not close a connection it was given; close() below does.
      workerConnection = blockingConnection(o.redis);
      worker = new Worker(OPS_QUEUE, (job, token, signal) => process(job, token, signal), {
        connection: workerConnection,
        prefix: o.prefix,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.lockDurationMs ?? 30_000,
        maxStalledCount: 3,
      });
      worker.on('error', (err) => o.log.error({ err }, 'worker error'));
      await worker.waitUntilReady();
    },

    async waitForJobs(jobIds, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const pending = new Set(jobIds);
      while (pending.size && Date.now() < deadline) {
        for (const id of [...pending]) {
          const job = await queue.getJob(id);
          const state = job ? await job.getState() : 'unknown';
          // 'failed' is final in BullMQ: an attempt that will be retried waits in 'delayed' instead.
          if (state === 'completed' || state === 'failed' || state === 'unknown') pending.delete(id);
        }
        if (pending.size) await new Promise((r) => setTimeout(r, 50));
      }
    },

    async close() {
      // Worker.close() waits for active jobs to finish; jobs not started stay in Redis for the next start.
      await worker?.close();
      await workerConnection?.quit().catch(() => undefined);
      await subscriber?.quit().catch(() => undefined);
      await queue.close();
    },
  };
}
