/**
 * Pieces of a triage message shared by a run's triage (triage_build) and a log's (log-render.ts): the
 * excerpt as a code block, where its line is, the details line, and one job's summary for the LLM.
 */

import { escapeMrkdwn, truncate } from '../block-kit.ts';
import { cutMiddle } from './excerpt.ts';
import { kindLabel } from './explanation.ts';
import type { TriagedJob } from './triage.ts';

const EXCERPT_CHARS = 2400;
const EXCERPT_LINE_CHARS = 500;

/**
 * The excerpt as a Slack code block, line numbers first, within a section's 3,000 characters. Lines
 * stay whole up to 500 characters and are cut in the middle beyond (a compiler's message is at the
 * end); the limit is checked on the escaped text, and the fences are never cut.
 */
export function codeBlock(job: TriagedJob): string {
  const width = String(job.excerpt.at(-1)?.line ?? 0).length;
  // Inside ``` Slack still reads &, <, >; a ``` in the log would end the block early.
  const esc = (t: string) => escapeMrkdwn(t.replace(/```/g, 'ˋˋˋ'));
  let body = '';
  let prev = -1;
  for (const l of job.excerpt) {
    // Blank lines are left out of excerpts; mark only real jumps.
    const gap = prev !== -1 && l.line > prev + 2 ? `${' '.repeat(width)} ⋮\n` : '';
    const line = `${gap}${String(l.line).padStart(width)} │ ${esc(cutMiddle(l.text, EXCERPT_LINE_CHARS))}\n`;
    if (body.length + line.length > EXCERPT_CHARS) {
      body += `${' '.repeat(width)} ⋮ (excerpt cut)\n`;
      break;
    }
    body += line;
    prev = l.line;
  }
  return `\`\`\`${body.trimEnd()}\`\`\``;
}

/** `log line 1234`, or `line 12 of step 5` when the log was read from the failed step's start. */
export function lineWhere(job: TriagedJob): string {
  return job.linesFrom === 'step' && job.failedStep
    ? `line ${job.logLine} of step ${job.failedStep.number}`
    : `log line ${job.logLine}`;
}

export function detailsLine(job: TriagedJob): string {
  const d = job.details;
  const parts = [
    d.testName ? `test _${escapeMrkdwn(truncate(d.testName, 120))}_` : '',
    d.expected !== undefined && d.received !== undefined
      ? `expected \`${escapeMrkdwn(truncate(d.expected, 60))}\`, received \`${escapeMrkdwn(truncate(d.received, 60))}\``
      : '',
    d.location ? `at \`${escapeMrkdwn(truncate(d.location, 100))}\`` : '',
    d.errorCode ? `code \`${escapeMrkdwn(d.errorCode)}\`` : '',
    d.exitCode !== undefined ? `exit code ${d.exitCode}` : '',
  ].filter(Boolean);
  return parts.join(' · ');
}

/**
 * One triaged job for the LLM's summary, after `lead` (`Job "test", step "Run npm test"`, or the
 * log's name): the kind and rule, the first error and where, the details, the verdict, and up to four
 * lines of context. The caller cuts it to its budget.
 */
export function jobSummary(lead: string, job: TriagedJob): string {
  const d = job.details;
  let s = `${lead}: ${kindLabel(job.kind)}${job.rule ? ` (rule ${job.rule}, ${job.confidence} confidence)` : ''}.`;
  if (job.firstError) s += ` First error (${lineWhere(job)}): ${job.firstError.trim()}.`;
  const facts = [
    d.testName ? `test ${d.testName}` : '',
    d.expected !== undefined ? `expected ${d.expected}` : '',
    d.received !== undefined ? `received ${d.received}` : '',
    d.location ? `at ${d.location}` : '',
    d.errorCode ? `code ${d.errorCode}` : '',
    d.exitCode !== undefined ? `exit code ${d.exitCode}` : '',
  ].filter(Boolean);
  if (facts.length) s += ` ${facts.join('; ')}.`;
  if (job.verdict && !/^Process completed with exit code/.test(job.verdict)) s += ` Runner: ${job.verdict}`;
  if (job.note) s += ` ${job.note}`;
  const rest = job.excerpt
    .filter((l) => l.line !== job.logLine && /[A-Za-z0-9]/.test(l.text) && !l.text.startsWith('##['))
    .slice(0, 4);
  if (rest.length) s += ` Context: ${rest.map((l) => truncate(l.text.trim(), 90)).join(' | ')}`;
  return s;
}
