/**
 * Splits a command line into words, honouring "double" and 'single' quotes. Each command parses its
 * own words (flags included, e.g. tools/shared/kube/command-args.ts).
 */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Levenshtein distance, for "did you mean …". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}

/** The candidates closest to `word` (distance ≤ 2, or a shared prefix), best first. */
export function closest(word: string, candidates: readonly string[], max = 3): string[] {
  return candidates
    .map((c) => ({ c, d: c.startsWith(word) || word.startsWith(c) ? 0.5 : editDistance(word, c) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.c);
}
