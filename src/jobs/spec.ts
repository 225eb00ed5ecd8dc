import type { z } from 'zod';
import type { JobOutcome, JobRun } from './queues.ts';

/**
 * What the queue knows of a kind of job: its name, payload schema and run rules — not how it runs.
 * Commands, buttons, routes and services enqueue specs; only workers hold processors, so a request
 * handler never imports processor code (nor the SDKs processors load).
 */
export interface JobSpec<P = unknown> {
  /** The BullMQ job name within the one queue. */
  readonly name: string;
  /** Validated when enqueued and again when processed (a job from an older version fails clearly). */
  readonly payload: z.ZodType<P>;
  /** Tries in all, for retryable failures (exponential backoff). Default 3. */
  readonly attempts?: number;
  /** Whether a progress message is posted when queued and edited while it runs. Default true. */
  readonly progressMessage?: boolean;
  /**
   * Whether a person may cancel it (Cancel button, `/ops cancel`). Default true. A deploy that has
   * patched the cluster is not: stopping the watch would not stop the rollout — roll back instead.
   */
  readonly cancellable?: boolean;
}

export function defineJobSpec<P>(spec: JobSpec<P>): JobSpec<P> {
  if (!/^[a-z][a-z0-9_]{1,63}$/.test(spec.name))
    throw new Error(`job name "${spec.name}" must be snake_case`);
  return Object.freeze(spec);
}

/** Runs one attempt of a job. Throw AppError (retryable or not) to fail; return the final message. */
export type JobProcessor<P> = (run: JobRun<P>) => Promise<JobOutcome>;

/** A spec with the processor a worker runs for it. */
export interface JobHandler<P = unknown> {
  readonly spec: JobSpec<P>;
  readonly process: JobProcessor<P>;
  /** Time limit of one attempt; default JOB_TIMEOUT_SECONDS. */
  readonly timeoutMs?: number;
  /** Loads what `process` needs ahead of the first job (workers call it at start). */
  readonly preload?: () => Promise<void>;
}

/** Pairs a spec with its processor, keeping the payload type. */
export function handle<P>(
  spec: JobSpec<P>,
  process: JobProcessor<P>,
  o: { timeoutMs?: number; preload?: () => Promise<void> } = {},
): JobHandler<never> {
  return { spec, process, ...o } as unknown as JobHandler<never>;
}

/**
 * A handler whose processor lives in a module loaded on first use: the web role never imports it
 * (nor LangChain or the Kubernetes client behind it). `load` resolves to the processor.
 */
export function lazyHandler<P>(
  spec: JobSpec<P>,
  load: () => Promise<JobProcessor<P>>,
  o: { timeoutMs?: number } = {},
): JobHandler<never> {
  let loaded: Promise<JobProcessor<P>> | undefined;
  const get = () => {
    if (!loaded) {
      loaded = load();
      // A failed load (a module missing, the model unreachable) is tried again by the next job.
      loaded.catch(() => {
        loaded = undefined;
      });
    }
    return loaded;
  };
  return handle(spec, async (run) => (await get())(run), {
    ...o,
    preload: async () => void (await get()),
  });
}
