/**
 * Which Slack failures the messenger tries again, which may have posted anyway (so the next try
 * looks first), and the backoff between tries — over the Web API client's own error classes.
 */

import { describe, expect, it } from '@jest/globals';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import {
  backoffMs,
  DEFAULT_SLACK_RETRY,
  ResponseUrlError,
  slackFailure,
} from '../../src/slack/slack-retry.ts';

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe('slackFailure', () => {
  it('a timeout or a cut connection is retried, and may have posted', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(slackFailure(new WebAPIRequestError(timeout))).toEqual({ retryable: true, maybeDone: true });
    expect(slackFailure(new WebAPIRequestError(new Error('socket hang up')))).toEqual({
      retryable: true,
      maybeDone: true,
    });
  });

  it('5xx from Slack’s edge is retried and did not post; other HTTP statuses are final', () => {
    for (const status of [500, 502, 503, 504, 408])
      expect(slackFailure(new WebAPIHTTPError(status, 'x', {}))).toEqual({
        retryable: true,
        maybeDone: false,
      });
    for (const status of [400, 403, 404])
      expect(slackFailure(new WebAPIHTTPError(status, 'x', {})).retryable).toBe(false);
  });

  it('a rate limit waits as long as Slack asked', () => {
    expect(slackFailure(new WebAPIRateLimitedError(7))).toEqual({
      retryable: true,
      maybeDone: false,
      retryAfterMs: 7000,
    });
    expect(slackFailure(platform('ratelimited')).retryable).toBe(true);
  });

  it('Slack’s own internal errors are retried (the post may exist); refusals of the request are final', () => {
    for (const code of ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])
      expect(slackFailure(platform(code))).toEqual({ retryable: true, maybeDone: true });
    for (const code of [
      'channel_not_found',
      'not_in_channel',
      'invalid_blocks',
      'msg_too_long',
      'invalid_auth',
    ])
      expect(slackFailure(platform(code)).retryable).toBe(false);
  });

  it('a response_url that is unreachable or failing is retried; an expired one is not', () => {
    expect(slackFailure(new ResponseUrlError(0)).retryable).toBe(true);
    expect(slackFailure(new ResponseUrlError(503)).retryable).toBe(true);
    expect(slackFailure(new ResponseUrlError(404)).retryable).toBe(false);
    expect(slackFailure(new ResponseUrlError(410)).retryable).toBe(false);
  });

  it('anything else (a bug) is not retried', () => {
    expect(slackFailure(new TypeError('x is undefined')).retryable).toBe(false);
    expect(slackFailure(undefined).retryable).toBe(false);
  });
});

describe('backoffMs', () => {
  it('doubles from the first pause up to the cap; over the default 5 minutes that is about 14 tries', () => {
    const f = { retryable: true, maybeDone: false };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(DEFAULT_SLACK_RETRY, n, f))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    let total = 0;
    let tries = 0;
    while (total + backoffMs(DEFAULT_SLACK_RETRY, tries + 1, f) <= DEFAULT_SLACK_RETRY.forMs)
      total += backoffMs(DEFAULT_SLACK_RETRY, ++tries, f);
    expect(tries + 1).toBe(14);
  });

  it('a rate limit’s Retry-After wins, but never below the first pause', () => {
    expect(
      backoffMs(DEFAULT_SLACK_RETRY, 1, { retryable: true, maybeDone: false, retryAfterMs: 20_000 }),
    ).toBe(20_000);
    expect(backoffMs(DEFAULT_SLACK_RETRY, 5, { retryable: true, maybeDone: false, retryAfterMs: 0 })).toBe(
      1000,
    );
  });
});
