import { describe, expect, it } from '@jest/globals';
import { AppError, toAppError } from '../../src/errors.ts';

describe('toAppError decides what users read and what is retried', () => {
  it('keeps an AppError as it is', () => {
    const e = new AppError({ code: 'forbidden', userMessage: 'no' });
    expect(toAppError(e)).toBe(e);
  });

  it('retries an LLM or HTTP timeout (LangChain turns the SDK timeout into a TimeoutError)', () => {
    const e = Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' });
    expect(toAppError(e)).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('retries 429 and 5xx, not 401/403', () => {
    expect(toAppError(Object.assign(new Error('x'), { status: 503 }))).toMatchObject({
      code: 'http_503',
      retryable: true,
    });
    expect(toAppError(Object.assign(new Error('x'), { status: 429 }))).toMatchObject({ retryable: true });
    expect(toAppError(Object.assign(new Error('x'), { status: 403 }))).toMatchObject({
      code: 'http_403',
      retryable: false,
    });
  });

  it('explains Slack platform errors with what to do', () => {
    const e = Object.assign(new Error('An API error occurred: not_in_channel'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'not_in_channel' },
    });
    const a = toAppError(e);
    expect(a.code).toBe('slack_not_in_channel');
    expect(a.userMessage).toContain('/invite @shipmate');
  });

  it('says Redis is unreachable when ioredis refuses a command while disconnected', () => {
    const e = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(toAppError(e)).toMatchObject({ code: 'queue_unavailable', retryable: true });
  });

  it('retries network failures, found in the cause chain too', () => {
    const e = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(toAppError(e)).toMatchObject({ code: 'network', retryable: true });
  });

  it('hides anything else behind a generic message', () => {
    const a = toAppError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(a).toMatchObject({
      code: 'internal',
      retryable: false,
      userMessage: 'Something went wrong inside Shipmate.',
    });
  });
});
