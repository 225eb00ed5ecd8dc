/**
 * What an extractor returns, and how it is made from what the search (step-tracker.ts) found: the
 * kind and its confidence, the first error, the excerpt, the details.
 */

import { candidateLocation, type ExtractDetails, findErrorCode, findExpectedReceived } from './details.ts';
import { assemble, type ExcerptLine } from './excerpt.ts';
import type { LineRing } from './line-ring.ts';
import type { FailureKind } from './rule.ts';
import type { Candidate, LogSection, Section, StepTracker } from './step-tracker.ts';

/** What an extractor found in a log: the kind of failure and why, the excerpt, the details. */
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

/**
 * The result of the search `t` so far. The decision goes: the candidate error if there is one, else
 * the runner's verdict (or the step's summary for a bare exit code), else any summary and the last
 * lines in `ring`. The excerpt is at most `maxLines` lines, each cut by `cut`.
 */
export function buildExtraction(
  t: StepTracker,
  ring: LineRing,
  maxLines: number,
  cut: (s: string) => string,
): Extraction {
  const cand = t.candidate;
  const term = t.terminal;
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
    const sm = t.summaries.filter((s) => s.section === sec);
    parts.push(...sm.map((s) => s.line));
  } else if (term) {
    sec = term.section;
    const sm = t.summaries.filter((s) => s.section === term.section);
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
    sec = t.section;
    const sm = t.summaries;
    const decisiveSummary = sm.find((s) => s.rule.kind !== 'unknown');
    if (decisiveSummary) {
      kind = decisiveSummary.rule.kind;
      rule = decisiveSummary.rule.id;
      confidence = 'medium';
      firstError = decisiveSummary.line;
    }
    parts = [...sm.map((s) => s.line), ...ring.take(10)];
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
    linesRead: t.n,
    settled: t.done,
    discarded: t.discarded,
  };
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
