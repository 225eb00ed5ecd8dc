/**
 * The one error type users see. `userMessage` is what a person reads in Slack or the console (what
 * went wrong and what to do instead); `code` is stable for tests and metrics; `retryable` decides
 * whether a job tries again (BullMQ backoff) or fails at once (UnrecoverableError). The cause is for
 * operators and only reaches the log, under the reference id that the user also sees.
 *
 * Defined here, not in src/, because tools throw it and tools never import src/.
 */
export class AppError extends Error {
  readonly code: string;
  readonly userMessage: string;
  readonly retryable: boolean;
  override readonly cause: unknown;

  constructor(opts: { code: string; userMessage: string; retryable?: boolean; cause?: unknown }) {
    super(opts.userMessage);
    this.name = 'AppError';
    this.code = opts.code;
    this.userMessage = opts.userMessage;
    this.retryable = opts.retryable ?? false;
    this.cause = opts.cause;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
