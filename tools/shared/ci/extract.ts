/**
 * Finds, in a GitHub Actions job log read line by line, the excerpt a person would have scrolled to —
 * the first real error with its context, not the last 50 lines — and the kind of failure, decided by
 * the rules in rules.ts so triage works without an LLM.
 *
 * Streaming with bounded state: a small ring of recent lines for "context before", the one hunk being
 * built, a handful of headline lines. Nothing grows with the log, so a 2 GB log costs what a 2 MB one
 * does, and `done` turns true as soon as more reading cannot change the verdict, so the caller can
 * stop downloading.
 *
 * How the verdict is reached:
 * - The log is cut into sections at each `##[group]Run …` (a step, or a step inside a composite
 *   action) and at `Post job cleanup.`; the Run header group (the command echo, `with:`, `env:`) is
 *   not searched, so a script that merely mentions "error" does not match.
 * - The first primary (decisive) error is a candidate. If its section then ends without any
 *   `##[error]` line, the step passed (an `npm ERR!` under `|| true`, a test that logs errors on
 *   purpose): the candidate is discarded and the search goes on. If the section ends with the runner's
 *   verdict (`##[error]Process completed with exit code 1.`, a timeout, a cancellation), it is
 *   confirmed and reading can stop.
 * - A strong candidate whose step has not ended after `settleLines` more lines is taken as is: the
 *   rest of a long step (Jest's other 500 test files) cannot make its first error less first. This is
 *   the one heuristic stop; it can only miss a later discard of the candidate.
 * - Weak matches (`Error: …`) count only when nothing stronger shows up in the failing step.
 * - With no candidate, the runner's verdict decides (timeout, cancelled, runner lost, exit 137 = out
 *   of memory) and the lines just before it form the excerpt.
 */

import { Buffer } from 'node:buffer';
import { cleanLine, stripAnsi, timestampLength, visibleStart } from './clean.ts';
import { ANNOTATION_RULE, BUILDKIT_STEP_RULE, type FailureKind, RULES, type Rule } from './rules.ts';

export type { FailureKind } from './rules.ts';

/** One line of the excerpt. `n` is its 1-based line number in the raw job log. */
export interface ExcerptLine {
  n: number;
  text: string;
  /** How many more times the same text appeared in the excerpt's range (dropped as duplicates). */
  repeats?: number;
}

/** A part of the log that starts at `##[group]Run …` (or the job set-up before the first one). */
export interface LogSection {
  /** 0 = the job set-up before the first step; then one per `##[group]Run` / `Post job cleanup.`. */
  index: number;
  /** `Set up job`, `Run npm test`, `Post job cleanup` */
  title: string;
  /** Line number of the section's first line (its `##[group]Run` line). */
  startLine: number;
}

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

export interface Extraction {
  kind: FailureKind;
  /** Id of the rule that decided the kind (`jest`, `tsc`, `exit-code`, …), null when nothing matched. */
  rule: string | null;
  /** high: a decisive error or runner verdict; medium: a generic error or a summary line; low: only the tail. */
  confidence: 'high' | 'medium' | 'low';
  /** The line the excerpt is about; what a fingerprint is built from. */
  firstError: ExcerptLine | null;
  /** The excerpt, in log order, de-duplicated, at most `maxLines` lines. Not yet redacted. */
  lines: ExcerptLine[];
  /** The section (step) the first error is in. */
  section: LogSection | null;
  /** The runner's verdict line, when one was read (it can disagree with `kind`: a test failed, then the job timed out). */
  terminal: { rule: string; kind: FailureKind; line: ExcerptLine } | null;
  details: ExtractDetails;
  /** Lines pushed into the extractor. */
  linesRead: number;
  /** True once more lines could not change the result (the caller may stop reading). */
  settled: boolean;
  /** Error candidates dropped because their step passed. */
  discarded: number;
}

export interface ExtractOptions {
  /** Excerpt size cap (default 40 lines). */
  maxLines?: number;
  /** Each excerpt line is cut to this many characters (default 400). */
  maxLineLength?: number;
  /** Stop this many lines after a decisive error even if its step has not ended (default 500). */
  settleLines?: number;
}

/** Feed one log either line by line (`push`) or in raw chunks (`write` … `end`), not both. */
export interface LogExtractor {
  /** Feeds the next raw line (timestamps and colours are handled here). Ignored once `done`. */
  push(rawLine: string): void;
  /**
   * Feeds raw log text or bytes (UTF-8) in chunks cut anywhere, even inside a line or a character;
   * call `end()` after the last one. Several times faster than `push` per line on large logs:
   * ordinary lines are examined where they lie in the chunk and never become strings of their own.
   * Memory stays bounded by the chunk size plus 64 KiB (a longer line is cut there). Ignored once `done`.
   */
  write(chunk: string | Uint8Array): void;
  /** The log is complete: processes a last line that had no line break. */
  end(): void;
  /** More lines cannot change the result. */
  readonly done: boolean;
  /** The result so far; call at the end of the log or once `done`. */
  result(): Extraction;
}

