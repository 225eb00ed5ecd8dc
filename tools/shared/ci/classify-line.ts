/**
 * Which rule (rules.ts) a log line matches. The rules are laid out in dispatch tables by their cheap
 * literal gates, so that the millions of lines no rule could match cost a few character reads and no
 * regular expression: `mayMatch` answers that on the extractor's hot path, `classifyLine` runs the
 * rules' expressions on the few lines that pass.
 */

import { Buffer } from 'node:buffer';
import { BUILDKIT_STEP_RULE } from './docker-rules.ts';
import type { FailureKind, Rule } from './rule.ts';
import { ANNOTATION_RULE, RULES } from './rules.ts';

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
  digit: Entry[];
  contains: Entry[];
  /**
   * One scan that tells whether any `contains` literal occurs in a line. A leading lookbehind of a
   * gate is matched as plain text (`TS\d`, not `(?<=T)S\d`): the same lines, found ~1.4× faster in a
   * chunk and ~3.5× faster in a short line (a lookbehind at the start stops irregexp's look-ahead
   * skipping for the whole union).
   */
  containsGate: RegExp;
  /** The same with the g flag, to scan a chunk from an offset (lastIndex). */
  containsGateG: RegExp;
  /**
   * `pairs[c * 128 + b]`: the `starts` literals that begin with ASCII `c` and could go on with a
   * character looked up as `b` (one-character literals are in every bucket of `c`; a second
   * character ≥ 127 is looked up as 127, the end of the text as 0). The hot path reads one bucket —
   * usually empty — instead of comparing every literal of every rule that starts with `c`.
   */
  pairs: (Literals | undefined)[];
}

/**
 * `source` with a leading lookbehind `(?<=X)` turned into `X`, when X cannot match a line break:
 * then a line holds a match of the one exactly when it holds a match of the other.
 */
function withoutLeadingLookbehind(source: string): string {
  const m = /^\(\?<=([^()]*)\)/.exec(source);
  if (!m) return source;
  const inner = new RegExp(m[1] as string);
  if (inner.test('\n') || inner.test('\r')) return source;
  return (m[1] as string) + source.slice(m[0].length);
}

/**
 * Literals to test at a position of a line: one literal by startsWith, several by one sticky regex
 * of their union (one call instead of a startsWith each: `npm ERR! …` / `npm error …` are 20).
 */
interface Literals {
  one: string | null;
  re: RegExp | null;
}

function literals(list: readonly string[]): Literals {
  const lits = [...new Set(list)];
  if (lits.length === 1) return { one: lits[0] as string, re: null };
  return { one: null, re: new RegExp(lits.map(escapeRe).join('|'), 'y') };
}

/** Whether one of `set` begins at `line[i]`. */
function startsWithAny(set: Literals, line: string, i: number): boolean {
  if (set.one !== null) return line.startsWith(set.one, i);
  const re = set.re as RegExp;
  re.lastIndex = i;
  return re.test(line);
}

/** The pair table of Dispatch.pairs for these literals. */
function pairTable(starts: readonly string[]): (Literals | undefined)[] {
  const t: (string[] | undefined)[] = new Array(128 * 128).fill(undefined);
  const add = (k: number, lit: string) => {
    const list = t[k] ?? [];
    t[k] = list;
    list.push(lit);
  };
  for (const lit of starts) {
    const c = lit.charCodeAt(0);
    if (c >= 128) continue;
    if (lit.length === 1) for (let b = 0; b < 128; b++) add(c * 128 + b, lit);
    else add(c * 128 + Math.min(lit.charCodeAt(1), 127), lit);
  }
  return t.map((list) => (list ? literals(list) : undefined));
}

/** Whether one of the `starts` literals in the pair table `pairs` begins at `line[i]`, an ASCII `c`. */
function startsPair(pairs: Dispatch['pairs'], line: string, i: number, c: number): boolean {
  // `| 0`: past the end of the text (NaN) reads bucket 0, which only holds one-character literals.
  const set = pairs[c * 128 + Math.min(line.charCodeAt(i + 1) | 0, 127)];
  return set !== undefined && startsWithAny(set, line, i);
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
  const gate = gates.map(withoutLeadingLookbehind).join('|');
  for (const e of contains) {
    // The gate must be a superset of its literal, or lines would be missed.
    if (!new RegExp(e.rule.gate ?? escapeRe(e.rule.contains as string)).test(`x${e.rule.contains}1`)) {
      throw new Error(`rule ${e.rule.id}: gate does not match its own literal`);
    }
  }
  return {
    byChar,
    digit,
    contains,
    containsGate: new RegExp(gate),
    containsGateG: new RegExp(gate, 'g'),
    pairs: pairTable(rules.flatMap((r) => r.starts ?? [])),
  };
}

