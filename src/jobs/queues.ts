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
  /** False for jobs a person may not cancel (JobSpec.cancellable), recorded when queued. */
  cancellable?: false;
  /** Set once the progress message exists, so retries and resumed jobs edit the same one. */
  progress?: { channel?: string; ts?: string; viaResponseUrl?: boolean };
  /** What a long job has done so far, so a retry or another worker resumes instead of starting over. */
  checkpoint?: Record<string, unknown>;
  /** Queueing tried to post the progress message and failed: it may exist all the same (look first). */
  progressTried?: true;
  /**
   * The job's outcome, saved before it is delivered: a run that finds it (Slack was down, the worker
   * stopped or its completion was lost) delivers it again and does not redo the work.
   */
  outcome?: SavedOutcome;
}

/**
 * A finished job's outcome, kept until it has been posted (`delivered`) and after. `at`: when it was
 * reached, ms.
 */
export type SavedOutcome = (
  | { kind: 'result'; message: Message; thread?: Message[] }
  | { kind: 'failure'; userMessage: string; ref: string; code: string }
) & { at: number; delivered?: true };

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
