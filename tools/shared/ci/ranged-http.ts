/**
 * A RangedLog over a plain HTTP(S) URL that answers byte ranges — the signed, credential-free
 * storage URL GitHub redirects a job's logs to. Used by the log worker (log-worker.ts), which reads
 * and extracts a log away from the bot's main heap.
 */

import { AppError } from '../errors.ts';
import type { CallOptions, RangedLog } from '../github-port.ts';

/** `size` bytes at `url`, read by `Range: bytes=a-b` requests. */
export function rangedLogOverHttp(url: string, size: number, userAgent = 'shipmate'): RangedLog {
  return {
    size,
    url,
    async *read(start: number, end: number, opts?: CallOptions) {
      if (end <= start) return;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { 'user-agent': userAgent, range: `bytes=${start}-${end - 1}` },
          signal: opts?.signal,
        });
      } catch (e) {
        if (opts?.signal?.aborted) throw opts.signal.reason ?? e;
        throw new AppError({
          code: 'github_unreachable',
          userMessage: `Could not download the job's log from GitHub's storage (${(e as Error).message}). Try again.`,
          retryable: true,
          cause: e,
        });
      }
      if (res.status !== 206 || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw new AppError({
          code: 'github_unreachable',
          userMessage: `GitHub's log storage answered ${res.status} to a byte range of the job's log. Try again.`,
          retryable: true,
        });
      }
      yield* res.body as AsyncIterable<Uint8Array>;
    },
  };
}
