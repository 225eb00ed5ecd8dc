/**
 * Splits a byte or text stream into lines with bounded memory: at most one partial line is held
 * between chunks, and a line longer than `maxLineLength` is cut there (the rest of it is skipped), so a
 * log with a 2 GB line cannot exhaust memory. Used for job logs read from the network and, in the
 * benchmark, from disk — the same code either way.
 */

/** 64 KiB: far beyond any line a person reads, small enough that a pathological log stays cheap. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export interface SplitOptions {
  maxLineLength?: number;
}

/**
 * Yields the lines of each chunk as one array (without terminators, `\r\n` handled): one await per
 * chunk rather than per line, which matters at millions of lines. A UTF-8 BOM at the start is
 * dropped; a final line without a terminator is included; an empty stream yields nothing. Returning
 * early (break) returns the source iterator, which closes a network body or file stream.
 */
export async function* splitLineBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  opts: SplitOptions = {},
): AsyncGenerator<string[], void, undefined> {
  const max = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  // `fatal: false`: invalid UTF-8 becomes U+FFFD instead of failing the whole triage. The decoder
  // drops a leading BOM from bytes; `first` does it for string chunks.
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  let first = true;
  // True while skipping the remainder of a line that was cut at `max`.
  let skipping = false;

  const finish = (line: string): string => {
    const l = line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    return l.length > max ? l.slice(0, max) : l;
  };

  const split = (text: string, out: string[]): void => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (skipping) {
        skipping = false;
      } else if (pending.length > 0) {
        out.push(finish(pending + text.slice(start, nl)));
        pending = '';
      } else {
        out.push(finish(text.slice(start, nl)));
      }
      start = nl + 1;
    }
    if (start < text.length && !skipping) {
      pending += text.slice(start);
      if (pending.length > max) {
        // Emit the cut line now and drop the rest of it as it arrives.
        out.push(pending.slice(0, max));
        pending = '';
        skipping = true;
      }
    }
  };

  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) continue;
    const out: string[] = [];
    split(text, out);
    if (out.length > 0) yield out;
  }
  const out: string[] = [];
  const tail = decoder.decode();
  if (tail.length > 0) split(tail, out);
  if (pending.length > 0 && !skipping) out.push(finish(pending));
  if (out.length > 0) yield out;
}

/** Line by line; see splitLineBatches for the contract. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array | string>,
  opts: SplitOptions = {},
): AsyncGenerator<string, void, undefined> {
  for await (const batch of splitLineBatches(chunks, opts)) yield* batch;
}
