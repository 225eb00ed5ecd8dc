/**
 * Worker thread entry: downloads and extracts one log URL (extract-url.ts) on a heap of its own, as
 * the GitHub log worker does (tools/shared/ci/log-worker.ts says why that is faster).
 *
 * workerData: { url, policy } (a LogFetchPolicy without `resolve`). Posts { ok: true, result } or
 * { ok: false, error }.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../../tools/shared/errors.ts';
import { extractUrl } from './extract-url.ts';
import type { LogFetchPolicy } from './fetch.ts';

const { url, policy } = workerData as { url: string; policy: LogFetchPolicy };
try {
  const result = await extractUrl(new URL(url), policy);
  parentPort?.postMessage({ ok: true, result });
} catch (e) {
  const error =
    e instanceof AppError
      ? { code: e.code, userMessage: e.userMessage, retryable: e.retryable }
      : {
          code: 'log_unreachable',
          userMessage: `Reading the log failed: ${(e as Error).message}`,
          retryable: true,
        };
  parentPort?.postMessage({ ok: false, error });
}