/** Every rule, for the lines of the log; its `contains` gates are also what the extractor scans chunks with. */
export const DISPATCH = buildDispatch(RULES);
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
export function mayMatch(line: string, off: number, end: number, gateHit: boolean, latin1 = false): boolean {
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
    return lits !== undefined && startsWithAny(lits, line, i);
  }
  if (c < 128) return startsPair(DISPATCH.pairs, line, i, c);
  const list = DISPATCH.byChar.get(c);
  if (list) {
    for (let k = 0; k < list.length; k++) if (startsAny(line, i, (list[k] as Entry).starts)) return true;
  }
  return false;
}

/**
 * `starts` literals that begin with a non-ASCII character, as the Latin-1 view of their UTF-8 bytes,
 * by first byte: the dispatch for logs read as bytes (see LogExtractor.write).
 */
const latin1Starts = (rules: readonly Rule[]) => {
  const m = new Map<number, string[]>();
  for (const r of rules) {
    for (const lit of r.starts ?? []) {
      if (lit.charCodeAt(0) < 128) continue;
      const l1 = Buffer.from(lit, 'utf8').toString('latin1');
      const list = m.get(l1.charCodeAt(0)) ?? [];
      list.push(l1);
      m.set(l1.charCodeAt(0), list);
    }
  }
  return new Map([...m].map(([c, list]) => [c, literals(list)]));
};
const LATIN1_STARTS = latin1Starts(RULES);

/**
 * The rules that still matter once a decisive error is held: the runner's verdicts and the tools'
 * summaries (all of them `starts` or `startsDigit` rules).
 */
const LATE_RULES = RULES.filter((r) => r.role === 'terminal' || r.role === 'summary');
const LATE = buildDispatch(LATE_RULES);
const LATE_LATIN1_STARTS = latin1Starts(LATE_RULES);

/**
 * Whether a verdict or a summary rule could match `line[off, end)`, by first character and `starts`
 * literals: what the extractor asks of each line once a decisive error is held.
 */
export function mayMatchLate(line: string, off: number, end: number, latin1 = false): boolean {
  let i = off;
  while (i < end) {
    const ch = line.charCodeAt(i);
    if (ch !== 32 && ch !== 9) break;
    i++;
  }
  if (i >= end) return false;
  const c = line.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    const t = line.slice(i, end);
    for (const e of LATE.digit) if (e.trimmed === null || e.trimmed.test(t)) return true;
    return false;
  }
  if (latin1 && c >= 128) {
    const lits = LATE_LATIN1_STARTS.get(c);
    return lits !== undefined && startsWithAny(lits, line, i);
  }
  if (c < 128) return startsPair(LATE.pairs, line, i, c);
  const list = LATE.byChar.get(c);
  if (list) {
    for (let k = 0; k < list.length; k++) if (startsAny(line, i, (list[k] as Entry).starts)) return true;
  }
  return false;
}

/**
 * For coloured lines: whether a `contains` literal could appear once colour codes are removed. A
 * superset test (each literal's most distinctive word), so it may say yes needlessly, never no wrongly.
 */
export const LOOSE_GATE = /error|Killed|\.go|\.py|lint|No space/;
/** LOOSE_GATE with the g flag, to scan a chunk from an offset (lastIndex). */
export const LOOSE_GATE_G = new RegExp(LOOSE_GATE.source, 'g');

/**
 * The rule a single cleaned line matches, if any (first matching rule wins). `##[error]` annotations
 * are classified by their message. Exposed for tests and for callers that classify one line.
 */
export function classifyLine(line: string): { rule: Rule; kind: FailureKind; match: RegExpExecArray } | null {
  const hit = classifyWith(DISPATCH, line);
  if (hit) return { rule: hit.rule, kind: hit.rule.kind, match: hit.m };
  if (line.startsWith('##[error]') || line.startsWith('##vso[task.logissue type=error')) {
    const m = ANNOTATION_RULE.re.exec(line);
    if (!m) return null;
    const inner = classifyWith(ANNOTATION_DISPATCH, m[1] as string);
    return { rule: ANNOTATION_RULE, kind: inner?.rule.kind ?? 'unknown', match: m };
  }
  return null;
}

/**
 * The rule id an `##[error]` annotation (ANNOTATION_RULE's match) is reported under: that of the rule
 * its message matches, else `annotation`.
 */
export function annotationId(m: RegExpExecArray): string {
  const inner = classifyWith(ANNOTATION_DISPATCH, m[1] as string);
  return inner ? inner.rule.id : 'annotation';
}
