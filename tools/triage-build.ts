import { z } from 'zod';
import { actions, button, context, escapeMrkdwn, header, section, truncate } from './shared/block-kit.ts';
import { parseTriageArgs, TRIAGE_USAGE } from './shared/ci/commands.ts';
import { cutMiddle } from './shared/ci/excerpt.ts';
import { parseTriageTarget } from './shared/ci/target.ts';
import { kindLabel, resolveRun, type TriagedJob, type TriageResult, triageRun } from './shared/ci/triage.ts';
import { defineTool } from './shared/define-tool.ts';
import { requireGitHub } from './shared/github-port.ts';
import { type Block, SLACK_LIMITS } from './shared/message.ts';

const input = z.object({
  repo: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .describe('GitHub repository as owner/repo, e.g. "acme/shop". A workflow run URL is also accepted here.'),
  run: z
    .string()
    .trim()
    .max(300)
    .optional()
    .describe(
      'Which run: a run id ("123456789"), a run URL (https://github.com/acme/shop/actions/runs/123456789), or a ' +
        'branch name (its latest failed run). Omit for the latest failed run on the default branch.',
    ),
});

const MAX_JOBS_SHOWN = 4;
const EXCERPT_CHARS = 2400;
const EXCERPT_LINE_CHARS = 500;

/**
 * The excerpt as a Slack code block, line numbers first, within a section's 3,000 characters. Lines
 * stay whole up to 500 characters and are cut in the middle beyond (a compiler's message is at the
 * end); the limit is checked on the escaped text, and the fences are never cut.
 */
