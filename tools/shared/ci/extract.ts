/**
 * Finds, in a GitHub Actions job log read line by line, the excerpt a person would have scrolled to —
 * the first real error with its context, not the last 50 lines — and the kind of failure, decided by
 * the rules in rules.ts so triage works without an LLM.
 *
 * This file runs an extractor over a whole log as it streams in. The parts: the engine that walks the
 * lines (log-extractor.ts), the state machine that follows the steps and the error candidate in them
 * (step-tracker.ts), line classification (classify-line.ts), and the result with its excerpt and
 * details (extraction.ts, excerpt.ts, details.ts).
 */

import type { Extraction } from './extraction.ts';
import { createLogExtractor, type ExtractOptions } from './log-extractor.ts';

/**
 * Runs the extractor over a stream of lines and stops reading as soon as the result is settled
 * (breaking out of the loop returns the iterator, which closes a network stream).
 */
export async function extractLog(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: ExtractOptions & { signal?: AbortSignal } = {},
): Promise<Extraction & { stoppedEarly: boolean }> {
  const ex = createLogExtractor(opts);
  let stoppedEarly = false;
  for await (const line of lines) {
    opts.signal?.throwIfAborted();
    ex.push(line);
    if (ex.done) {
      stoppedEarly = true;
      break;
    }
  }
  return { ...ex.result(), stoppedEarly };
}

/**
 * Runs the extractor over a stream of raw chunks (bytes or text, cut anywhere) — the fast path for
 * large logs — and stops reading once the result is settled (breaking out returns the iterator,
 * which closes a file or network stream).
 */
export async function extractLogChunks(
  chunks: AsyncIterable<Uint8Array | string>,
  opts: ExtractOptions & { signal?: AbortSignal } = {},
): Promise<Extraction & { stoppedEarly: boolean }> {
  const ex = createLogExtractor(opts);
  for await (const chunk of chunks) {
    opts.signal?.throwIfAborted();
    ex.write(chunk);
    if (ex.done) return { ...ex.result(), stoppedEarly: true };
  }
  ex.end();
  return { ...ex.result(), stoppedEarly: false };
}
