import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { redact, redactMessage } from '../../tools/shared/redact.ts';
import { workerConnection as blockingConnection } from '../clients/redis.ts';
import { AppError, newRefId, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type JobOutcome, type Metrics, secondsSince } from '../metrics/metrics.ts';
import { CANCEL_REASON, cancelChannel, cancelKey } from './cancel.ts';
import type { MessageHandle, Messenger } from './messenger.ts';
import { createProgressReporter } from './progress.ts';
import { type JobEnvelope, OPS_QUEUE, type SavedOutcome } from './queues.ts';
import type { JobHandler } from './spec.ts';

export interface WorkerOptions {
  redis: Redis;
  prefix: string;
  handlers: readonly JobHandler<never>[];
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
  /** Counts each attempt by kind and outcome, with its run time and queue wait. */
  metrics?: Metrics;
  /**
   * How long a finished job whose outcome Slack would not take waits before it tries again (default
   * {@link REDELIVER_MS}); it keeps trying for {@link REDELIVER_FOR_MS}.
   */
  redeliverMs?: number;
  /** How long a job waits for its progress message while Slack fails (default 10 s). */
  startPatienceMs?: number;
}

/** A finished job whose outcome could not be posted tries again after this long. */
export const REDELIVER_MS = 60_000;
/** …for at most this long after the outcome was reached; then it is given up (and logged). */
export const REDELIVER_FOR_MS = 24 * 3_600_000;

export interface JobWorker {
  /** Loads every handler's processor, subscribes to cancels and starts taking jobs. */
  start(): Promise<void>;
  /** Waits for active jobs to finish; jobs not started stay in Redis for the next start. */
  close(): Promise<void>;
}

/**
 * Retryable errors a job does not retry: a Kubernetes request that already waited the whole
 * KUBE_REQUEST_TIMEOUT_SECONDS would make the person wait that long again per attempt (a hung API
 * server kept `/ops status` silent for minutes); they hear at once and may ask again.
 */
const NOT_RETRIED: ReadonlySet<string> = new Set(['kube_timeout']);

/**
 * The consumer side: runs each job's processor with a progress message, retries for transient
 * failures, and an AbortSignal for cancellation, time limits and shutdown.
 */
