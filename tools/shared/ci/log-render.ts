/**
 * The message and the LLM summary of a log's triage (log-triage.ts): the shape of a run's triage —
 * header, where the log came from, the kind and details, the excerpt, where the line is — without
 * what only a run has (workflow, branch, commit, the Re-run button).
 */

import { context, escapeMrkdwn, header, section, truncate } from '../block-kit.ts';
import { type Block, type Message, SLACK_LIMITS } from '../message.ts';
import { kindLabel } from './explanation.ts';
import type { LogTriageResult } from './log-triage.ts';
import { codeBlock, detailsLine, jobSummary } from './render.ts';

const mb = (bytes: number) =>
  bytes >= 1048576
    ? `${Math.round((bytes / 1048576) * 10) / 10} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;

function sourceLine(r: LogTriageResult): string {
  const what =
    r.source === 'url'
      ? r.link
        ? `<${r.link}|${escapeMrkdwn(truncate(r.name, 120))}>`
        : escapeMrkdwn(truncate(r.name, 120))
      : r.source === 'file'
        ? `file ${r.link ? `<${r.link}|${escapeMrkdwn(truncate(r.name, 100))}>` : `_${escapeMrkdwn(truncate(r.name, 100))}_`}`
        : r.link
          ? `<${r.link}|the message>`
          : 'the message';
  const read = r.job.stoppedEarly
    ? `read ${r.job.linesRead.toLocaleString('en-US')} lines, stopped once the excerpt was settled`
    : `${r.job.linesRead.toLocaleString('en-US')} lines${r.bytesRead ? ` (${mb(r.bytesRead)})` : ''}`;
  return `Log: ${what} · ${read}`;
}

export function logTriageBlocks(r: LogTriageResult): Message {
  const job = r.job;
  const blocks: Block[] = [header(`CI failure: ${truncate(r.name, 120)}`), context(sourceLine(r))];
  const details = detailsLine(job);
  blocks.push(
    section(
      `:x: *${kindLabel(job.kind)}*${job.rule ? ` (${job.rule})` : ''}${details ? `\n${details}` : ''}`,
    ),
  );
  if (job.excerpt.length > 0) blocks.push(section(codeBlock(job)));
  const foot = [
    job.logLine !== null ? `log line ${job.logLine}` : '',
    job.section ? `in _${escapeMrkdwn(truncate(job.section, 80))}_` : '',
    job.note ? escapeMrkdwn(job.note) : '',
    r.note ? escapeMrkdwn(r.note) : '',
  ].filter(Boolean);
  if (foot.length) blocks.push(context(foot.join(' · ')));
  const text = truncate(
    `CI failure in ${r.name}: ${kindLabel(job.kind)}${job.firstError ? `: ${job.firstError.trim()}` : ''}`,
    SLACK_LIMITS.messageText,
  );
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** For the LLM: the kind, the first error and a few lines of context, around 1,000 characters. */
export function logTriageSummary(r: LogTriageResult): string {
  return truncate(jobSummary(`Log ${r.name} (${r.source})`, r.job), 1200);
}
