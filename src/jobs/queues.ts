import type { z } from 'zod';
import type { Message } from '../../tools/shared/message.ts';
import type { ReplyTarget } from '../context.ts';
import type { Logger } from '../log.ts';

/** The one queue for user-visible work. Job kinds are job names within it. */
export const OPS_QUEUE = 'ops';

/** What every job carries besides its own payload. */
export interface JobEnvelope<P = unknown> {
  kind: string;
  payload: P;
  /** Slack user id of the person who asked; cancel and audit use it. */
  requestedBy: string;
  target: ReplyTarget;
  traceId: string;
  /** Shown in the progress message: "Cluster status (prod)". */
  title: string;
  /** Set once the progress message exists, so retries and resumed jobs edit the same one. */
  progress?: { channel?: string; ts?: string; viaResponseUrl?: boolean };
  /** What a long job has done so far, so a retry or another worker resumes instead of starting over. */
  checkpoint?: Record<string, unknown>;
}

/** What a processor sees of its job. */
export interface JobRun<P> {
  id: string;
  payload: P;
  requestedBy: string;
  target: ReplyTarget;
  traceId: string;
  attempt: number;
  signal: AbortSignal;
  log: Logger;
  /** Reports a step; the reporter throttles edits to about one a second. */
  progress: (step: string) => void;
  /** The job's progress message, once posted (to link other messages to it). */
  message: () => { channel?: string; ts?: string } | undefined;
  /** Why `signal` fired: a person cancelled, the time limit passed, or the worker is shutting down (the job will resume). */
  stopReason: () => 'cancelled' | 'timeout' | 'shutdown' | undefined;
  /**
   * Puts the job back to wait `ms` without holding a worker slot (BullMQ delayed), reporting `why`.
   * Never returns: the current attempt ends there and resumes from its checkpoint.
   */
  retryLater: (ms: number, why: string) => Promise<never>;
  /** Resumable state: `data` as saved by an earlier attempt (or {}), `save` merges and persists. */
  checkpoint: { data: Record<string, unknown>; save: (patch: Record<string, unknown>) => Promise<void> };
}

/** What a processor returns: the final message, and optional further messages for its thread. */
export interface JobOutcome {
  message: Message;
  thread?: Message[];
  /** Nothing to tell anyone (housekeeping jobs without a progress message). */
  silent?: boolean;
}

/**
 * A kind of job: a plain processor function plus its payload schema. Payloads are validated when
 * enqueued and again when processed (a job from an older version of the bot fails clearly).
 */
export interface JobKind<P = unknown> {
  name: string;
  payload: z.ZodType<P>;
  /** Tries in all, for retryable failures (exponential backoff). Default 3. */
  attempts?: number;
  /** Whether the worker posts a progress message at start. Default true. */
  progressMessage?: boolean;
  /**
   * Whether a person may cancel it (Cancel button, `/ops cancel`). Default true. A deploy that has
   * patched the cluster is not: stopping the watch would not stop the rollout — roll back instead.
   */
  cancellable?: boolean;
  /** Time limit of one attempt; default JOB_TIMEOUT_SECONDS. */
  timeoutMs?: number;
  /** Text of the progress message while the job runs. Default "⏳ {title}…". */
  process(run: JobRun<P>): Promise<JobOutcome>;
}

export function defineJob<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}
