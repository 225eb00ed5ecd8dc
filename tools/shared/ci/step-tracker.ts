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

import { annotationId, classifyLine, mayMatch, mayMatchLate } from './classify-line.ts';
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

/**
 * A section while it is read: whether an `##[error]` line was seen in it (the step failed). `soft`:
 * a section of a CI that does not mark failed steps (a Travis fold, a GitLab section, a Jenkins stage,
 * a Buildkite group) — its end proves nothing, so a candidate in it is kept, the context before is not
 * cleared and its summaries stay. `trailer`: artifact and cache uploads, clean-up: not searched.
 */
export interface Section extends LogSection {
  hasError: boolean;
  soft: boolean;
  trailer: boolean;
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

const MAX_SUMMARIES = 6;

/** GitLab's and Travis's sections after the job's script: artifact and cache uploads, clean-up. */
const TRAILER_SECTION =
  /^(?:upload_artifacts|cleanup_|archive_cache|after_script|cache(?:\.\d+)?$|store_cache|upload_cache)/;

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
  /** The log marks its steps the way GitHub Actions and Azure Pipelines do (hard sections). */
  github: boolean;
  /**
   * A section marker the engine found in a line's prefix (clean.ts `lastMarker`): `kind` 1 starts a
   * section named `name`, 2 ends one. Called before `handle` for the same line.
   */
  marker(kind: 1 | 2 | 3, name: string): void;
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
    section: { index: 0, title: 'Set up job', startLine: 1, hasError: false, soft: false, trailer: false },
    candidate: null,
    terminal: null,
    summaries: [],
    discarded: 0,
    github: false,
    marker,
    handle,
  };

  const newSection = (title: string, soft = false, trailer = false): void => {
    // Context never crosses into the next step.
    if (t.candidate && t.candidate.section === t.section) t.candidate.open = false;
    if (t.candidate && t.candidate.section === t.section && !t.candidate.confirmed && !t.section.soft) {
      if (t.section.hasError) {
        t.candidate.confirmed = true;
      } else {
        // The step that printed this error passed: not the failure we are looking for.
        t.discarded++;
        t.candidate = null;
      }
    }
    if (!t.section.hasError && !t.section.soft)
      t.summaries = t.summaries.filter((s) => s.section !== t.section);
    t.section = { index: t.section.index + 1, title, startLine: t.n, hasError: false, soft, trailer };
    if (!trailer) work = t.section;
    // A soft section keeps the context before: its start says nothing about the step that failed.
    if (!soft) ring.clear();
    depth = 0;
    if (t.candidate?.confirmed && !t.candidate.open) t.done = true;
  };

  /** Travis timed a command: its `$ command` line opens a section named after the command. */
  let commandNext = false;
  /** The last section that was not a trailer: where a verdict read in a trailer belongs. */
  let work: Section = t.section;

  function marker(kind: 1 | 2 | 3, name: string): void {
    if (t.github) return;
    if (kind === 1) newSection(name, true, TRAILER_SECTION.test(name));
    else if (kind === 3) commandNext = true;
  }

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
      // A bare exit code says nothing: take enough lines before it to walk back past trailers and
      // wrapper lines to the tool's own error (cause.ts).
      const tail = ringTake(rule.kind === 'unknown' ? 24 : (rule.before ?? 4));
      const section = t.section.trailer ? work : t.section;
      t.terminal = { n: t.n, text, rule, kind: rule.kind, section, tail };
    }
    if (t.candidate && (t.candidate.section === t.section || t.candidate.section.soft)) {
      confirm(t.candidate, text);
    } else if (!t.candidate) {
      // Nothing decisive before the runner's verdict: the verdict and the lines before it are the story.
      t.done = true;
    }
  };

  /** A verdict or a summary line seen while a strong error is held (or in a trailer). */
  const onLate = (text: string): void => {
    const hit = classifyLine(text);
    if (!hit) return;
    if (hit.rule.role === 'terminal') onTerminal(hit.rule, text);
    else if (hit.rule.role === 'summary' && t.summaries.length < MAX_SUMMARIES)
      t.summaries.push({ line: { n: t.n, text }, rule: hit.rule, section: t.section });
  };

  /**
   * Jenkins `[Pipeline]` lines (a stage opens a section) and Buildkite group headers (`--- `, `+++ `,
   * `~~~ `; `^^^ +++` re-opens the previous group, a sign it failed). True when the line was one.
   */
  const isStructureLine = (c0: number, line: string, off: number, end: number): boolean => {
    if (c0 === 91 /* [ */ && line.startsWith('[Pipeline] ', off)) {
      const m = /^\[Pipeline\] \{ \((.+)\)\s*$/.exec(line.slice(off, end));
      if (m) newSection(detach(m[1] as string), true);
      return true;
    }
    if ((c0 === 45 || c0 === 43 || c0 === 126 || c0 === 94) && line.charCodeAt(off + 3) === 32) {
      const head = line.slice(off, off + 4);
      if (head === '^^^ ') return line.startsWith('^^^ +++', off);
      if (head !== '--- ' && head !== '+++ ' && head !== '~~~ ') return false;
      const title = line.slice(off + 4, end).trim();
      // Not go test's `--- FAIL: TestX` nor a diff's `--- a/file` / `+++ b/file`.
      if (title.length === 0 || /^(?:FAIL|PASS|SKIP):|^[ab]\/|^\/dev\/null/.test(title)) return false;
      newSection(detach(title), true);
      return true;
    }
    return false;
  };

  // A declaration, hoisted, so that `t` above can name it before the helpers it calls exist.
  function handle(line: string, off: number, end: number, gateHit: boolean): void {
    const c0 = line.charCodeAt(off);

    // Workflow commands and groups.
    let isAnnotation = false;
    /** An Azure issue a tool logged: one of its errors, not the task's verdict. */
    let isIssue = false;
    if (c0 === 35 /* # */ && line.startsWith('##vso[', off)) {
      // Azure Pipelines logging commands: an error issue is an annotation; a failed task fails its step.
      if (line.startsWith('##vso[task.logissue type=error', off)) {
        t.section.hasError = true;
        isAnnotation = true;
        isIssue = true;
      } else {
        if (line.startsWith('##vso[task.complete result=Failed', off)) t.section.hasError = true;
        return;
      }
    } else if (c0 === 35 /* # */ && line.startsWith('##[', off)) {
      if (line.startsWith('##[section]', off)) {
        // Azure Pipelines: `##[section]Starting: Build` opens a step (a hard one, like GitHub's).
        if (line.startsWith('##[section]Starting: ', off)) {
          t.github = true;
          newSection(detach(line.slice(off + 21, end).trimEnd()));
        }
        return;
      }
      if (line.startsWith('##[group]', off)) {
        // A step's header group. Reset the depth: a tool that opened a group and never closed it
        // must not hide the next steps.
        if (line.startsWith('##[group]Run ', off)) {
          t.github = true;
          newSection(detach(line.slice(off + 9, end).trimEnd()));
          t.inRunHeader = true;
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
    if (!t.github && isStructureLine(c0, line, off, end)) return;
    if (commandNext) {
      commandNext = false;
      if (line.startsWith('$ ', off)) newSection(detach(line.slice(off + 2, end).trim()), true);
    }
    if (t.section.trailer && !isAnnotation) {
      // Uploads and clean-up: only a verdict matters here.
      if (mayMatchLate(line, off, end)) onLate(detach(line.slice(off, end)));
      return;
    }

    const c = t.candidate;
    if (c?.open) {
      feedAfter(c, detach(line.slice(off, end)));
      if (!c.open && c.confirmed) t.done = true;
    }

    // Once a strong error is held, only the runner's verdict and the tools' summaries (`FAIL pkg`,
    // `Tests: 1 failed`, `could not compile`) matter until the step ends.
    if (c?.strong && !isAnnotation) {
      if (t.n - c.line.n >= settleLines && !c.open) t.done = true;
      if (end > off) {
        if (mayMatchLate(line, off, end)) onLate(detach(line.slice(off, end)));
        ringPush(t.n, line, off, end);
      }
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
      // Any `##[error]` after the candidate in its step confirms it (`##[error]buildx failed with: …`);
      // a tool's next `##vso[task.logissue]` is only its next error, the task's verdict is still to come.
      if (
        isAnnotation &&
        !isIssue &&
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