// ── Rule dispatch ───────────────────────────────────────────────────────────────────────────────────

/**
 * A rule in the dispatch tables, with the fields the hot path reads copied out: rules are object
 * literals of many shapes, and reading `rule.starts` across them is a megamorphic property access.
 */
interface Entry {
  rule: Rule;
  order: number;
  starts: readonly string[];
  trimmed: RegExp | null;
}
interface Hit {
  rule: Rule;
  order: number;
  m: RegExpExecArray;
}

interface Dispatch {
  byChar: Map<number, Entry[]>;
  /** byChar for ASCII, as an array (a hot-path lookup). */
  byAscii: (Entry[] | undefined)[];
  digit: Entry[];
  contains: Entry[];
  /** One scan that tells whether any `contains` literal occurs in a line. */
  containsGate: RegExp;
  /** The same with the g flag, to start the scan at an offset (lastIndex). */
  containsGateG: RegExp;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function buildDispatch(rules: readonly Rule[]): Dispatch {
  const byChar = new Map<number, Entry[]>();
  const digit: Entry[] = [];
  const contains: Entry[] = [];
  rules.forEach((rule, order) => {
    const e: Entry = { rule, order, starts: rule.starts ?? [], trimmed: rule.trimmed ?? null };
    if (rule.starts) {
      const chars = new Set(rule.starts.map((s) => s.charCodeAt(0)));
      for (const c of chars) {
        const list = byChar.get(c) ?? [];
        list.push(e);
        byChar.set(c, list);
      }
    } else if (rule.startsDigit) {
      digit.push(e);
    } else if (rule.contains) {
      contains.push(e);
    } else {
      throw new Error(`rule ${rule.id} needs starts, startsDigit or contains`);
    }
  });
  const gates = [...new Set(contains.map((e) => e.rule.gate ?? escapeRe(e.rule.contains as string)))];
  const gate = gates.join('|');
  for (const e of contains) {
    // The gate must be a superset of its literal, or lines would be missed.
    if (!new RegExp(e.rule.gate ?? escapeRe(e.rule.contains as string)).test(`x${e.rule.contains}1`)) {
      throw new Error(`rule ${e.rule.id}: gate does not match its own literal`);
    }
  }
  const byAscii: (Entry[] | undefined)[] = new Array(128).fill(undefined);
  for (const [c, list] of byChar) if (c < 128) byAscii[c] = list;
  return {
    byChar,
    byAscii,
    digit,
    contains,
    containsGate: new RegExp(gate),
    containsGateG: new RegExp(gate, 'g'),
  };
}

const DISPATCH = buildDispatch(RULES);
/** The same rules minus the runner verdicts, to classify the message of a `##[error]` annotation. */
const ANNOTATION_DISPATCH = buildDispatch(RULES.filter((r) => r.role !== 'terminal'));

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Offset past a BuildKit progress prefix (`#12 0.512 `, `#12 `), 0 when there is none. */
function buildkitOffset(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  if (j === i + 1 || s.charCodeAt(j) !== 32) return 0;
  j++;
  // optional elapsed seconds: `0.512 `
  let k = j;
  let dot = false;
  for (; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 46) dot = true;
    else if (c < 48 || c > 57) break;
  }
  if (k > j && dot && s.charCodeAt(k) === 32) return k + 1;
  return j;
}

function startsAny(s: string, i: number, starts: readonly string[]): boolean {
  for (let k = 0; k < starts.length; k++) if (s.startsWith(starts[k] as string, i)) return true;
  return false;
}

