/**
 * What an extractor returns, and how it is made from what the search (step-tracker.ts) found: the
 * kind and its confidence, the first error, the excerpt, the details.
 */

import { pickCause } from './cause.ts';
import { classifyLine } from './classify-line.ts';
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
    const refined = refineKind(cand);
    kind = refined.kind;
    rule = refined.rule;
    confidence = cand.strong ? 'high' : 'medium';
    firstError = cand.line;
    const g = cand.rule.testGroup;
    if (g !== undefined && cand.match[g]) details.testName = cand.match[g].trim();
    parts = [...cand.before, cand.line, ...cand.after, ...cand.tail];
    // Its step's summaries, and those printed after it however far below (`FAIL pkg`, `Tests: 1 failed`).
    const first = cand.line.n;
    const sm = t.summaries.filter((s) => s.section === sec || s.line.n > first);
    parts.push(...sm.map((s) => s.line));
  } else if (term) {
    sec = term.section;
    const sm = t.summaries.filter((s) => s.section === term.section || s.section.soft);
    const decisiveSummary = sm.find((s) => s.rule.kind !== 'unknown');
    const verdict = { n: term.n, text: term.text };
    if (term.kind !== 'unknown') {
      kind = term.kind;
      rule = term.rule.id;
      confidence = 'high';
      firstError = verdict;
      parts = [...sm.map((s) => s.line), ...pickCause(term.tail).shown, verdict];
    } else if (decisiveSummary) {
      kind = decisiveSummary.rule.kind;
      rule = decisiveSummary.rule.id;
      confidence = 'medium';
      firstError = decisiveSummary.line;
      parts = [...sm.map((s) => s.line), ...pickCause(term.tail).shown, verdict];
    } else {
      // A bare exit code says nothing of its own: the error is the step's own line before it
      // (`kubectl: command not found`), walking back past trailers and wrapper lines.
      const { cause, shown } = pickCause(term.tail);
      firstError = cause ?? verdict;
      ({ kind, rule, confidence } = kindOfCause(cause, term.rule.id));
      parts = [...sm.map((s) => s.line), ...shown, verdict];
    }
  } else {
    // The log ended (or was cut) with no verdict: a summary, else the cause among the last lines.
    sec = t.section;
    const sm = t.summaries;
    const decisiveSummary = sm.find((s) => s.rule.kind !== 'unknown');
    const { cause, shown } = pickCause(ring.take(24));
    if (decisiveSummary) {
      kind = decisiveSummary.rule.kind;
      rule = decisiveSummary.rule.id;
      confidence = 'medium';
      firstError = decisiveSummary.line;
    } else if (cause) {
      firstError = cause;
      ({ kind, rule, confidence } = kindOfCause(cause, null));
    }
    parts = [...sm.map((s) => s.line), ...shown];
  }

  if (term) {
    const code = exitCodeOf(term.rule.re.exec(term.text)) ?? /exit code (\d+)/.exec(term.text)?.[1];
    if (code !== undefined) details.exitCode = Number(code);
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

/** The first numeric capture of a verdict rule's match (`exit code 2`, `exited with 1`). */
function exitCodeOf(m: RegExpExecArray | null): string | undefined {
  return m?.slice(1).find((g) => g !== undefined && /^\d+$/.test(g));
}

/** The kind a cause line found by pickCause stands for: its rule's, when a rule knows it. */
function kindOfCause(
  cause: { text: string } | null,
  fallbackRule: string | null,
): { kind: FailureKind; rule: string | null; confidence: Extraction['confidence'] } {
  const hit = cause ? classifyLine(cause.text) : null;
  if (hit && hit.rule.role !== 'terminal' && hit.kind !== 'unknown') {
    return { kind: hit.kind, rule: hit.rule.id, confidence: 'medium' };
  }
  return { kind: 'unknown', rule: fallbackRule, confidence: 'low' };
}

/** Gradle tasks and Maven plugins by what they do. */
const LINT_TASK = /checkstyle|lint|detekt|ktlint|spotless|pmd|spotbugs|prettier|eslint/i;
const TEST_TASK = /test|surefire|failsafe|jacoco/i;
const COMPILE_TASK = /compile|kapt|ksp|javadoc|dex|aapt|assemble|bundle|jar\b|war\b/i;
const DEPLOY_TASK = /publish|deploy|upload|release|nexus|jib|gpg|sign|push/i;
const DEPENDENCY_TEXT = /Could not (?:resolve|find|download|get|transfer)/;
/** npm found no package.json of the project (not a package's inside node_modules). */
const NO_PACKAGE_JSON =
  /^npm (?:ERR!|error) enoent (?:Could not read package\.json: Error: )?ENOENT: no such file or directory, open '(?![^']*node_modules)[^']*package\.json'/;

/**
 * The kind of a candidate whose rule leaves it to the text: a Python traceback by its exception,
 * Gradle's `* What went wrong:` by the task, Maven's `Failed to execute goal` by the plugin, `rake
 * aborted!` by its reason, an npm error by whether it was a publish (a `PUT` to the registry) or found
 * no package.json to run.
 */
function refineKind(c: Candidate): { kind: FailureKind; rule: string } {
  const id = c.ruleId;
  const after = c.after.map((l) => l.text);
  if (c.rule.id === 'traceback') {
    const last = after[after.length - 1] ?? '';
    if (/^(?:ModuleNotFoundError|ImportError)\b/.test(last)) return { kind: 'dependency', rule: id };
    if (/^MemoryError\b/.test(last)) return { kind: 'infrastructure', rule: id };
  }
  if (c.rule.id === 'gradle') {
    const what = after.join('\n');
    const task = /Execution failed for task '([^']+)'/.exec(what)?.[1] ?? '';
    if (DEPENDENCY_TEXT.test(what)) return { kind: 'dependency', rule: id };
    if (task) {
      const name = task.slice(task.lastIndexOf(':') + 1);
      if (LINT_TASK.test(name)) return { kind: 'lint', rule: id };
      if (TEST_TASK.test(name)) return { kind: 'test', rule: id };
      if (DEPLOY_TASK.test(name)) return { kind: 'deploy', rule: id };
      if (COMPILE_TASK.test(name)) return { kind: 'compile', rule: id };
    }
    if (
      /Could not find method|Plugin .* not found|Unsupported class file|requires Java|SDK location not found|Could not determine java version/.test(
        what,
      )
    )
      return { kind: 'config', rule: id };
  }
  if (c.rule.id === 'maven') {
    const goal = c.match[1] ?? '';
    const whole = c.line.text;
    if (DEPENDENCY_TEXT.test(whole)) return { kind: 'dependency', rule: id };
    if (/enforcer/.test(goal)) return { kind: 'config', rule: id };
    if (LINT_TASK.test(goal)) return { kind: 'lint', rule: id };
    if (TEST_TASK.test(goal)) return { kind: 'test', rule: id };
    if (
      /maven-deploy-plugin|nexus-staging|central-publishing|jib-maven-plugin|maven-gpg-plugin|maven-release-plugin/.test(
        goal,
      )
    )
      return { kind: 'deploy', rule: id };
    if (/compiler|maven-war-plugin|maven-jar-plugin|kotlin-maven-plugin|scala-maven-plugin/.test(goal))
      return { kind: 'compile', rule: id };
  }
  if (c.rule.id === 'rake') {
    const why = after[0] ?? '';
    if (/No Rakefile found|Don't know how to build task|uninitialized constant Rake/.test(why))
      return { kind: 'config', rule: id };
  }
  if (
    c.rule.id === 'npm-install' &&
    after.some((t) => /^npm (?:ERR!|error) \d{3} .*- PUT https?:\/\//.test(t))
  ) {
    return { kind: 'deploy', rule: 'npm-publish' };
  }
  if (c.rule.id === 'npm-install' && c.match[1] === 'ENOENT' && after.some((t) => NO_PACKAGE_JSON.test(t))) {
    // npm run where there is no package.json: the build runs in the wrong directory.
    return { kind: 'config', rule: 'npm-no-package-json' };
  }
  return { kind: c.kind, rule: id };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
