/**
 * Pieces of a triage message shared by a run's triage (triage_build) and a log's (log-render.ts): the
 * excerpt as a code block, where its line is, the details line.
 */

import { escapeMrkdwn, truncate } from '../block-kit.ts';
import { cutMiddle } from './excerpt.ts';
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
