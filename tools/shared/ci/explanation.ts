/**
 * Triage in words: a kind's label, and what an LLM needs to explain one failed job (the run, the
 * verdict and the redacted excerpt, never the log).
 */

import type { LogTriageResult } from './log-triage.ts';
import type { FailureKind } from './rule.ts';
import type { TriagedJob, TriageResult } from './triage.ts';

const KIND_LABEL: Record<FailureKind, string> = {
  test: 'test failure',
  compile: 'build/compile error',
  lint: 'lint error',
  dependency: 'dependency install failure',
  infrastructure: 'infrastructure problem (runner, memory, disk, network)',
  config: 'CI or toolchain set-up error (missing command, toolchain, script, secret or input)',
  deploy: 'publish/deploy failure (an external service refused the release)',
  timeout: 'timeout',
  cancelled: 'cancellation',
  unknown: 'failure of unknown kind',
};

export function kindLabel(kind: FailureKind): string {
  return KIND_LABEL[kind];
}

/**
 * Everything an LLM needs to write a 2–4 sentence explanation and suggested fix for one failed job —
 * run and job metadata, the rule-based verdict, and the redacted excerpt — and nothing more (never
 * the log). Plain text, at most `maxChars` (default 3,000).
 */
export function triageExplanationInput(result: TriageResult, job: TriagedJob, maxChars = 3000): string {
  const r = result.run;
  return jobExplanationInput(
    [
      `Repository: ${result.repo}`,
      `Workflow: ${r.workflow} (${r.workflowPath}), run ${r.id}, attempt ${r.attempt}, event ${r.event}`,
      `Branch: ${r.branch ?? '(none)'}, commit ${r.sha.slice(0, 7)}: ${r.title}`,
      `Job: ${job.name} (${job.conclusion})`,
      `Failed step: ${job.failedStep?.name ?? '(unknown)'}${job.section && job.section !== job.failedStep?.name ? `; error in log section "${job.section}"` : ''}`,
    ],
    job,
    maxChars,
  );
}

/** As triageExplanationInput, for a log read from a URL, a message or a file (no run metadata). */
export function logExplanationInput(result: LogTriageResult, maxChars = 3000): string {
  const job = result.job;
  return jobExplanationInput(
    [
      `CI log: ${result.name} (from ${result.source === 'url' ? 'a URL' : result.source === 'file' ? 'a file in Slack' : 'a Slack message'})`,
      job.section ? `Error in log section "${job.section}"` : '',
    ],
    job,
    maxChars,
  );
}

function jobExplanationInput(head: string[], job: TriagedJob, maxChars: number): string {
  const d = job.details;
  const lines = [
    ...head,
    `Kind (rule-based): ${job.kind} — ${KIND_LABEL[job.kind]}; rule ${job.rule ?? 'none'}; confidence ${job.confidence}`,
    d.testName ? `Failing test: ${d.testName}` : '',
    d.location ? `Location: ${d.location}` : '',
    d.expected !== undefined ? `Expected: ${d.expected}` : '',
    d.received !== undefined ? `Received: ${d.received}` : '',
    d.errorCode ? `Error code: ${d.errorCode}` : '',
    d.exitCode !== undefined ? `Exit code: ${d.exitCode}` : '',
    job.verdict ? `Runner verdict: ${job.verdict}` : '',
    job.note ? `Note: ${job.note}` : '',
    job.firstError
      ? `First error (${job.linesFrom === 'step' ? 'line of the failed step' : 'log line'} ${job.logLine}): ${job.firstError}`
      : '',
    `Excerpt (${job.linesFrom === 'step' ? 'line in the failed step' : 'log line'}: text):`,
  ].filter(Boolean);
  let out = lines.join('\n');
  for (const l of job.excerpt) {
    const next = `\n${l.line}: ${l.text.slice(0, 300)}`;
    if (out.length + next.length > maxChars - 20) {
      out += '\n…';
      break;
    }
    out += next;
  }
  return out.slice(0, maxChars);
}
