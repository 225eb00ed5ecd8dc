/**
 * The excerpt a triage shows: lines of the raw log, and how the lines an extractor kept (context
 * before, the error, context after, headlines) become one short, ordered, de-duplicated list.
 */

/** One line of the excerpt. `n` is its 1-based line number in the raw job log. */
export interface ExcerptLine {
  n: number;
  text: string;
  /** How many more times the same text appeared in the excerpt's range (dropped as duplicates). */
  repeats?: number;
}

/**
 * `s` whole up to `max` characters; beyond, its start and end with "…" in the middle — a compiler's
 * message is at the end of a long line, its file at the start.
 */
export function cutMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, max);
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/**
 * Orders by line number, drops blank lines and repeated texts (counting them on the first), and trims
 * to `max` lines keeping the first error and what is nearest after it.
 */
export function assemble(
  parts: readonly ExcerptLine[],
  firstN: number,
  max: number,
  cut: (s: string) => string,
): ExcerptLine[] {
  const byN = new Map<number, ExcerptLine>();
  for (const p of parts) if (!byN.has(p.n)) byN.set(p.n, p);
  const sorted = [...byN.values()].sort((a, b) => a.n - b.n);
  const out: ExcerptLine[] = [];
  const seen = new Map<string, ExcerptLine>();
  for (const p of sorted) {
    const text = cut(p.text);
    if (text.trim().length === 0) continue;
    const prev = seen.get(text);
    if (prev && p.n !== firstN) {
      prev.repeats = (prev.repeats ?? 0) + 1;
      continue;
    }
    const line: ExcerptLine = { n: p.n, text };
    seen.set(text, line);
    out.push(line);
  }
  if (out.length <= max) return out;
  // Keep a little context before the first error, then as much as fits after it.
  const at = Math.max(
    0,
    out.findIndex((l) => l.n === firstN),
  );
  const start = Math.max(0, Math.min(at - 3, out.length - max));
  return out.slice(start, start + max);
}