function codeBlock(job: TriagedJob): string {
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
function lineWhere(job: TriagedJob): string {
  return job.linesFrom === 'step' && job.failedStep
    ? `line ${job.logLine} of step ${job.failedStep.number}`
    : `log line ${job.logLine}`;
}

function detailsLine(job: TriagedJob): string {
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

function jobHeadline(job: TriagedJob): string {
  const step = job.failedStep ? ` at step *${escapeMrkdwn(truncate(job.failedStep.name, 80))}*` : '';
  return `:x: *<${job.url}|${escapeMrkdwn(truncate(job.name, 80))}>*${step} — ${kindLabel(job.kind)}${
    job.rule ? ` (${job.rule})` : ''
  }`;
}

function runLine(r: TriageResult): string {
  const run = r.run;
  return [
    `<${run.url}|${escapeMrkdwn(truncate(run.workflow || 'workflow', 60))} #${run.runNumber}>`,
    run.branch ? `branch \`${escapeMrkdwn(truncate(run.branch, 60))}\`` : '',
    `\`${run.sha.slice(0, 7)}\``,
    run.event,
    run.actor ? `by ${escapeMrkdwn(run.actor)}` : '',
    `attempt ${run.attempt}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export const triageBuild = defineTool({
  name: 'triage_build',
  command: {
    name: 'triage',
    usage: TRIAGE_USAGE,
    summary: 'why a GitHub Actions run failed: failed step, the log lines that show why, the kind of failure',
    keywords: ['triage', 'build', 'ci', 'failed', 'failing', 'broke', 'workflow', 'actions'],
    parse: parseTriageArgs,
    title: (i) => `Triage of ${i.repo}${i.run ? ` ${i.run}` : ''}`,
    requires: ['github'],
  },
  description:
    'Triage a failed GitHub Actions run: for each failed job, the failed step, the few log lines that show why ' +
    '(the first real error, secrets redacted), the kind of failure (test, compile, lint, dependency, config, ' +
    'deploy, infrastructure, timeout, cancelled, unknown) and a link to the log line. Use it when someone asks why a ' +
    'build/CI/pipeline failed or to look at a run; give owner/repo and optionally a run id, run URL or branch ' +
    '(default: the latest failed run on the default branch). Read-only. Not for listing failures (use ' +
    'recent_ci_failures) and not for re-running (that is the "Re-run failed jobs" button or /ops rerun).',
  input,
  risk: 'read',
  async run(deps, args, ctx): Promise<TriageResult> {
    const github = requireGitHub(deps.github);
    const { owner, repo, target } = parseTriageTarget(args.repo, args.run);
    ctx.progress(`Finding the run in ${owner}/${repo}…`);
    const run = await resolveRun(github, { owner, repo }, target, ctx.signal);
    return triageRun(github, deps.redact, { owner, repo }, run, {
      signal: ctx.signal,
      progress: ctx.progress,
      maxJobs: MAX_JOBS_SHOWN,
      ...(target.kind === 'run' && target.jobId ? { preferJobId: target.jobId } : {}),
    });
  },

  summarize(r) {
    const run = r.run;
    const head =
      `${r.repo} run ${run.id} (${run.workflow} #${run.runNumber}, branch ${run.branch ?? '-'}, ${run.event}, ` +
      `attempt ${run.attempt}) ${run.conclusion}: ${r.failedJobCount} failed job${r.failedJobCount === 1 ? '' : 's'}` +
      (r.cancelledJobCount ? `, ${r.cancelledJobCount} cancelled` : '') +
      '.';
    const parts = [head];
    if (r.note) parts.push(r.note);
    // Budget per job so the whole stays around 1,200 characters however many lines the logs had.
    const budget = Math.floor(1000 / Math.max(1, Math.min(r.jobs.length, 3)));
    for (const job of r.jobs.slice(0, 3)) {
      const d = job.details;
      let s =
        `Job "${job.name}"${job.failedStep ? `, step "${job.failedStep.name}"` : ''}: ${kindLabel(job.kind)}` +
        `${job.rule ? ` (rule ${job.rule}, ${job.confidence} confidence)` : ''}.`;
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
      if (job.verdict && !/^Process completed with exit code/.test(job.verdict))
        s += ` Runner: ${job.verdict}`;
      if (job.note) s += ` ${job.note}`;
      const rest = job.excerpt
        .filter((l) => l.line !== job.logLine && /[A-Za-z0-9]/.test(l.text) && !l.text.startsWith('##['))
        .slice(0, 4);
      if (rest.length) s += ` Context: ${rest.map((l) => truncate(l.text.trim(), 90)).join(' | ')}`;
      parts.push(truncate(s, budget));
    }
    if (r.jobs.length > 3) parts.push(`+${r.jobs.length - 3} more triaged jobs.`);
    if (r.failedJobCount > r.jobs.length)
      parts.push(`+${r.failedJobCount - r.jobs.length} failed jobs not read.`);
    parts.push(`Re-run: ${r.rerunCommand}`);
    return truncate(parts.join('\n'), 1200);
  },

  blocks(r) {
    const blocks: Block[] = [
      header(`CI failure: ${r.repo} · ${r.run.workflow || 'workflow'} #${r.run.runNumber}`),
    ];
    blocks.push(context(runLine(r)));
    if (r.run.title) blocks.push(context(`_${escapeMrkdwn(truncate(r.run.title, 200))}_`));
    if (r.note) blocks.push(section(escapeMrkdwn(r.note)));
    for (const job of r.jobs) {
      const details = detailsLine(job);
      blocks.push(section(`${jobHeadline(job)}${details ? `\n${details}` : ''}`));
      if (job.excerpt.length > 0) blocks.push(section(codeBlock(job)));
      const foot = [
        job.logLine !== null ? `<${job.logUrl}|View ${lineWhere(job)}>` : `<${job.logUrl}|View log>`,
        job.section && job.section !== job.failedStep?.name
          ? `in _${escapeMrkdwn(truncate(job.section, 80))}_`
          : '',
        job.note ? escapeMrkdwn(job.note) : '',
      ].filter(Boolean);
      blocks.push(context(foot.join(' · ')));
    }
    const more = r.failedJobCount - r.jobs.length;
    if (more > 0) blocks.push(context(`+${more} more failed job${more === 1 ? '' : 's'} not shown`));
    if (r.cancelledJobCount > 0 && r.jobs.some((j) => j.conclusion !== 'cancelled')) {
      blocks.push(
        context(`${r.cancelledJobCount} job${r.cancelledJobCount === 1 ? ' was' : 's were'} cancelled`),
      );
    }
    blocks.push(
      actions(
        [button('ci_rerun', 'Re-run failed jobs', `/ops rerun ${r.repo} ${r.run.id}`, 'primary')],
        `ci_rerun:${r.run.id}`,
      ),
    );
    const first = r.jobs[0];
    const text = truncate(
      `CI failure in ${r.repo}: ${r.run.workflow} #${r.run.runNumber} on ${r.run.branch ?? '-'} — ` +
        (first
          ? `${kindLabel(first.kind)} in job ${first.name}${first.firstError ? `: ${first.firstError.trim()}` : ''}`
          : (r.note ?? 'no failed jobs')),
      SLACK_LIMITS.messageText,
    );
    return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
  },
});