function classifyWith(d: Dispatch, s: string): Hit | undefined {
  const i = firstNonSpace(s);
  if (i >= s.length) return undefined;
  const c = s.charCodeAt(i);
  if (c === 35 /* # */ && i + 1 < s.length) {
    const d1 = s.charCodeAt(i + 1);
    if (d1 >= 48 && d1 <= 57) {
      const j = buildkitOffset(s, i);
      if (j > 0) {
        const inner = s.slice(j);
        const hit = classifyWith(d, inner);
        if ((!hit || hit.rule.role === 'weak') && inner.startsWith('ERROR: ')) {
          const m = BUILDKIT_STEP_RULE.re.exec(inner);
          if (m) return { rule: BUILDKIT_STEP_RULE, order: -1, m };
        }
        return hit;
      }
    }
  }
  let best: Hit | undefined;
  const list = d.byChar.get(c);
  if (list) {
    for (const e of list) {
      if (!startsAny(s, i, e.rule.starts as readonly string[])) continue;
      const m = e.rule.re.exec(s);
      if (m) {
        best = { rule: e.rule, order: e.order, m };
        break;
      }
    }
  }
  if (c >= 48 && c <= 57) {
    for (const e of d.digit) {
      if (best && e.order > best.order) break;
      const m = e.rule.re.exec(s);
      if (m) {
        best = { rule: e.rule, order: e.order, m };
        break;
      }
    }
  }
  if (d.contains.length > 0 && d.containsGate.test(s)) {
    for (const e of d.contains) {
      if (best && e.order > best.order) break;
      if (!s.includes(e.rule.contains as string)) continue;
      const m = e.rule.re.exec(s);
      if (m) {
        best = { rule: e.rule, order: e.order, m };
        break;
      }
    }
  }
  return best;
}

/**
 * Whether a rule could match the text `line[off, end)`, by the literal gates only (first character,
 * `starts` literals); `gateHit` says whether a `contains` literal occurs in it (the caller knows:
 * it scans whole chunks at once). False for the vast majority of lines, which then cost a few
 * character reads and no allocation.
 */
function mayMatch(line: string, off: number, end: number, gateHit: boolean, latin1 = false): boolean {
  if (gateHit) return true;
  let i = off;
  while (i < end) {
    const ch = line.charCodeAt(i);
    if (ch !== 32 && ch !== 9) break;
    i++;
  }
  if (i >= end) return false;
  const c = line.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    // Only the digit rules could match; test them on the line itself (no other rule starts so).
    const t = line.slice(i, end);
    for (const e of DISPATCH.digit) if (e.trimmed === null || e.trimmed.test(t)) return true;
    return false;
  }
  if (c === 35 /* # */) {
    // A BuildKit line (`#12 0.5 …`): what matters is the text after the prefix.
    const d = line.charCodeAt(i + 1);
    if (d >= 48 && d <= 57) {
      const j = buildkitOffset(line, i);
      if (j > 0) return line.startsWith('ERROR: ', j) || mayMatch(line, j, end, false, latin1);
    }
    return true;
  }
  if (latin1 && c >= 128) {
    // Bytes seen as Latin-1: compare the UTF-8 bytes of the non-ASCII `starts` literals.
    const lits = LATIN1_STARTS.get(c);
    if (lits) for (const lit of lits) if (line.startsWith(lit, i)) return true;
    return false;
  }
  const list = c < 128 ? DISPATCH.byAscii[c] : DISPATCH.byChar.get(c);
  if (list) {
    for (let k = 0; k < list.length; k++) if (startsAny(line, i, (list[k] as Entry).starts)) return true;
  }
  return false;
}

/**
 * `starts` literals that begin with a non-ASCII character, as the Latin-1 view of their UTF-8 bytes,
 * by first byte: the dispatch for logs read as bytes (see LogExtractor.write).
 */
const LATIN1_STARTS = (() => {
  const m = new Map<number, string[]>();
  for (const r of RULES) {
    for (const lit of r.starts ?? []) {
      if (lit.charCodeAt(0) < 128) continue;
      const l1 = Buffer.from(lit, 'utf8').toString('latin1');
      const list = m.get(l1.charCodeAt(0)) ?? [];
      list.push(l1);
      m.set(l1.charCodeAt(0), list);
    }
  }
  return m;
})();

