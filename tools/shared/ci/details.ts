/**
 * The details of a failure that the excerpt's lines spell out: the failing test's place in the
 * repository, expected and received values, an error code.
 */

import type { ExcerptLine } from './excerpt.ts';
import type { Candidate } from './step-tracker.ts';

/** What the excerpt says beyond its lines; a field is absent when the log does not say it. */
export interface ExtractDetails {
  /** Test that failed, as the test runner names it (`Cart › adds an item`, `test_add_item`, `TestAdd`). */
  testName?: string;
  /** First `path:line` in the excerpt that is in the repository (`src/cart.test.ts:12:24`). */
  location?: string;
  expected?: string;
  received?: string;
  /** Compiler / package manager error code (`TS2322`, `ERESOLVE`, `E0308`, `ERR_PNPM_OUTDATED_LOCKFILE`). */
  errorCode?: string;
  /** From `Process completed with exit code N.` */
  exitCode?: number;
}

const SOURCE_EXT =
  'ts|tsx|js|jsx|mjs|cjs|mts|cts|py|go|rs|java|kt|scala|rb|cs|php|c|cc|cpp|h|hpp|swift|vue|svelte';
const LOCATION = new RegExp(
  `((?:[A-Za-z]:)?[\\w./@+-]*[\\w@+-]\\.(?:${SOURCE_EXT}))(?::(\\d+)(?::(\\d+))?|\\((\\d+),(\\d+)\\)|:\\[(\\d+),(\\d+)\\])`,
);
const RUNNER_WORKDIR = /^(?:\/home\/runner\/work|\/__w|[A-Za-z]:[\\/]a)\/[^/]+\/[^/]+\//;

/** `/home/runner/work/shop/shop/src/a.ts` → `src/a.ts`; `./x.go` → `x.go`. */
export function repoRelativePath(p: string): string {
  return p.replace(RUNNER_WORKDIR, '').replace(/^\.\//, '');
}

function findLocation(lines: readonly ExcerptLine[]): string | undefined {
  let fallback: string | undefined;
  for (const l of lines) {
    const m = LOCATION.exec(l.text);
    if (!m) continue;
    const path = repoRelativePath(m[1] as string);
    if (/node_modules|^node:|^internal\/|\/usr\/(?:local\/)?(?:lib|go)\//.test(path)) continue;
    const line = m[2] ?? m[4] ?? m[6];
    const col = m[3] ?? m[5] ?? m[7];
    const loc = line ? `${path}:${line}${col ? `:${col}` : ''}` : path;
    // Prefer a location with a line number.
    if (line) return loc;
    fallback ??= loc;
  }
  return fallback;
}

const PY_FRAME = /^\s*File "([^"]+)", line (\d+)/;

/**
 * Where the candidate error is in the repository (`src/cart.test.ts:12:24`): by the rule's own layout
 * for ESLint and Python tracebacks, else the first repository path in the excerpt `lines`.
 */
export function candidateLocation(c: Candidate, lines: readonly ExcerptLine[]): string | undefined {
  if (c.rule.id === 'eslint') {
    // The file is the path line above the problems; the position is on the problem line.
    const file = [...c.before].reverse().find((l) => /^\S+$/.test(l.text));
    const pos = /^\s+(\d+):(\d+)/.exec(c.line.text);
    if (file && pos) return `${repoRelativePath(file.text)}:${pos[1]}:${pos[2]}`;
  }
  if (c.rule.id === 'traceback') {
    // The innermost frame in the repository is where it failed.
    let loc: string | undefined;
    for (const l of c.after) {
      const m = PY_FRAME.exec(l.text);
      if (m && !/site-packages|\/lib\/python\d/.test(m[1] as string))
        loc = `${repoRelativePath(m[1] as string)}:${m[2]}`;
    }
    if (loc) return loc;
  }
  // The first error line and what follows it, then what precedes it (go test prints the message
  // before `--- FAIL`).
  const fe = c.line.n;
  return findLocation([...lines.filter((l) => l.n >= fe), ...lines.filter((l) => l.n < fe)]);
}

/** The first expected and received values the excerpt states (Jest, pytest, Chai assertions). */
export function findExpectedReceived(lines: readonly ExcerptLine[]): {
  expected?: string;
  received?: string;
} {
  const out: { expected?: string; received?: string } = {};
  for (const { text } of lines) {
    let m = /^\s*Expected(?: value)?(?: substring| pattern| length)?:\s+(.+)$/.exec(text);
    if (m && out.expected === undefined) out.expected = m[1];
    m = /^\s*Received(?: value)?(?: string| length)?:\s+(.+)$/.exec(text);
    if (m && out.received === undefined) out.received = m[1];
    m = /^E\s+assert (.+?) == (.+)$/.exec(text);
    if (m && out.expected === undefined) {
      out.received = m[1];
      out.expected = m[2];
    }
    m = /AssertionError: expected (.+?) to (?:be|equal|deeply equal|strictly equal) (.+?)(?: \/\/.*)?$/.exec(
      text,
    );
    if (m && out.expected === undefined) {
      out.received = m[1];
      out.expected = m[2];
    }
  }
  return out;
}

/** The compiler or package-manager error code in a line (`TS2322`, `E0308`, `ERESOLVE`, `YN0028`). */
export function findErrorCode(text: string): string | undefined {
  const m =
    /\berror (TS\d+):/.exec(text) ??
    /^error\[(E\d{4})\]/.exec(text) ??
    /\bnpm (?:ERR!|error) code (E[A-Z0-9_]+)/.exec(text) ??
    /\b(ERR_PNPM_[A-Z0-9_]+)/.exec(text) ??
    /\b(YN\d{4})\b/.exec(text);
  return m?.[1];
}