export function createJobWorker(o: WorkerOptions): JobWorker {
  const handlers = new Map(o.handlers.map((h) => [h.spec.name, h as unknown as JobHandler<unknown>]));
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  let subscriber: Redis | undefined;

  /** Runs one attempt and records how it ended (the outcome is read from how run() left it). */
  async function measured(job: Job, token: string | undefined, signal?: AbortSignal) {
    const t0 = performance.now();
    // Queue wait: from being queued (due, if it was queued with a delay) to the first time a worker
    // took it. Retries and jobs that waited on purpose (retryLater) are not queue wait.
    const due = job.timestamp + (job.opts.delay ?? 0);
    const wait =
      job.attemptsStarted <= 1 ? Math.max(0, (job.processedOn ?? Date.now()) - due) / 1000 : undefined;
    const kind = handlers.has(job.name) ? job.name : 'other';
    const outcome = { value: 'failed' as JobOutcome };
    try {
      const r = await run(job, token, signal, outcome);
      outcome.value = 'completed';
      return r;
    } finally {
      o.metrics?.job(kind, outcome.value, secondsSince(t0), wait);
    }
  }

  async function run(
    job: Job,
    token: string | undefined,
    signal: AbortSignal | undefined,
    outcome: { value: JobOutcome },
  ) {
    const env = job.data as JobEnvelope;
    const log = o.log.child({ traceId: env.traceId, queue: OPS_QUEUE, jobId: job.id, kind: job.name });
    const handler = handlers.get(job.name);
    if (!handler)
      throw new UnrecoverableError(
        `unknown job kind "${job.name}" (a job from another version of Shipmate?)`,
      );
    const spec = handler.spec;
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
      lookFirst: env.progressTried === true,
      redelivery: env.outcome !== undefined,
      startPatienceMs: o.startPatienceMs,
      intervalMs: o.progressIntervalMs,
      cancellable: spec.progressMessage !== false && spec.cancellable !== false,
      saveHandle: async (h: MessageHandle) => {
        env.progress = h;
        await job.updateData(env);
      },
    });
    /**
     * Delivers the saved outcome. When Slack will not take it (after the messenger's minutes of
     * retries, or at shutdown) the job waits without holding a worker slot and a later run delivers
     * it — the work is not done again.
     */
    const deliver = async (saved: SavedOutcome) => {
      try {
        if (saved.kind === 'result') await reporter.finish(saved.message, saved.thread);
        else await reporter.fail(saved.userMessage, saved.ref);
      } catch (err) {
        if (Date.now() - saved.at > REDELIVER_FOR_MS) {
          log.error(
            { err, ref: saved.kind === 'failure' ? saved.ref : undefined },
            'gave up posting the outcome',
          );
          return;
        }
        const waitMs = o.redeliverMs ?? REDELIVER_MS;
        log.warn({ err, retryInMs: waitMs }, 'could not post the outcome; the job will post it later');
        await job.moveToDelayed(Date.now() + waitMs, token);
        outcome.value = 'delayed';
        throw new DelayedError('outcome not posted yet');
      }
      // Posted: a later run (a completion Redis lost) must leave the message alone — others may
      // have edited it since (a request message once it is approved).
      env.outcome = { ...saved, delivered: true };
      await job.updateData(env).catch((err) => log.warn({ err }, 'could not mark the outcome posted'));
    };
    /** Saves the outcome with the job (redacted: it stays in Redis until the job is removed), then delivers it. */
    const settle = async (saved: SavedOutcome) => {
      env.outcome =
        saved.kind === 'result'
          ? {
              ...saved,
              message: redactMessage(saved.message),
              thread: saved.thread?.map(redactMessage),
            }
          : { ...saved, userMessage: redact(saved.userMessage) };
      await job.updateData(env);
      await deliver(env.outcome);
    };
    if (env.outcome) {
      // A finished job run again: its outcome was not posted yet, or its completion was lost.
      if (env.outcome.delivered)
        log.info({ kind: env.outcome.kind }, 'finished job run again; its message stands');
      else {
        log.info({ kind: env.outcome.kind }, 'posting the saved outcome of a finished job');
        await deliver(env.outcome);
      }
      if (env.outcome.kind === 'failure')
        throw new UnrecoverableError(`${env.outcome.code} (ref ${env.outcome.ref})`);
      return { ok: true };
    }
    const timeoutMs = handler.timeoutMs ?? o.jobTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any(signal ? [signal, timeout] : [timeout]);
    const started = Date.now();
    log.info({ attempt }, 'job started');
    try {
      if (spec.progressMessage !== false) await reporter.start();
      const early = await o.redis.get(cancelKey(o.prefix, jobId));
      if (early) throw new DOMException(`${CANCEL_REASON}${early}`, 'AbortError');
      const parsed = spec.payload.safeParse(env.payload);
      if (!parsed.success) {
        throw new AppError({
          code: 'bad_payload',
          userMessage: 'This job was queued by an incompatible version of Shipmate; please ask again.',
        });
      }
      const outcome = await handler.process({
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
      if (!outcome.silent) {
        await settle({ kind: 'result', message: outcome.message, thread: outcome.thread, at: Date.now() });
      }
      log.info({ ms: Date.now() - started }, 'job completed');
      return { ok: true };
    } catch (e) {
      if (e instanceof DelayedError) {
        outcome.value = 'delayed';
        log.info({ reason: e.message }, 'job waits');
        throw e;
      }
      if (combined.aborted) {
        const reason = String((signal?.aborted ? signal.reason : undefined) ?? (e as Error)?.message ?? '');
        const by = reason.startsWith(CANCEL_REASON) ? reason.slice(CANCEL_REASON.length) : undefined;
        const text = by
          ? `cancelled by <@${by}>.`
          : timeout.aborted
            ? `stopped: it ran longer than ${Math.round(timeoutMs / 1000)} s${handler.timeoutMs ? '' : ' (JOB_TIMEOUT_SECONDS)'}.`
            : 'stopped because the worker is shutting down; it will resume.';
        outcome.value = by ? 'cancelled' : timeout.aborted ? 'timeout' : 'shutdown';
        if (!by && !timeout.aborted) throw e; // shutdown: let BullMQ return it to the queue
        log.info({ by, timeout: timeout.aborted }, 'job cancelled');
        await reporter.cancelled(text).catch((err) => log.warn({ err }, 'could not post cancellation'));
        throw new UnrecoverableError(text);
      }
      const err = toAppError(e);
      const maxAttempts = job.opts.attempts ?? 1;
      if (err.retryable && !NOT_RETRIED.has(err.code) && attempt < maxAttempts) {
        outcome.value = 'retried';
        log.warn({ err: err.cause ?? err, code: err.code, attempt }, 'job attempt failed; will retry');
        reporter.step(`attempt ${attempt} failed (${err.userMessage}) — retrying`);
        throw err;
      }
      const ref = newRefId();
      // A bug or an outage is an error for operators, with its stack; a refusal the user can act on
      // (not configured, forbidden, not found) is an expected condition: one line at info, no stack.
      if (err.code === 'internal' || err.retryable)
        log.error({ ref, code: err.code, err: err.cause ?? err }, 'job failed');
      else
        log.info(
          {
            ref,
            code: err.code,
            reason: err.userMessage,
            cause: err.cause instanceof Error ? err.cause.message : undefined,
          },
          'job failed',
        );
      await settle({ kind: 'failure', userMessage: err.userMessage, ref, code: err.code, at: Date.now() });
      throw new UnrecoverableError(`${err.code} (ref ${ref})`);
    }
  }

  return {
    async start() {
      // Processors that load heavy modules (LangChain, the Kubernetes client) load now, not on a
      // person's first question.
      await Promise.all(o.handlers.map((h) => h.preload?.()));
      subscriber = blockingConnection(o.redis);
      subscriber.on('error', (err) => o.log.warn({ err }, 'cancel subscriber error'));
      await subscriber.subscribe(cancelChannel(o.prefix));
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
      worker = new Worker(OPS_QUEUE, (job, token, signal) => measured(job, token, signal), {
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
    async close() {
      await worker?.close();
      await workerConnection?.quit().catch(() => undefined);
      await subscriber?.quit().catch(() => undefined);
    },
  };
}