/** Text of a Latin-1 view of UTF-8 bytes. */
function utf8OfLatin1(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/**
 * For coloured lines: whether a `contains` literal could appear once colour codes are removed. A
 * superset test (each literal's most distinctive word), so it may say yes needlessly, never no wrongly.
 */
const LOOSE_GATE = /error|Killed|\.go|\.py|lint|No space/;
const LOOSE_GATE_G = new RegExp(LOOSE_GATE.source, 'g');

/**
 * Copies a short string out of the large chunk it was sliced from, so keeping a few excerpt lines
 * does not keep whole megabyte chunks alive (V8 substrings share their parent's memory).
 */
function detach(s: string): string {
  return ` ${s}`.slice(1);
}

/**
 * The rule a single cleaned line matches, if any (first matching rule wins). `##[error]` annotations
 * are classified by their message. Exposed for tests and for callers that classify one line.
 */
export function classifyLine(line: string): { rule: Rule; kind: FailureKind; match: RegExpExecArray } | null {
  const hit = classifyWith(DISPATCH, line);
  if (hit) return { rule: hit.rule, kind: hit.rule.kind, match: hit.m };
  if (line.startsWith('##[error]')) {
    const m = ANNOTATION_RULE.re.exec(line);
    if (!m) return null;
    const inner = classifyWith(ANNOTATION_DISPATCH, m[1] as string);
    return { rule: ANNOTATION_RULE, kind: inner?.rule.kind ?? 'unknown', match: m };
  }
  return null;
}

// ── Details ─────────────────────────────────────────────────────────────────────────────────────────

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

function candidateLocation(c: Candidate, lines: readonly ExcerptLine[]): string | undefined {
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

function findExpectedReceived(lines: readonly ExcerptLine[]): { expected?: string; received?: string } {
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

function findErrorCode(text: string): string | undefined {
  const m =
    /\berror (TS\d+):/.exec(text) ??
    /^error\[(E\d{4})\]/.exec(text) ??
    /\bnpm (?:ERR!|error) code (E[A-Z0-9_]+)/.exec(text) ??
    /\b(ERR_PNPM_[A-Z0-9_]+)/.exec(text) ??
    /\b(YN\d{4})\b/.exec(text);
  return m?.[1];
}

// ── The extractor ───────────────────────────────────────────────────────────────────────────────────

interface Section extends LogSection {
  hasError: boolean;
}

interface Candidate {
  rule: Rule;
  kind: FailureKind;
  ruleId: string;
  strong: boolean;
  line: ExcerptLine;
  match: RegExpExecArray;
  section: Section;
  before: ExcerptLine[];
  after: ExcerptLine[];
  /** After-context still being collected. */
  open: boolean;
  afterLooked: number;
  confirmed: boolean;
  /** Lines just before the runner's verdict, and the verdict itself. */
  tail: ExcerptLine[];
}

const RING = 16;
/** Longest line written chunks may carry over (as the line splitter's default). */
const MAX_LINE = 64 * 1024;
const MAX_SUMMARIES = 4;

export function createLogExtractor(opts: ExtractOptions = {}): LogExtractor {
  const maxLines = opts.maxLines ?? 40;
  const maxLineLength = opts.maxLineLength ?? 400;
  const settleLines = opts.settleLines ?? 500;

  let n = 0;
  let done = false;
  let depth = 0;
  let inRunHeader = false;
  let section: Section = { index: 0, title: 'Set up job', startLine: 1, hasError: false };
  let candidate: Candidate | null = null;
  let discarded = 0;
  let terminal:
    | (ExcerptLine & { rule: Rule; kind: FailureKind; section: Section; tail: ExcerptLine[] })
    | null = null;
  let summaries: { line: ExcerptLine; rule: Rule; section: Section }[] = [];

  // Ring of recent content lines (no blanks, no consecutive duplicates) in the current section. It
  // keeps where the text is (a raw line or a whole chunk, and a range in it), so the hot path slices
  // nothing; ringTake slices the few lines it returns.
  const ringN = new Array<number>(RING).fill(0);
  const ringSrc = new Array<string>(RING).fill('');
  const ringOff = new Array<number>(RING).fill(0);
  const ringEnd = new Array<number>(RING).fill(0);
  const ringLatin1 = new Array<boolean>(RING).fill(false);
  let ringLen = 0;
  let ringHead = 0; // next write position

  const ringPush = (num: number, src: string, off: number, end: number, latin1 = false): void => {
    if (ringLen > 0) {
      const p = (ringHead + RING - 1) % RING;
      const pOff = ringOff[p] as number;
      const pEnd = ringEnd[p] as number;
      if (pEnd - pOff === end - off && (ringSrc[p] as string).slice(pOff, pEnd) === src.slice(off, end))
        return;
    }
    ringN[ringHead] = num;
    ringSrc[ringHead] = src;
    ringOff[ringHead] = off;
    ringEnd[ringHead] = end;
    ringLatin1[ringHead] = latin1;
    ringHead = (ringHead + 1) % RING;
    if (ringLen < RING) ringLen++;
  };
  /** Up to `count` most recent ring lines (oldest first), walking back no further than `stop`. */
  const ringTake = (count: number, stop?: RegExp): ExcerptLine[] => {
    const out: ExcerptLine[] = [];
    for (let k = 1; k <= Math.min(count, ringLen); k++) {
      const idx = (ringHead + RING - k) % RING;
      const slice = (ringSrc[idx] as string).slice(ringOff[idx] as number, ringEnd[idx] as number);
      const text = detach(stripAnsi(ringLatin1[idx] ? utf8OfLatin1(slice) : slice));
      out.push({ n: ringN[idx] as number, text });
      if (stop?.test(text)) break;
    }
    return out.reverse();
  };

  const cut = (text: string): string => {
    const t = text.trimEnd();
    return t.length > maxLineLength ? `${t.slice(0, maxLineLength - 1)}…` : t;
  };

  const newSection = (title: string): void => {
    // Context never crosses into the next step.
    if (candidate && candidate.section === section) candidate.open = false;
    if (candidate && candidate.section === section && !candidate.confirmed) {
      if (section.hasError) {
        candidate.confirmed = true;
      } else {
        // The step that printed this error passed: not the failure we are looking for.
        discarded++;
        candidate = null;
      }
    }
    if (!section.hasError) summaries = summaries.filter((s) => s.section !== section);
    section = { index: section.index + 1, title, startLine: n, hasError: false };
    ringLen = 0;
    if (candidate?.confirmed && !candidate.open) done = true;
  };

  const startCandidate = (
    rule: Rule,
    kind: FailureKind,
    m: RegExpExecArray,
    text: string,
    strong: boolean,
  ) => {
    const before = (rule.before ?? 2) > 0 ? ringTake(rule.before ?? 2, rule.beforeStop) : [];
    candidate = {
      rule,
      kind,
      ruleId: rule === ANNOTATION_RULE ? annotationId(m) : rule.id,
      strong,
      line: { n, text },
      match: m,
      section,
      before,
      after: [],
      open: (rule.after ?? 6) > 0,
      afterLooked: 0,
      confirmed: false,
      tail: [],
    };
  };

  const feedAfter = (c: Candidate, text: string): void => {
    const rule = c.rule;
    const max = rule.after ?? 6;
    c.afterLooked++;
    if (rule.stopBefore?.test(text)) {
      c.open = false;
      return;
    }
    if (!rule.keep || rule.keep.test(text)) c.after.push({ n, text });
    if (rule.until?.test(text) || c.after.length >= max || c.afterLooked >= max * 4) c.open = false;
  };

  /** The candidate's step ended with the runner's verdict (or another `##[error]`): it is the failure. */
  const confirm = (c: Candidate, text: string): void => {
    if (!c.confirmed) {
      c.confirmed = true;
      // The lines just before the verdict: all of them for a weak candidate; for a strong one only
      // those that say something (summaries like `FAIL pkg 0.01s`, not `Time: 7.2 s`).
      const recent = ringTake(3);
      c.tail = [...(c.strong ? recent.filter((l) => classifyLine(l.text) !== null) : recent), { n, text }];
    }
    // Nothing after the verdict belongs to the step.
    c.open = false;
    done = true;
  };

  const onTerminal = (rule: Rule, text: string): void => {
    if (terminal === null) {
      const tail = ringTake(rule.before ?? 4);
      terminal = { n, text, rule, kind: rule.kind, section, tail };
    }
    if (candidate && candidate.section === section) {
      confirm(candidate, text);
    } else if (!candidate) {
      // Nothing decisive before the runner's verdict: the verdict and the lines before it are the story.
      done = true;
    }
  };

  /**
   * One line: `src[s, e)` (a raw line, or a line inside a chunk). `hasEsc`: the range contains an
   * escape character; `gateHit`: it contains a `contains` literal. The caller has counted the line.
   */
  const handle = (
    src: string,
    s: number,
    e: number,
    hasEsc: boolean,
    gateHit: boolean,
    looseHit: boolean,
    latin1 = false,
  ): void => {
    // `line[off, end)` is the text. Most lines are never sliced (no allocation, little GC).
    let line = src;
    let off = s + timestampLength(src, s, e);
    let end = e;
    if (hasEsc) {
      // Coloured line. Building the stripped string costs more than everything else a line costs,
      // so it is only built when the line could matter: it is a workflow command, a rule could
      // match its first visible character, or its text (colour codes can split a literal, as in
      // `\e[91merror\e[0m TS2322`) loosely contains a `contains` literal. Otherwise it is context
      // only, kept raw in the ring and stripped if ever shown.
      const v = visibleStart(src, off, e);
      const cv = src.charCodeAt(v);
      const matters =
        v >= e ||
        gateHit ||
        cv === 35 /* # */ ||
        cv === 80 /* P */ ||
        (candidate?.open ?? false) ||
        mayMatch(src, v, e, false, latin1) ||
        looseHit;
      if (!matters && !inRunHeader && !candidate?.strong) {
        ringPush(n, src, off, e, latin1);
        return;
      }
      line = stripAnsi(latin1 ? utf8OfLatin1(src.slice(off, e)) : src.slice(off, e));
      off = 0;
      end = line.length;
      gateHit = DISPATCH.containsGate.test(line);
    }
    if (end - off > 4096) {
      line = line.slice(off, off + 4096);
      off = 0;
      end = line.length;
    }
    const c0 = line.charCodeAt(off);

    // Workflow commands and groups.
    let isAnnotation = false;
    if (c0 === 35 /* # */ && line.startsWith('##[', off)) {
      if (line.startsWith('##[group]', off)) {
        // A step's header group. Reset the depth: a tool that opened a group and never closed it
        // must not hide the next steps.
        if (line.startsWith('##[group]Run ', off)) {
          newSection(detach(line.slice(off + 9, end).trimEnd()));
          inRunHeader = true;
          depth = 0;
        }
        depth++;
        return;
      }
      if (line.startsWith('##[endgroup]', off)) {
        if (depth > 0) depth--;
        inRunHeader = false;
        return;
      }
      if (line.startsWith('##[debug]', off)) return;
      if (line.startsWith('##[error]', off)) {
        section.hasError = true;
        isAnnotation = true;
      }
    }
    if (inRunHeader) return;
    if (c0 === 80 /* P */ && depth === 0 && line.startsWith('Post job cleanup.', off)) {
      newSection('Post job cleanup');
      return;
    }

    const c = candidate;
    if (c?.open) {
      feedAfter(c, detach(line.slice(off, end)));
      if (!c.open && c.confirmed) done = true;
    }

    // Once a strong error is held, only the runner's verdict (`##[error]…`) matters until the step ends.
    if (c?.strong && !isAnnotation) {
      if (n - c.line.n >= settleLines && !c.open) done = true;
      if (end > off) ringPush(n, line, off, end);
      return;
    }

    if (end === off) return;
    if (isAnnotation || mayMatch(line, off, end, gateHit)) {
      const text = detach(line.slice(off, end));
      const hit = classifyLine(text);
      if (hit) {
        const { rule, kind, match } = hit;
        // A strong error replaces a weak one unless the weak one's step already failed.
        const replaceable = !c || (!c.strong && !c.confirmed);
        if (rule.role === 'terminal') {
          onTerminal(rule, text);
        } else if (rule.role === 'primary' || isAnnotation) {
          if (replaceable) startCandidate(rule, kind, match, text, true);
        } else if (rule.role === 'weak') {
          if (!c) startCandidate(rule, kind, match, text, false);
        } else if (rule.role === 'summary' && summaries.length < MAX_SUMMARIES) {
          summaries.push({ line: { n, text }, rule, section });
        }
      }
      // Any `##[error]` after the candidate in its step confirms it (`##[error]buildx failed with: …`).
      if (isAnnotation && c && c === candidate && c.section === section && hit?.rule.role !== 'terminal') {
        confirm(c, text);
      }
    }
    ringPush(n, line, off, end);
  };

  const push = (raw: string): void => {
    n++;
    if (done) return;
    const hasEsc = raw.indexOf('\u001b') !== -1;
    handle(raw, 0, raw.length, hasEsc, DISPATCH.containsGate.test(raw), hasEsc && LOOSE_GATE.test(raw));
  };

  /**
   * The lines of `block` from `start` (a line start) up to `len` (just after a `\n`, or the end of
   * the log). `block` is the chunk's own flat string — never a concatenation, whose every character
   * read would go through an indirection.
   */
  const scanBlock = (block: string, len: number, latin1: boolean, start = 0): void => {
    const gate = DISPATCH.containsGateG;
    // Next escape character and next `contains` literal in the block: one scan each for the whole
    // block, advanced only when passed.
    let nextEsc = block.indexOf('\u001b', start);
    if (nextEsc === -1) nextEsc = len;
    // Scanned on first need: once a decisive error is held, ordinary lines never need it.
    let nextGate = -1;
    const gateHitAt = (s: number, e: number): boolean => {
      if (nextGate < s) {
        gate.lastIndex = s;
        nextGate = gate.exec(block)?.index ?? len;
      }
      return nextGate < e;
    };
    // The loose gate is only needed on coloured lines; scanned lazily.
    let nextLoose = -1;
    let s = start;
    while (s < len && !done) {
      let e = block.indexOf('\n', s);
      const next = e === -1 ? len : e + 1;
      if (e === -1) e = len;
      if (e > s && block.charCodeAt(e - 1) === 13) e--;
      if (nextEsc < s) {
        nextEsc = block.indexOf('\u001b', s);
        if (nextEsc === -1) nextEsc = len;
      }
      const hasEsc = nextEsc < e;
      let looseHit = false;
      if (hasEsc) {
        if (nextLoose < s) {
          LOOSE_GATE_G.lastIndex = s;
          nextLoose = LOOSE_GATE_G.exec(block)?.index ?? len;
        }
        looseHit = nextLoose < e;
      }
      n++;

      // Fast path, for the ordinary line (GitHub timestamp, no colour, not a workflow command, no
      // error candidate collecting context): exactly what `handle` would do, without the call and
      // the branches. Anything else goes to `handle`.
      const c = candidate;
      if (
        !hasEsc &&
        (c === null || !c.open) &&
        e - s >= 29 &&
        block.charCodeAt(s + 28) === 32 &&
        block.charCodeAt(s + 27) === 90 /* Z */ &&
        block.charCodeAt(s + 19) === 46 /* . */ &&
        block.charCodeAt(s + 10) === 84 /* T */ &&
        block.charCodeAt(s + 4) === 45 /* - */
      ) {
        const off = s + 29;
        const c0 = block.charCodeAt(off);
        if (c0 !== 35 /* # */ && !(c0 === 80 /* P */ && block.startsWith('Post job cleanup.', off))) {
          if (inRunHeader) {
            s = next;
            continue;
          }
          if (c?.strong) {
            if (n - c.line.n >= settleLines) done = true;
            if (e > off) ringPush(n, block, off, e, latin1);
            s = next;
            continue;
          }
          if (e === off) {
            s = next;
            continue;
          }
          if (!mayMatch(block, off, e, gateHitAt(s, e), latin1)) {
            ringPush(n, block, off, e, latin1);
            s = next;
            continue;
          }
        }
      }
      if (latin1 && !hasEsc) {
        // The slow path works on text: decode this one line.
        const text = utf8OfLatin1(block.slice(s, e));
        handle(text, 0, text.length, false, gateHitAt(s, e), looseHit);
      } else {
        handle(block, s, e, hasEsc, gateHitAt(s, e), looseHit, latin1);
      }
      s = next;
    }
  };

  const result = (): Extraction => {
    const cand = candidate as Candidate | null;
    const term = terminal as
      | (ExcerptLine & { rule: Rule; kind: FailureKind; section: Section; tail: ExcerptLine[] })
      | null;
    let kind: FailureKind = 'unknown';
    let rule: string | null = null;
    let confidence: Extraction['confidence'] = 'low';
    let firstError: ExcerptLine | null = null;
    let sec: Section | null = null;
    let parts: ExcerptLine[] = [];
    const details: ExtractDetails = {};

    if (cand) {
      sec = cand.section;
      kind = refineKind(cand);
      rule = cand.ruleId;
      confidence = cand.strong ? 'high' : 'medium';
      firstError = cand.line;
      const g = cand.rule.testGroup;
      if (g !== undefined && cand.match[g]) details.testName = cand.match[g].trim();
      parts = [...cand.before, cand.line, ...cand.after, ...cand.tail];
      const sm = summaries.filter((s) => s.section === sec);
      parts.push(...sm.map((s) => s.line));
    } else if (term) {
      sec = term.section;
      const sm = summaries.filter((s) => s.section === term.section);
      const decisiveSummary = sm.find((s) => s.rule.kind !== 'unknown');
      if (term.kind !== 'unknown') {
        kind = term.kind;
        rule = term.rule.id;
        confidence = 'high';
      } else if (decisiveSummary) {
        kind = decisiveSummary.rule.kind;
        rule = decisiveSummary.rule.id;
        confidence = 'medium';
      } else {
        rule = term.rule.id;
      }
      // For a bare exit code the verdict line says nothing of its own: the error is what the step
      // printed last (`kubectl: command not found`), or a summary line when there is one.
      const lastOutput = term.tail.at(-1);
      firstError =
        term.kind !== 'unknown'
          ? { n: term.n, text: term.text }
          : (decisiveSummary?.line ?? lastOutput ?? { n: term.n, text: term.text });
      parts = [...sm.map((s) => s.line), ...term.tail, { n: term.n, text: term.text }];
    } else {
      // The log ended (or was cut) with no verdict: the last lines, and any summaries.
      sec = section;
      const sm = summaries;
      const decisiveSummary = sm.find((s) => s.rule.kind !== 'unknown');
      if (decisiveSummary) {
        kind = decisiveSummary.rule.kind;
        rule = decisiveSummary.rule.id;
        confidence = 'medium';
        firstError = decisiveSummary.line;
      }
      parts = [...sm.map((s) => s.line), ...ringTake(10)];
    }

    if (term) {
      const m = /exit code (\d+)/.exec(term.text);
      if (m) details.exitCode = Number(m[1]);
    }
    const lines = assemble(parts, firstError?.n ?? -1, maxLines, cut);
    if (cand) {
      const loc = candidateLocation(cand, lines);
      if (loc) details.location = loc;
      if (cand.rule.id === 'mocha') {
        // `  1) Cart` / `       adds an item:`
        const i = cand.after.findIndex((l) => /^\s*1\) \S/.test(l.text));
        const suite = cand.after[i]?.text.replace(/^\s*1\) /, '').trim();
        const test = cand.after[i + 1]?.text.trim().replace(/:$/, '');
        if (suite) details.testName = test && !/Error\b/.test(test) ? `${suite} ${test}` : suite;
      }
    }
    Object.assign(details, dropUndefined(findExpectedReceived(lines)));
    const code = firstError ? findErrorCode(firstError.text) : undefined;
    if (code) details.errorCode = code;

    return {
      kind,
      rule,
      confidence,
      firstError: firstError ? { n: firstError.n, text: cut(firstError.text) } : null,
      lines,
      section: sec ? { index: sec.index, title: sec.title, startLine: sec.startLine } : null,
      terminal: term
        ? { rule: term.rule.id, kind: term.kind, line: { n: term.n, text: cut(term.text) } }
        : null,
      details,
      linesRead: n,
      settled: done,
      discarded,
    };
  };

  // write(): decoding, and the unfinished last line of each chunk, carried to the next.
  let decoder: TextDecoder | null = null;
  let latin1Mode: boolean | undefined;
  let pending = '';
  let started = false;
  let skipping = false; // inside a line longer than MAX_LINE, already cut

  const write = (chunk: string | Uint8Array): void => {
    // Work in slices of at most 64 KiB of bytes (32 Ki characters of text): the strings made from
    // them stay small enough for V8's young generation, where they die cheaply. (Megabyte strings go
    // straight to the large-object space and pile up until a full GC — with 1 MiB file chunks that
    // alone was 100 MB of RSS.)
    const SLICE = typeof chunk === 'string' ? 32 * 1024 : 64 * 1024;
    if (chunk.length > SLICE) {
      for (let i = 0; i < chunk.length && !done; i += SLICE) {
        writeSlice(typeof chunk === 'string' ? chunk.slice(i, i + SLICE) : chunk.subarray(i, i + SLICE));
      }
    } else {
      writeSlice(chunk);
    }
  };

  const writeSlice = (chunk: string | Uint8Array): void => {
    if (done) return;
    // Bytes are read as Latin-1 (one character per byte: cheaper to make, half the memory, faster
    // to scan, and a UTF-8 sequence cut between chunks needs no care); the few lines that matter
    // are decoded as UTF-8 on the way to an excerpt. Text chunks are scanned as they are.
    latin1Mode ??= typeof chunk !== 'string';
    let text: string;
    if (latin1Mode) {
      text =
        typeof chunk === 'string'
          ? Buffer.from(chunk, 'utf8').toString('latin1')
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    } else if (typeof chunk === 'string') {
      text = chunk;
    } else {
      decoder ??= new TextDecoder('utf-8', { fatal: false });
      text = decoder.decode(chunk, { stream: true });
    }
    if (!started && text.length > 0) {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      else if (latin1Mode && text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
    }
    if (skipping) {
      const nl = text.indexOf('\n');
      if (nl === -1) return;
      text = text.slice(nl + 1);
      skipping = false;
    }
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      pending += text;
      if (pending.length > MAX_LINE) {
        const cutLine = pending.slice(0, MAX_LINE);
        pending = '';
        skipping = true;
        scanBlock(cutLine, cutLine.length, latin1Mode);
      }
      return;
    }
    // The line begun in the previous chunk, completed: a small string of its own.
    let from = 0;
    if (pending.length > 0) {
      const first = text.indexOf('\n');
      const joined = pending + text.slice(0, first + 1);
      scanBlock(joined, joined.length, latin1Mode);
      from = first + 1;
    }
    pending = detach(text.slice(last + 1));
    if (from <= last) scanBlock(text, last + 1, latin1Mode, from);
  };

  const end = (): void => {
    const tail = pending + (decoder?.decode() ?? '');
    pending = '';
    if (done || skipping || tail.length === 0) return;
    const t = tail.length > MAX_LINE ? tail.slice(0, MAX_LINE) : tail;
    scanBlock(t, t.length, latin1Mode ?? false);
  };

  return {
    push,
    write,
    end,
    get done() {
      return done;
    },
    result,
  };
}

function annotationId(m: RegExpExecArray): string {
  const inner = classifyWith(ANNOTATION_DISPATCH, m[1] as string);
  return inner ? inner.rule.id : 'annotation';
}

function refineKind(c: Candidate): FailureKind {
  if (c.rule.id === 'traceback') {
    const last = c.after[c.after.length - 1]?.text ?? '';
    if (/^(?:ModuleNotFoundError|ImportError)\b/.test(last)) return 'dependency';
    if (/^MemoryError\b/.test(last)) return 'infrastructure';
  }
  return c.kind;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Orders by line number, drops blank lines and repeated texts (counting them on the first), and trims
 * to `max` lines keeping the first error and what is nearest after it.
 */
function assemble(
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

export { cleanLine };
