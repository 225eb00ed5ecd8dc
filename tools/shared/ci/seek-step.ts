/**
 * Finding the failed step's start in a ranged job log without reading the step: every line of a
 * GitHub Actions log starts with an RFC 3339 timestamp (`2024-05-01T12:00:00.1234567Z `) and the
 * jobs API gives each step's `started_at`, so a binary search over byte offsets — a few small Range
 * reads, each parsing the timestamp of the first whole line it holds — lands on the step's first
 * lines; its `##[group]Run …` line is then looked for in the bytes there.
 *
 * The seek is a guess: read-from-end.ts checks it while it reads forward (markerScan) and falls back
 * to reading backwards whenever the guess cannot be trusted — no timestamp where a probe landed,
 * timestamps out of order, no step time, a probe that fails, no `##[group]Run ` line near the point.
 */

import { Buffer } from 'node:buffer';
import type { CallOptions, RangedLog } from '../github-port.ts';

/** Bytes read by one probe: enough for the first whole line of nearly any log. */
const PROBE = 16 * 1024;
/** Probes read in parallel per round of the search. */
const FANOUT = 3;
/** The search stops once the step's start is known within this many bytes. */
const CLOSE_ENOUGH = 64 * 1024;
/** How far past the search's lower bound the `##[group]Run ` line is looked for. */
const GROUP_WINDOW = 1 << 20;
/** Step times have second precision and the runner stamps lines itself: this much earlier counts. */
const SAFETY_MS = 1000;

export const GROUP_RUN = Buffer.from('##[group]Run ');
export const ERROR = Buffer.from('##[error]');

const d = (b: Uint8Array, i: number): number => {
  const c = b[i] ?? 0;
  return c >= 48 && c <= 57 ? c - 48 : -1;
};

/** Milliseconds of the `YYYY-MM-DDTHH:MM:SS[.fff…]Z` timestamp at `b[i]`, NaN when there is none. */
export function timestampAt(b: Uint8Array, i: number): number {
  const digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].map((k) => d(b, i + k));
  if (digits.some((x) => x < 0)) return Number.NaN;
  if (b[i + 4] !== 45 || b[i + 7] !== 45 || b[i + 10] !== 84 || b[i + 13] !== 58 || b[i + 16] !== 58)
    return Number.NaN;
  const n = (a: number, len: number) => {
    let v = 0;
    for (let k = 0; k < len; k++) v = v * 10 + (digits[a + k] as number);
    return v;
  };
  let ms = Date.UTC(n(0, 4), n(4, 2) - 1, n(6, 2), n(8, 2), n(10, 2), n(12, 2));
  let j = i + 19;
  if (b[j] === 46 /* . */) {
    let scale = 100;
    for (j++; d(b, j) >= 0; j++) {
      ms += d(b, j) * scale;
      scale /= 10;
    }
  }
  return b[j] === 90 /* Z */ ? ms : Number.NaN;
}

/** Bytes `[start, end)` of the log, gathered. */
export async function readRange(
  log: RangedLog,
  start: number,
  end: number,
  opts: CallOptions,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of log.read(start, Math.min(end, log.size), opts)) parts.push(p);
  return Buffer.concat(parts);
}

type Probe = { line: number; ts: number } | 'none' | 'bad';

/** The first whole line at or after `at` (`at` itself when 0) and its timestamp. */
async function probe(log: RangedLog, at: number, opts: CallOptions): Promise<Probe> {
  const b = await readRange(log, at, at + PROBE, opts);
  let i = 0;
  if (at > 0) {
    const nl = b.indexOf(10);
    // No line starts in the window: at the log's end, none at all; else a line too long to tell.
    if (nl === -1) return at + b.length >= log.size ? 'none' : 'bad';
    i = nl + 1;
    if (at + i >= log.size) return 'none';
  } else if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
  const ts = timestampAt(b, i);
  return Number.isNaN(ts) ? 'bad' : { line: at + i, ts };
}

/**
 * Byte offset of the line that starts the step that began at `startedAt` (ISO time, second
 * precision): a `##[group]Run ` line stamped within a second of it, found by a binary search over
 * the log's timestamps. Null when the log cannot be searched so (see above).
 * `stepName` (`Run npm test`) is preferred when a group line of that title is in the window.
 */
