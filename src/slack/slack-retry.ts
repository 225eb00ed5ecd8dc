/**
 * How the messenger rides out Slack failing: which errors are worth another try, whether a failed
 * post may nevertheless have landed, and the backoff between tries. The Web API client the
 * messenger uses makes no retries of its own (a retried timed-out post would post twice); this is
 * where they happen.
 */

import { ErrorCode } from '@slack/web-api';

export interface SlackRetryOptions {
  /** How long a post or a final edit keeps trying through Slack errors before it fails, in ms. */
  forMs: number;
  /** The first pause between tries, in ms; doubled each time up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
}

/** Minutes, as an outage of chat.* lasts: 1 s, 2 s, 4 s … 30 s between tries, for up to 5 min. */
export const DEFAULT_SLACK_RETRY: SlackRetryOptions = {
  forMs: 5 * 60_000,
  minDelayMs: 1000,
  maxDelayMs: 30_000,
};

/** What a failed Slack call says about trying again. */
export interface SlackFailure {
  retryable: boolean;
  /**
   * The request may have been carried out although no answer said so (a timeout or a connection
   * lost after sending, an internal error): before posting again, look for the first post.
   */
  maybeDone: boolean;
  /** Slack asked to wait this long (rate limited), in ms. */
  retryAfterMs?: number;
}

/** Platform errors (`ok: false`) that mean Slack itself is unwell, not that the request was wrong. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Classifies an error thrown by the Web API client or by a response_url post ({@link ResponseUrlError}). */
export function slackFailure(e: unknown): SlackFailure {
  const err = e as {
    code?: string;
    statusCode?: number;
    retryAfter?: number;
    data?: { error?: string };
  };
  switch (err?.code) {
    case ErrorCode.RateLimitedError:
      return { retryable: true, maybeDone: false, retryAfterMs: (err.retryAfter ?? 1) * 1000 };
    case ErrorCode.RequestError:
      // Timed out or cut off: Slack may have posted it and not told us.
      return { retryable: true, maybeDone: true };
    case ErrorCode.HTTPError: {
      // Slack's edge answering 5xx refused the request before the API saw it.
      const s = err.statusCode ?? 0;
      return { retryable: s >= 500 || s === 408, maybeDone: false };
    }
    case ErrorCode.PlatformError: {
      const code = err.data?.error ?? '';
      if (code === 'ratelimited') return { retryable: true, maybeDone: false, retryAfterMs: 1000 };
      return { retryable: TRANSIENT.has(code), maybeDone: TRANSIENT.has(code) };
    }
  }
  if (e instanceof ResponseUrlError) return { retryable: e.retryable, maybeDone: false };
  return { retryable: false, maybeDone: false };
}

/** A response_url post that Slack did not accept. */
export class ResponseUrlError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  constructor(status: number, cause?: unknown) {
    super(status ? `response_url answered ${status}` : 'response_url could not be reached', { cause });
    this.status = status;
    // 404 / 410: the URL expired (30 minutes, a few uses) — another try cannot succeed.
    this.retryable = status === 0 || status === 429 || status >= 500;
  }
}

/** The pause before try `n + 1` (n ≥ 1), or what Slack asked for. */
export function backoffMs(o: SlackRetryOptions, n: number, failure: SlackFailure): number {
  if (failure.retryAfterMs !== undefined) return Math.max(failure.retryAfterMs, o.minDelayMs);
  return Math.min(o.maxDelayMs, o.minDelayMs * 2 ** (n - 1));
}

/** Resolves after `ms`, or at once when `signal` aborts. The timer never keeps the process alive. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    t.unref?.();
    signal?.addEventListener('abort', done, { once: true });
  });
}
