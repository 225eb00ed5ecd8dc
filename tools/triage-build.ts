import { z } from 'zod';
import { actions, button, context, escapeMrkdwn, header, section, truncate } from './shared/block-kit.ts';
import { parseTriageArgs, TRIAGE_USAGE } from './shared/ci/commands.ts';
import { logTriageBlocks, logTriageSummary } from './shared/ci/log-render.ts';
import { isLogTriage, type LogTriageResult, triageExtractedLog } from './shared/ci/log-triage.ts';
import { isGitHubTriageUrl, looksLikeUrl, parseLogUrl } from './shared/ci/log-url.ts';
import { codeBlock, detailsLine, jobSummary, lineWhere } from './shared/ci/render.ts';
import { parseTriageTarget } from './shared/ci/target.ts';
import { kindLabel, resolveRun, type TriagedJob, type TriageResult, triageRun } from './shared/ci/triage.ts';
import { defineTool } from './shared/define-tool.ts';
import { AppError } from './shared/errors.ts';
import { requireGitHub } from './shared/github-port.ts';
import { type Block, SLACK_LIMITS } from './shared/message.ts';

const input = z.object({
  repo: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .optional()
    .describe(
      'GitHub repository as owner/repo, e.g. "acme/shop". A workflow run URL is also accepted here. Omit when giving url.',
    ),
  run: z
    .string()
    .trim()
    .max(300)
    .optional()
    .describe(
      'Which run: a run id ("123456789"), a run URL (https://github.com/acme/shop/actions/runs/123456789), or a ' +
        'branch name (its latest failed run). Omit for the latest failed run on the default branch.',
    ),
  url: z
    .string()
    .trim()
    .min(8)
    .max(2000)
    .optional()
    .describe(
      "Instead of repo: the URL of a raw, plain-text log of any CI (a GitLab job's raw log, Jenkins consoleText, " +
        "a Buildkite raw log, a gist's raw file). Fetched only from hosts the team file allows (ci.log_hosts).",
    ),
});

type TriageInput = z.infer<typeof input>;

/** The raw log URL the input asks for, if any: `url`, or a `repo` that is a URL but not GitHub's. */
function rawLogUrl(i: TriageInput): string | undefined {
  if (i.url) return i.url;
  if (i.repo && looksLikeUrl(i.repo) && !isGitHubTriageUrl(i.repo)) return i.repo;
  return undefined;
}

const MAX_JOBS_SHOWN = 4;
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

/** The name a log URL is shown by: host and path, never the query (it may hold a token). */
function urlName(url: string): { name: string; link: string } {
  const u = new URL(url);
  return { name: `${u.host}${u.pathname}`, link: `${u.origin}${u.pathname}` };
}

export const triageBuild = defineTool({
  name: 'triage_build',
  command: {
    name: 'triage',
    usage: TRIAGE_USAGE,
    summary:
      "why a CI run failed — a GitHub Actions run, or any CI's raw log URL: the log lines that show why, the kind of failure",
    keywords: ['triage', 'build', 'ci', 'failed', 'failing', 'broke', 'workflow', 'actions'],
    parse: parseTriageArgs,
    title: (i) => {
      const url = rawLogUrl(i);
      return url ? `Triage of ${urlName(url).name}` : `Triage of ${i.repo}${i.run ? ` ${i.run}` : ''}`;
    },
    requires: (i) => (rawLogUrl(i) ? [] : ['github']),
  },
  description:
    'Triage a failed CI build. A GitHub Actions run (repo, optional run): for each failed job, the failed step, the few log lines that show why ' +
    '(the first real error, secrets redacted), the kind of failure (test, compile, lint, dependency, config, ' +
    'deploy, infrastructure, timeout, cancelled, unknown) and a link to the log line. Use it when someone asks why a ' +
    'build/CI/pipeline failed or to look at a run; give owner/repo and optionally a run id, run URL or branch ' +
    "(default: the latest failed run on the default branch). Any other CI: give url, the raw log's URL (same " +
    'excerpt and kinds). Read-only. Not for listing failures (use ' +
    'recent_ci_failures) and not for re-running (that is the "Re-run failed jobs" button or /ops rerun).',
  input,
  risk: 'read',
  async run(deps, args, ctx): Promise<TriageResult | LogTriageResult> {
    const url = rawLogUrl(args);
    if (url) {
      if (args.run)
        throw new AppError({ code: 'bad_input', userMessage: 'A log URL takes no run; give the URL alone.' });
      const href = parseLogUrl(url);
      if (!deps.logs)
        throw new AppError({
          code: 'not_configured',
          userMessage: 'Triage of log URLs is not available in this deployment.',
        });
      const { name, link } = urlName(href);
      ctx.progress(`Reading the log at ${name}…`);
      const x = await deps.logs.extract(href, { signal: ctx.signal });
      return triageExtractedLog(x, deps.redact, { source: 'url', name, link, bytesRead: x.bytesRead });
    }
    if (!args.repo)
      throw new AppError({
        code: 'bad_input',
        userMessage: 'Name a repository (owner/repo) or give a log URL.',
      });
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
    if (isLogTriage(r)) return logTriageSummary(r);
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
      const lead = `Job "${job.name}"${job.failedStep ? `, step "${job.failedStep.name}"` : ''}`;
      parts.push(truncate(jobSummary(lead, job), budget));
    }
    if (r.jobs.length > 3) parts.push(`+${r.jobs.length - 3} more triaged jobs.`);
    if (r.failedJobCount > r.jobs.length)
      parts.push(`+${r.failedJobCount - r.jobs.length} failed jobs not read.`);
    parts.push(`Re-run: ${r.rerunCommand}`);
    return truncate(parts.join('\n'), 1200);
  },

  blocks(r) {
    if (isLogTriage(r)) return logTriageBlocks(r);
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
