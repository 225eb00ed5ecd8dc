/**
 * Reading a log over a plain HTTP(S) URL — the signed, credential-free storage URL GitHub redirects a
 * job's logs to: by byte ranges (a RangedLog) or whole. Used by the log worker (log-worker.ts), which
 * reads and extracts a log away from the bot's main heap.
 *
 * Over node:http rather than fetch: the worker is a fresh isolate for every log, and fetch's
 * web-stream machinery (undici) runs cold there — a log downloaded through it cost about twice the
 * CPU of the same bytes through node:http (bench/triage.ts, 80–180 MB per triage).
 */

import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError } from '../errors.ts';
import type { CallOptions, RangedLog } from '../github-port.ts';

/** Redirects followed from the storage URL (fetch's default is 20; storage hosts use at most one). */
const MAX_REDIRECTS = 5;

const unreachable = (e: unknown): AppError =>
  new AppError({
    code: 'github_unreachable',
    userMessage: `Could not download the job's log from GitHub's storage (${(e as Error).message}). Try again.`,
    retryable: true,
    cause: e,
  });

/** One GET of `url` (following redirects); resolves with the response, its body not yet read. */
export async function getLog(
  url: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    signal?.throwIfAborted();
    let res: IncomingMessage;
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
          target,
          { headers, signal },
          resolve,
        );
        req.on('error', reject);
        req.end();
      });
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw unreachable(e);
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location && hop < MAX_REDIRECTS) {
      res.resume();
      res.destroy();
      target = new URL(location, target);
      continue;
    }
    return res;
  }
}

/** The body of `res`, chunk by chunk; stopping the iteration closes the connection. */
async function* body(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Uint8Array;
  } catch (e) {
    if (signal?.aborted) throw signal.reason ?? e;
    throw unreachable(e);
  } finally {
    res.destroy();
  }
}

/** `size` bytes at `url`, read by `Range: bytes=a-b` requests. */
export function rangedLogOverHttp(url: string, size: number, userAgent = 'shipmate'): RangedLog {
  return {
    size,
    url,
    async *read(start: number, end: number, opts?: CallOptions) {
      if (end <= start) return;
      const res = await getLog(
        url,
        { 'user-agent': userAgent, range: `bytes=${start}-${end - 1}` },
        opts?.signal,
      );
      if (res.statusCode !== 206) {
        res.destroy();
        throw new AppError({
          code: 'github_unreachable',
          userMessage: `GitHub's log storage answered ${res.statusCode} to a byte range of the job's log. Try again.`,
          retryable: true,
        });
      }
      yield* body(res, opts?.signal);
    },
  };
}

/** The whole log at `url` (a host that does not answer ranges), as a stream of chunks. */
export async function* wholeLogOverHttp(
  url: string,
  userAgent = 'shipmate',
  opts: CallOptions = {},
): AsyncGenerator<Uint8Array> {
  const res = await getLog(url, { 'user-agent': userAgent }, opts.signal);
  if (res.statusCode !== 200) {
    res.destroy();
    throw new AppError({
      code: 'github_unreachable',
      userMessage: `GitHub's log storage answered ${res.statusCode} for the job's log. Try again.`,
      retryable: true,
    });
  }
  yield* body(res, opts.signal);
}
