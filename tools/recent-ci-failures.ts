import { z } from 'zod';
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  header,
  section,
  takeWithMore,
  truncate,
} from './shared/block-kit.ts';
import { parseRepo } from './shared/ci/target.ts';
import { defineTool } from './shared/define-tool.ts';
import { requireGitHub } from './shared/github-port.ts';
import type { Block } from './shared/message.ts';

const input = z.object({
  repo: z.string().trim().min(3).max(300).describe('GitHub repository as owner/repo, e.g. "acme/shop".'),
  branch: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('Only runs of this branch (e.g. "main"). Omit for all branches.'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('How many failed runs to list, newest first (1–20, default 5).'),
});

export interface FailedRunSummary {
  id: number;
  workflow: string;
  runNumber: number;
  attempt: number;
  branch: string | null;
  sha: string;
  event: string;
  /** Commit or PR title, redacted. */
  title: string;
  actor: string | null;
  url: string;
  createdAt: string;
}

export interface RecentCiFailures {
  repo: string;
  branch: string | null;
  runs: FailedRunSummary[];
}

/** `2025-01-14T09:30:00Z` → `2025-01-14 09:30Z` */
function shortTime(iso: string): string {
  return iso.replace(/T(\d\d:\d\d).*$/, ' $1Z');
}

export const recentCiFailures = defineTool({
  name: 'recent_ci_failures',
  description:
    'List the most recent failed GitHub Actions workflow runs of a repository, optionally for one branch, newest ' +
    'first (workflow, run number, branch, commit, trigger, link). Use it to answer "what is failing in CI", "is ' +
    'main red", or to find a run id to triage. Read-only. To see why a run failed, use triage_build.',
  input,
  risk: 'read',
  async run(deps, args, ctx): Promise<RecentCiFailures> {
    const github = requireGitHub(deps.github);
    const { owner, repo } = parseRepo(args.repo);
    ctx.progress(`Listing failed runs of ${owner}/${repo}…`);
    const runs = await github.listWorkflowRuns(
      {
        owner,
        repo,
        status: 'failure',
        perPage: args.limit,
        ...(args.branch ? { branch: args.branch } : {}),
      },
      { signal: ctx.signal },
    );
    return {
      repo: `${owner}/${repo}`,
      branch: args.branch ?? null,
      runs: runs.slice(0, args.limit).map((r) => ({
        id: r.id,
        workflow: deps.redact(r.name),
        runNumber: r.runNumber,
        attempt: r.runAttempt,
        branch: r.headBranch,
        sha: r.headSha,
        event: r.event,
        title: deps.redact(r.displayTitle),
        actor: r.actor,
        url: r.htmlUrl,
        createdAt: r.createdAt,
      })),
    };
  },

  summarize(r) {
    const where = `${r.repo}${r.branch ? ` on ${r.branch}` : ''}`;
    if (r.runs.length === 0) return `No failed workflow runs of ${where} among the runs GitHub lists.`;
    const lines = takeWithMore(
      r.runs,
      8,
      (run) =>
        `run ${run.id}: ${run.workflow} #${run.runNumber} on ${run.branch ?? '-'} (${run.event}, ${run.sha.slice(0, 7)}, ` +
        `${shortTime(run.createdAt)}${run.attempt > 1 ? `, attempt ${run.attempt}` : ''}) "${truncate(run.title, 60)}"`,
    );
    return truncate(
      `${r.runs.length} most recent failed run${r.runs.length === 1 ? '' : 's'} of ${where}, newest first:\n${lines.join('\n')}`,
      1200,
    );
  },

  blocks(r) {
    const where = `${r.repo}${r.branch ? ` (${r.branch})` : ''}`;
    if (r.runs.length === 0) {
      return {
        text: `No failed CI runs in ${where}.`,
        blocks: [section(`:white_check_mark: No failed CI runs in *${escapeMrkdwn(where)}*.`)],
      };
    }
    const blocks: Block[] = [header(`Failed CI runs · ${where}`)];
    for (const run of r.runs.slice(0, 10)) {
      blocks.push(
        section(
          `:x: *<${run.url}|${escapeMrkdwn(truncate(run.workflow || 'workflow', 60))} #${run.runNumber}>* on ` +
            `\`${escapeMrkdwn(truncate(run.branch ?? '-', 60))}\` · \`${run.sha.slice(0, 7)}\` · ${run.event}` +
            `${run.actor ? ` by ${escapeMrkdwn(run.actor)}` : ''} · ${shortTime(run.createdAt)}` +
            `${run.title ? `\n_${escapeMrkdwn(truncate(run.title, 150))}_` : ''}`,
        ),
      );
      blocks.push(
        actions([button('ci_triage', 'Triage', `/ops triage ${r.repo} ${run.id}`)], `ci_triage:${run.id}`),
      );
    }
    if (r.runs.length > 10) blocks.push(context(`+${r.runs.length - 10} more`));
    const latest = r.runs[0];
    return {
      text: `${r.runs.length} failed CI run${r.runs.length === 1 ? '' : 's'} in ${where}; latest: ${latest?.workflow} #${latest?.runNumber}`,
      blocks,
    };
  },
});