export async function seekStepStart(
  log: RangedLog,
  startedAt: string,
  opts: CallOptions & { stepName?: string } = {},
): Promise<number | null> {
  const target = Date.parse(startedAt) - SAFETY_MS;
  if (Number.isNaN(target) || log.size === 0) return null;
  // A line start stamped before the target (or 0), and a bound the step's first line is not after.
  let lo = 0;
  let hi = log.size;
  const seen: { line: number; ts: number }[] = [];
  for (let round = 0; hi - lo > CLOSE_ENOUGH; round++) {
    if (round > 40) return null;
    opts.signal?.throwIfAborted();
    const points = Array.from(
      { length: FANOUT },
      (_, k) => lo + Math.floor(((hi - lo) * (k + 1)) / (FANOUT + 1)),
    );
    const found = await Promise.all(points.map((p) => probe(log, p, opts)));
    let newLo = lo;
    let newHi = hi;
    for (const [k, f] of found.entries()) {
      if (f === 'bad') return null;
      const p = points[k] as number;
      if (f === 'none') {
        newHi = Math.min(newHi, p);
        continue;
      }
      seen.push(f);
      if (f.ts < target) newLo = Math.max(newLo, f.line);
      else newHi = Math.min(newHi, f.line);
    }
    // Timestamps out of order: the log is not one the search can trust.
    seen.sort((a, b) => a.line - b.line);
    for (let k = 1; k < seen.length; k++)
      if ((seen[k] as { ts: number }).ts < (seen[k - 1] as { ts: number }).ts) return null;
    if (newLo >= newHi || (newLo === lo && newHi === hi)) break;
    lo = newLo;
    hi = newHi;
  }
  const window = await readRange(
    log,
    lo,
    lo + Math.min(GROUP_WINDOW, Math.max(hi - lo, 0) + CLOSE_ENOUGH),
    opts,
  );
  const title = opts.stepName ? Buffer.from(`##[group]${opts.stepName}`) : null;
  // The step's own line is stamped within a second of its start: the last group line before the
  // end of that second (an earlier step may have started within the second of safety), unless a
  // line has the step's title; the first group line after the second when there is none in it.
  const secondEnd = target + SAFETY_MS + 1000;
  let inSecond: number | null = null;
  for (let g = window.indexOf(GROUP_RUN); g !== -1; g = window.indexOf(GROUP_RUN, g + 1)) {
    // `lo` starts a line, so a group without a line break before it in the window is on that line.
    const line = window.lastIndexOf(10, g) + 1;
    const ts = timestampAt(window, line === 0 && window[0] === 0xef ? 3 : line);
    if (Number.isNaN(ts)) return null;
    if (ts < target) continue;
    if (ts >= secondEnd) return inSecond ?? lo + line;
    inSecond = lo + line;
    if (!title) continue;
    const eol = window.indexOf(10, g);
    const end = eol === -1 ? window.length : window[eol - 1] === 13 ? eol - 1 : eol;
    if (end - g === title.length && window.subarray(g, end).equals(title)) return lo + line;
  }
  return inSecond;
}

/**
 * What read-from-end.ts needs to check a seek: fed the log's bytes in order from some offset, the
 * last `##[error]` seen and the start of the line of the last `##[group]Run ` before it — the offset
 * the backward read (failedStepOffset) finds, when it lies in the bytes fed.
 */
export function markerScan(from: number) {
  let pos = from;
  let lineStart = from;
  let lastGroup = -1;
  let lastError = -1;
  let groupAtError = -1;
  let tail = Buffer.alloc(0);
  /** A marker that starts in the previous chunk's last bytes and ends in `c`: where it starts in `edge`. */
  const straddling = (edge: Buffer, m: Buffer): number => {
    const s = edge.indexOf(m);
    return s !== -1 && s < tail.length && s + m.length > tail.length ? s : -1;
  };
  return {
    feed(chunk: Uint8Array): void {
      const c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (tail.length > 0) {
        const edge = Buffer.concat([tail, c.subarray(0, GROUP_RUN.length)]);
        const g = straddling(edge, GROUP_RUN);
        const e = straddling(edge, ERROR);
        if (g !== -1 && (e === -1 || g < e)) lastGroup = lineStart;
        if (e !== -1) {
          lastError = pos - tail.length + e;
          groupAtError = lastGroup;
        }
        if (g !== -1 && e !== -1 && g > e) lastGroup = lineStart;
      }
      const lineOf = (i: number) => {
        const nl = c.lastIndexOf(10, i);
        return nl === -1 ? lineStart : pos + nl + 1;
      };
      const e = c.lastIndexOf(ERROR);
      if (e !== -1) {
        lastError = pos + e;
        const g = e > 0 ? c.lastIndexOf(GROUP_RUN, e - 1) : -1;
        groupAtError = g !== -1 ? lineOf(g) : lastGroup;
      }
      const g = c.lastIndexOf(GROUP_RUN);
      if (g !== -1) lastGroup = lineOf(g);
      const nl = c.lastIndexOf(10);
      if (nl !== -1) lineStart = pos + nl + 1;
      pos += c.length;
      const keep = GROUP_RUN.length - 1;
      tail =
        c.length >= keep
          ? Buffer.from(c.subarray(c.length - keep))
          : Buffer.concat([tail, c]).subarray(-keep);
    },
    /** Bytes fed so far end at this offset. */
    get end(): number {
      return pos;
    },
    /** The backward read's offset if it lies in the bytes fed, else null. */
    result(): number | null {
      return lastError === -1 || groupAtError === -1 ? null : groupAtError;
    },
  };
}
