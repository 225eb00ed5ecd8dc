import { randomBytes } from 'node:crypto';
import { AppError, isAppError } from '../tools/shared/errors.ts';
import { UnrecoverableError } from './jobs/bullmq.ts';

export { AppError, isAppError };

/** A short id a user can quote and an operator can grep the log for. */
/** The error code Slack's Web API answered (`not_in_channel`, `ratelimited`, …), if `e` is such a failure. */
export function slackErrorCode(e: unknown): string | undefined {
  const code = (e as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

export function newRefId(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  if (typeof c === 'string') return c;
  const cause = (e as { cause?: unknown })?.cause;
  if (cause && cause !== e) return errCode(cause);
  return undefined;
}

/**
 * Normalizes any thrown value to an AppError. Integrations (Kubernetes, GitHub) map their own errors
 * where they know the context; this is the catch-all for Slack Web API errors, HTTP status errors,
 * network failures, aborts and plain bugs.
 */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (e instanceof UnrecoverableError) {
    return new AppError({ code: 'unrecoverable', userMessage: e.message, cause: e });
  }
  const err = e as {
    name?: string;
    message?: string;
    code?: string;
    status?: number;
    statusCode?: number;
    data?: { error?: string };
    retryAfter?: number;
  };
  // @langchain/openai turns the SDK's connection timeout into a plain TimeoutError.
  if (err?.name === 'TimeoutError' || err?.name === 'APIConnectionTimeoutError') {
    return new AppError({
      code: 'timeout',
      userMessage: 'A service the bot needs did not answer in time; retrying.',
      retryable: true,
      cause: e,
    });
  }
  if (err?.name === 'AbortError' || err?.code === 'ABORT_ERR') {
    return new AppError({ code: 'cancelled', userMessage: 'Cancelled.', cause: e });
  }
  // @slack/web-api
  if (err?.code === 'slack_webapi_platform_error') {
    const slackError = err.data?.error ?? 'unknown_error';
    const hints: Record<string, string> = {
      not_in_channel: 'Invite the bot to the channel (`/invite @shipmate`) and try again.',
      channel_not_found: 'The bot cannot see that channel. Invite it, or use a channel it is in.',
      missing_scope: 'The Slack app lacks a scope; reinstall it from manifest.yml.',
      invalid_auth: 'The Slack token is invalid; check SLACK_BOT_TOKEN.',
      msg_too_long: 'The message was too long for Slack.',
    };
    return new AppError({
      code: `slack_${slackError}`,
      userMessage: `Slack refused the request (${slackError}). ${hints[slackError] ?? ''}`.trim(),
      retryable:
        slackError === 'ratelimited' || slackError === 'internal_error' || slackError === 'fatal_error',
      cause: e,
    });
  }
  if (err?.code === 'slack_webapi_rate_limited_error') {
    return new AppError({
      code: 'slack_ratelimited',
      userMessage: 'Slack is rate-limiting the bot; retrying.',
      retryable: true,
      cause: e,
    });
  }
  const status = err?.status ?? err?.statusCode;
  if (typeof status === 'number') {
    if (status === 429 || status >= 500) {
      return new AppError({
        code: `http_${status}`,
        userMessage: `An upstream service answered ${status}; retrying.`,
        retryable: true,
        cause: e,
      });
    }
    if (status === 401 || status === 403) {
      return new AppError({
        code: `http_${status}`,
        userMessage: `An upstream service refused the bot's credentials (${status}).`,
        cause: e,
      });
    }
  }
  // ioredis while Redis is away: the client fails fast instead of queueing commands.
  if (
    err?.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|Stream isn't writeable/.test(err?.message ?? '')
  ) {
    return new AppError({
      code: 'queue_unavailable',
      userMessage: 'Shipmate cannot reach its Redis right now. Nothing was started; try again in a minute.',
      retryable: true,
      cause: e,
    });
  }
  const code = errCode(e);
  if (code && NETWORK_CODES.has(code)) {
    return new AppError({
      code: 'network',
      userMessage: `A service the bot needs did not answer (${code}); retrying.`,
      retryable: true,
      cause: e,
    });
  }
  return new AppError({ code: 'internal', userMessage: 'Something went wrong inside Shipmate.', cause: e });
}
