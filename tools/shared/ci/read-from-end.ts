/**
 * Reading a job log from its end. GitHub prints the failed step last (later steps are skipped, only
 * clean-up follows), and its storage answers byte ranges: so instead of downloading a 200 MB log to
 * reach the error at the end, read backwards in growing chunks until the start of the step that holds
 * the runner's last `##[error]` (its `##[group]Run …` line), then extract forward from there.
 *
 * The backward pass only looks for two literals (`indexOf` on a Latin-1 view of the bytes, nothing
 * kept but two offsets), so it costs about what the download does. Lines of the result are numbered
 * from the step's first line, as GitHub's log viewer numbers them (`#step:N:LINE`).
 */

import { Buffer } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { CallOptions, RangedLog } from '../github-port.ts';
import { extractLogChunks } from './extract.ts';
import type { Extraction } from './extraction.ts';
import type { ExtractOptions } from './log-extractor.ts';
import { markerScan, seekStepStart } from './seek-step.ts';

/** First chunk read from the end (1 MiB); each further chunk doubles, up to MAX_CHUNK. */
const FIRST_CHUNK = 1 << 20;
const MAX_CHUNK = 8 << 20;
/** Chunks overlap by this much, so a marker cut by a chunk boundary is still found. */
const OVERLAP = 256;

const ERROR = Buffer.from('##[error]');
const GROUP_RUN = Buffer.from('##[group]Run ');

/** Bytes `[start, end)` of the log into `into` (reused from chunk to chunk); the length read. */
async function readInto(
  log: RangedLog,
  start: number,
  end: number,
  into: Buffer,
  opts: CallOptions,
): Promise<number> {
  let n = 0;
  for await (const p of log.read(start, end, opts)) {
    const take = Math.min(p.length, into.length - n);
    into.set(take === p.length ? p : p.subarray(0, take), n);
    n += take;
  }
  return n;
}

/**
 * Byte offset of the line that starts the failed step: the last `##[group]Run ` line before the last
 * `##[error]` line. 0 when the log has no such pair (then the whole log is read).
 */
