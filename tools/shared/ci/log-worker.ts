/**
 * Worker thread entry: reads a ranged log from its end and extracts it (read-from-end.ts), in an
 * isolate of its own. Inside the bot the same work costs ~1.5–2× the CPU: the bot's ~100 MB heap is
 * marked by every full collection the download's buffers trigger, and its dependencies slow string
 * methods (fast-prototypes.ts). Here the heap holds only this code and the log's chunks.
 *
 * workerData: { url, size, userAgent }. Posts { ok: true, result } or { ok: false, error }.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { rangedLogOverHttp } from './ranged-http.ts';
import { extractFromEnd } from './read-from-end.ts';

const { url, size, userAgent } = workerData as { url: string; size: number; userAgent?: string };
try {
  const result = await extractFromEnd(rangedLogOverHttp(url, size, userAgent));
  parentPort?.postMessage({ ok: true, result });
} catch (e) {
  const error =
    e instanceof AppError
      ? { code: e.code, userMessage: e.userMessage, retryable: e.retryable }
      : { code: 'internal', userMessage: `Reading the log failed: ${(e as Error).message}`, retryable: true };
  parentPort?.postMessage({ ok: false, error });
}
