/**
 * Worker thread entry: reads a ranged log from its end and extracts it (read-from-end.ts), or
 * downloads and extracts a whole log whose host ignores Range, in an isolate of its own. Inside the
 * bot the same work costs ~1.5–2× the CPU: the bot's ~100 MB heap is marked by every full collection
 * the download's buffers trigger, and its dependencies slow string methods (fast-prototypes.ts).
 * Here the heap holds only this code and the log's chunks.
 *
 * The worker loads its modules first, then waits for one message, a LogWorkerData (so it can be
 * started before the log's location is known: startLogWorker), and posts { ok: true, result } or
 * { ok: false, error }.
 */

import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { extractLogChunks } from './extract.ts';
import { rangedLogOverHttp, wholeLogOverHttp } from './ranged-http.ts';
import { extractFromEnd, type LogWorkerData } from './read-from-end.ts';

async function run(data: LogWorkerData) {
  return 'whole' in data
    ? {
        ...(await extractLogChunks(wholeLogOverHttp(data.url, data.userAgent))),
        fromStep: false,
        bytesFrom: 0,
      }
    : await extractFromEnd(rangedLogOverHttp(data.url, data.size, data.userAgent), { step: data.step });
}

parentPort?.once('message', async (data: LogWorkerData) => {
  try {
    parentPort?.postMessage({ ok: true, result: await run(data) });
  } catch (e) {
    const error =
      e instanceof AppError
        ? { code: e.code, userMessage: e.userMessage, retryable: e.retryable }
        : {
            code: 'internal',
            userMessage: `Reading the log failed: ${(e as Error).message}`,
            retryable: true,
          };
    parentPort?.postMessage({ ok: false, error });
  }
});