export async function failedStepOffset(log: RangedLog, opts: CallOptions = {}): Promise<number> {
  let end = log.size;
  let chunk = FIRST_CHUNK;
  let verdict = -1;
  // Searched as bytes (Buffer#lastIndexOf is native): no string is made of the chunks.
  const buf = Buffer.allocUnsafe(MAX_CHUNK + OVERLAP);
  while (end > 0) {
    opts.signal?.throwIfAborted();
    const start = Math.max(0, end - chunk);
    const n = await readInto(log, start, Math.min(log.size, end + OVERLAP), buf, opts);
    const bytes = buf.subarray(0, n);
    if (verdict === -1) {
      const v = bytes.lastIndexOf(ERROR);
      if (v !== -1) verdict = start + v;
    }
    if (verdict !== -1) {
      const g = bytes.lastIndexOf(GROUP_RUN, Math.min(n - 1, verdict - start));
      if (g !== -1) return start + bytes.lastIndexOf(10, g) + 1;
    }
    end = start;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  return 0;
}

/** `sought`: the step's start was found by its time (seek-step.ts), not by reading backwards. */
type FromEnd = Extraction & { stoppedEarly: boolean; fromStep: boolean; bytesFrom: number; sought?: boolean };

/** The failed step as the jobs API tells it: when it started (lets the log be searched by time). */
export type FailedStepHint = { startedAt?: string | null; name?: string };

/** What log-worker.ts reads: a ranged log from its end, or (`whole`) a log that must be streamed. */
export type LogWorkerData = { url: string; userAgent?: string } & (
  | { size: number; step?: FailedStepHint }
  | { whole: true }
);

/**
 * A log worker (log-worker.ts) started before it has a log to read: its isolate and modules load
 * (~80 ms) while the caller is still asking GitHub for the jobs and the log's location. Pass it to
 * extractFromEndInWorker or extractWholeInWorker, or terminate it.
 */
export function startLogWorker(): Worker {
  const worker = new Worker(new URL('./log-worker.ts', import.meta.url));
  // A worker that fails while it waits is never an uncaught error: whoever gives it a log starts another.
  worker.on('error', () => {});
  worker.once('exit', () => ended.add(worker));
  return worker;
}

/** Workers that have stopped (see startLogWorker). */
const ended = new WeakSet<Worker>();

/**
 * extractFromEnd in a worker thread (log-worker.ts) when the log has a credential-free `url`: the
 * download and the extraction then run on a heap of their own, at the speed they have alone.
 * Aborting `signal` stops the worker. Without a URL, runs here (and terminates `worker`).
 */
export async function extractFromEndInWorker(
  log: RangedLog,
  opts: { signal?: AbortSignal; userAgent?: string; worker?: Worker; step?: FailedStepHint } = {},
): Promise<FromEnd> {
  if (!log.url) {
    await opts.worker?.terminate();
    return extractFromEnd(log, { signal: opts.signal, step: opts.step });
  }
  return runLogWorker({ url: log.url, size: log.size, userAgent: opts.userAgent, step: opts.step }, opts);
}

/**
 * The whole log at `url` (a storage host that ignores Range), downloaded and extracted in a worker
 * thread like extractFromEndInWorker, until the result settles.
 */
export async function extractWholeInWorker(
  url: string,
  opts: { signal?: AbortSignal; userAgent?: string; worker?: Worker } = {},
): Promise<FromEnd> {
  return runLogWorker({ url, whole: true, userAgent: opts.userAgent }, opts);
}

/** Gives `data` to a log worker (`opts.worker`, else a new one) and waits for its result; then ends it. */
async function runLogWorker(
  data: LogWorkerData,
  opts: { signal?: AbortSignal; worker?: Worker },
): Promise<FromEnd> {
  const { signal } = opts;
  if (signal?.aborted) {
    await opts.worker?.terminate();
    signal.throwIfAborted();
  }
  const worker = opts.worker && !ended.has(opts.worker) ? opts.worker : startLogWorker();
  try {
    return await new Promise<FromEnd>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once(
        'message',
        (
          m: { ok: true; result: FromEnd } | { ok: false; error: ConstructorParameters<typeof AppError>[0] },
        ) => {
          signal?.removeEventListener('abort', onAbort);
          if (m.ok) resolve(m.result);
          else reject(new AppError(m.error));
        },
      );
      worker.once('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      });
      worker.once('exit', (code) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new Error(`the log worker stopped (exit code ${code})`));
      });
      worker.postMessage(data);
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * The extraction of a ranged log's failed step (see failedStepOffset), read forward from its start
 * until the result settles. `fromStep` says the line numbers count from the step's first line.
 *
 * With the step's start time (`step.startedAt`), the step's start is first sought by the log's
 * timestamps (seek-step.ts) so the step is downloaded once, not backwards and then forwards. The
 * guess is checked: while the extraction reads, and then over the rest of the log, the `##[error]`
 * and `##[group]Run ` markers are scanned for the offset the backward read would find. The same
 * offset: the extraction stands. A later one (a composite action's inner step, a later step that
 * failed too): the extraction is redone from there. None after the guess, or no guess: backwards.
 */
export async function extractFromEnd(
  log: RangedLog,
  opts: ExtractOptions & { signal?: AbortSignal; step?: FailedStepHint } = {},
): Promise<FromEnd> {
  const sought = await extractSought(log, opts);
  if (sought) return sought;
  const from = await failedStepOffset(log, { signal: opts.signal });
  const x = await extractLogChunks(log.read(from, log.size, { signal: opts.signal }), opts);
  return { ...x, fromStep: from > 0, bytesFrom: from };
}

/** extractFromEnd from the step's start found by time, checked; null when it cannot be trusted. */
async function extractSought(
  log: RangedLog,
  opts: ExtractOptions & { signal?: AbortSignal; step?: FailedStepHint },
): Promise<FromEnd | null> {
  const { signal } = opts;
  const startedAt = opts.step?.startedAt;
  if (!startedAt) return null;
  let from: number | null;
  try {
    from = await seekStepStart(log, startedAt, { signal, stepName: opts.step?.name });
  } catch (e) {
    // A probe the storage did not answer as a range: the backward read says what is wrong, if anything.
    if (signal?.aborted) throw e;
    return null;
  }
  if (from === null) return null;
  const scan = markerScan(from);
  // One request from the guess to the log's end: the extraction reads it until it settles, the scan
  // reads the rest (the extraction's early stop does not close it, so no byte is asked for twice).
  const it = log.read(from, log.size, { signal })[Symbol.asyncIterator]();
  let x: Awaited<ReturnType<typeof extractLogChunks>>;
  try {
    const next = async () => {
      const r = await it.next();
      if (!r.done) scan.feed(r.value);
      return r;
    };
    const scanned: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next, return: async () => ({ done: true, value: undefined }) }),
    };
    x = await extractLogChunks(scanned, opts);
    while (!(await next()).done) {}
  } finally {
    await it.return?.();
  }
  const start = scan.result();
  if (start === null) return null;
  if (start === from) return { ...x, fromStep: from > 0, bytesFrom: from, sought: true };
  const y = await extractLogChunks(log.read(start, log.size, { signal }), opts);
  return { ...y, fromStep: start > 0, bytesFrom: start, sought: true };
}
