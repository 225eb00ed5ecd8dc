/**
 * How the extractor reaches its verdict: a state machine over the log's steps (cut at its workflow
 * markers) and the error candidate found in them. The engine (log-extractor.ts) cleans each line and
 * hands it here; buildExtraction (extraction.ts) reads what it found.
 *
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

import { annotationId, classifyLine, mayMatch } from './classify-line.ts';
import { detach } from './detach.ts';
import type { ExcerptLine } from './excerpt.ts';
import type { LineRing } from './line-ring.ts';
import type { FailureKind, Rule } from './rule.ts';
import { ANNOTATION_RULE } from './rules.ts';

/** A part of the log that starts at `##[group]Run …` (or the job set-up before the first one). */
export interface LogSection {
  /** 0 = the job set-up before the first step; then one per `##[group]Run` / `Post job cleanup.`. */
  index: number;
  /** `Set up job`, `Run npm test`, `Post job cleanup` */
  title: string;
  /** Line number of the section's first line (its `##[group]Run` line). */
  startLine: number;
}

/** A section while it is read: whether an `##[error]` line was seen in it (the step failed). */
export interface Section extends LogSection {
  hasError: boolean;
}

/** The error the search holds (a decisive one, or a weak one until one shows up) and its context. */
export interface Candidate {
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

/** The runner's verdict line (the first one read), the step it ended and the lines just before it. */
export interface Terminal extends ExcerptLine {
  rule: Rule;
  kind: FailureKind;
  section: Section;
  tail: ExcerptLine[];
}

/** A tool's closing summary line (a headline), in the step it was printed in. */
export interface Summary {
  line: ExcerptLine;
  rule: Rule;
  section: Section;
}

const MAX_SUMMARIES = 4;

/**
 * The state of the search, as plain fields: the engine reads `candidate`, `inRunHeader` and `done` on
 * its per-line fast path (and updates `n` and `done` there); buildExtraction reads the rest at the end.
 */
export interface StepTracker {
  /** Lines read so far; the engine counts each line before handing it on. */
  n: number;
  /** True once more lines could not change the result. */
  done: boolean;
  /** In a step's header group (`##[group]Run …` to `##[endgroup]`), which is not searched. */
  inRunHeader: boolean;
  /** The section being read. */
  section: Section;
  candidate: Candidate | null;
  terminal: Terminal | null;
  /** At most 4, from steps that failed (or the one being read). */
  summaries: Summary[];
  /** Error candidates dropped because their step passed. */
  discarded: number;
  /**
   * Line `n` (already counted), cleaned: its text is `line[off, end)`, without timestamp and colours,
   * at most 4096 characters. `gateHit`: that text contains a `contains` literal of the rules.
   */
  handle(line: string, off: number, end: number, gateHit: boolean): void;
}

/**
 * A search at the start of a log. `ring` is the context before (the engine pushes the lines it
 * skips; this pushes those it handles); `settleLines` as in ExtractOptions.
 */
export function createStepTracker(ring: LineRing, settleLines: number): StepTracker {
  const ringPush = ring.push;
  const ringTake = ring.take;
  let depth = 0;
  const t: StepTracker = {
    n: 0,
    done: false,
    inRunHeader: false,
    section: { index: 0, title: 'Set up job', startLine: 1, hasError: false },
    candidate: null,
    terminal: null,
    summaries: [],
    discarded: 0,
    handle,
  };

  const newSection = (title: string): void => {
    // Context never crosses into the next step.
    if (t.candidate && t.candidate.section === t.section) t.candidate.open = false;
    if (t.candidate && t.candidate.section === t.section && !t.candidate.confirmed) {
      if (t.section.hasError) {
        t.candidate.confirmed = true;
      } else {
        // The step that printed this error passed: not the failure we are looking for.
        t.discarded++;
        t.candidate = null;
      }
    }
    if (!t.section.hasError) t.summaries = t.summaries.filter((s) => s.section !== t.section);
    t.section = { index: t.section.index + 1, title, startLine: t.n, hasError: false };
    ring.clear();
    if (t.candidate?.confirmed && !t.candidate.open) t.done = true;
  };

  const startCandidate = (
    rule: Rule,
    kind: FailureKind,
    m: RegExpExecArray,
    text: string,
    strong: boolean,
  ) => {
    const before = (rule.before ?? 2) > 0 ? ringTake(rule.before ?? 2, rule.beforeStop) : [];
    t.candidate = {
      rule,
      kind,
      ruleId: rule === ANNOTATION_RULE ? annotationId(m) : rule.id,
      strong,
      line: { n: t.n, text },
      match: m,
      section: t.section,
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
    if (!rule.keep || rule.keep.test(text)) c.after.push({ n: t.n, text });
    if (rule.until?.test(text) || c.after.length >= max || c.afterLooked >= max * 4) c.open = false;
  };

  /** The candidate's step ended with the runner's verdict (or another `##[error]`): it is the failure. */
  const confirm = (c: Candidate, text: string): void => {
    if (!c.confirmed) {
      c.confirmed = true;
      // The lines just before the verdict: all of them for a weak candidate; for a strong one only
      // those that say something (summaries like `FAIL pkg 0.01s`, not `Time: 7.2 s`).
      const recent = ringTake(3);
      c.tail = [
        ...(c.strong ? recent.filter((l) => classifyLine(l.text) !== null) : recent),
        { n: t.n, text },
      ];
    }
    // Nothing after the verdict belongs to the step.
    c.open = false;
    t.done = true;
  };

  const onTerminal = (rule: Rule, text: string): void => {
    if (t.terminal === null) {
      const tail = ringTake(rule.before ?? 4);
      t.terminal = { n: t.n, text, rule, kind: rule.kind, section: t.section, tail };
    }
    if (t.candidate && t.candidate.section === t.section) {
      confirm(t.candidate, text);
    } else if (!t.candidate) {
      // Nothing decisive before the runner's verdict: the verdict and the lines before it are the story.
      t.done = true;
    }
  };

  // A declaration, hoisted, so that `t` above can name it before the helpers it calls exist.
  function handle(line: string, off: number, end: number, gateHit: boolean): void {
    const c0 = line.charCodeAt(off);

    // Workflow commands and groups.
    let isAnnotation = false;
    if (c0 === 35 /* # */ && line.startsWith('##[', off)) {
      if (line.startsWith('##[group]', off)) {
        // A step's header group. Reset the depth: a tool that opened a group and never closed it
        // must not hide the next steps.
        if (line.startsWith('##[group]Run ', off)) {
          newSection(detach(line.slice(off + 9, end).trimEnd()));
          t.inRunHeader = true;
          depth = 0;
        }
        depth++;
        return;
      }
      if (line.startsWith('##[endgroup]', off)) {
        if (depth > 0) depth--;
        t.inRunHeader = false;
        return;
      }
      if (line.startsWith('##[debug]', off)) return;
      if (line.startsWith('##[error]', off)) {
        t.section.hasError = true;
        isAnnotation = true;
      }
    }
    if (t.inRunHeader) return;
    if (c0 === 80 /* P */ && depth === 0 && line.startsWith('Post job cleanup.', off)) {
      newSection('Post job cleanup');
      return;
    }

    const c = t.candidate;
    if (c?.open) {
      feedAfter(c, detach(line.slice(off, end)));
      if (!c.open && c.confirmed) t.done = true;
    }

    // Once a strong error is held, only the runner's verdict (`##[error]…`) matters until the step ends.
    if (c?.strong && !isAnnotation) {
      if (t.n - c.line.n >= settleLines && !c.open) t.done = true;
      if (end > off) ringPush(t.n, line, off, end);
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
        } else if (rule.role === 'summary' && t.summaries.length < MAX_SUMMARIES) {
          t.summaries.push({ line: { n: t.n, text }, rule, section: t.section });
        }
      }
      // Any `##[error]` after the candidate in its step confirms it (`##[error]buildx failed with: …`).
      if (
        isAnnotation &&
        c &&
        c === t.candidate &&
        c.section === t.section &&
        hit?.rule.role !== 'terminal'
      ) {
        confirm(c, text);
      }
    }
    ringPush(t.n, line, off, end);
  }

  return t;
}
