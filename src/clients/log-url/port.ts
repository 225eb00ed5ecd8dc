import { Worker } from 'node:worker_threads';
import type { LogUrlPort, UrlExtraction } from '../../../tools/shared/ci/log-port.ts';
import { AppError } from '../../../tools/shared/errors.ts';
import { extractUrl } from './extract-url.ts';
import { checkUrl, type LogFetchPolicy } from './fetch.ts';

/**
 * The LogUrlPort: checks the URL against the policy at once (an unlisted host is refused before any
 * thread starts or anything is resolved), then downloads and extracts it in a worker thread
 * (worker.ts). With `policy.resolve` (tests), in this thread, since a function cannot cross to a worker.
 */
export function createLogUrlPort(policy: LogFetchPolicy): LogUrlPort {
  return {
    async extract(text, opts = {}) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new AppError({ code: 'log_bad_url', userMessage: `"${text}" is not a URL.` });
      }
      checkUrl(url, policy);
      if (policy.resolve) return extractUrl(url, policy, opts.signal);
      return extractInWorker(url, policy, opts.signal);
    },
  };
}

/** Downloads and extracts `url` under `policy` in a worker thread of its own (worker.ts). */
export async function extractInWorker(
  url: URL,
  policy: LogFetchPolicy,
  signal?: AbortSignal,
): Promise<UrlExtraction> {
  signal?.throwIfAborted();
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: { url: url.href, policy },
  });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<UrlExtraction>((resolve, reject) => {
      onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once(
        'message',
        (
          m:
            | { ok: true; result: UrlExtraction }
            | { ok: false; error: ConstructorParameters<typeof AppError>[0] },
        ) => (m.ok ? resolve(m.result) : reject(new AppError(m.error))),
      );
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(
          new AppError({
            code: 'log_unreachable',
            userMessage: `Reading the log stopped (worker exit ${code}).`,
            retryable: true,
          }),
        ),
      );
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
