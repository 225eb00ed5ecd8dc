import { escapeMrkdwn, truncate } from '../../../tools/shared/block-kit.ts';
import { kindLabel, triageRun } from '../../../tools/shared/ci/triage.ts';
import { FAILED_RUN_CONCLUSIONS } from '../../../tools/shared/ci/workflow-run.ts';
import { requireGitHub, type WorkflowRun } from '../../../tools/shared/github-port.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import { isAppError } from '../../errors.ts';
import type { DigestItem, DigestSection, SectionResult } from '../section.ts';

/** New failures triaged per digest (each reads a job log); the rest link to `/ops triage`. */
const MAX_TRIAGED = 3;
/** Runs listed per repository: enough to find the latest run of every workflow on the default branch. */
const RUNS_PER_REPO = 50;

/**
 * `ci`: for each repository (the digest's `repos:`, else those of `ci.channels`), which workflows are
 * red on the default branch — the latest completed run of each, as a finding per workflow — and how
 * many runs failed since the last digest. A failure the last digest did not have is triaged (kind and
 * first error line), at most three per digest.
 */
export function ciSection(ports: Ports, channelRepos: readonly string[]): DigestSection {
  return {
    name: 'ci',
    title: 'CI',
    async collect(digest, ctx): Promise<SectionResult> {
      const github = requireGitHub(ports.github);
      const repos = digest.repos?.length ? digest.repos : channelRepos;
      if (repos.length === 0) {
        return {
          items: [],
          notes: ['no repositories: list them under `repos:` in the digest, or under `ci.channels`'],
        };
      }
      const items: DigestItem[] = [];
      const summaries: string[] = [];
      const notes: string[] = [];
      let triaged = 0;
      for (const full of repos) {
        const [owner = '', repo = ''] = full.split('/');
        const ref = { owner, repo };
        ctx.progress(`Listing runs of ${full}…`);
        let branch: string;
        let runs: WorkflowRun[];
        try {
          branch = await github.getDefaultBranch(ref, { signal: ctx.signal });
          runs = await github.listWorkflowRuns(
            { ...ref, branch, status: 'completed', perPage: RUNS_PER_REPO },
            { signal: ctx.signal },
          );
        } catch (e) {
          if (!isAppError(e) || e.retryable) throw e;
          notes.push(`${escapeMrkdwn(full)}: ${escapeMrkdwn(e.userMessage)}`);
          continue;
        }
        const latest = new Map<string, WorkflowRun>();
        for (const r of runs) {
          const key = r.workflowPath || r.name;
          if (!latest.has(key)) latest.set(key, r);
        }
        const sinceMs = ctx.since?.getTime() ?? ctx.now.getTime() - 86_400_000;
        const failedSince = runs.filter(
          (r) => FAILED_RUN_CONCLUSIONS.has(r.conclusion ?? '') && Date.parse(r.createdAt) > sinceMs,
        ).length;
        const red = [...latest.values()].filter((r) => FAILED_RUN_CONCLUSIONS.has(r.conclusion ?? ''));
        summaries.push(
          `${escapeMrkdwn(full)}: ${red.length ? `${red.length} red on ${escapeMrkdwn(branch)}` : `${escapeMrkdwn(branch)} green`}, ${failedSince} failed run${failedSince === 1 ? '' : 's'} ${ctx.since ? 'since the last digest' : 'in 24 h'}`,
        );
        for (const r of red) {
          const fingerprint = `ci:${full.toLowerCase()}:${r.workflowPath || r.name}:${branch}`;
          const link = `<${r.htmlUrl}|${escapeMrkdwn(truncate(ports.redact(r.name) || 'workflow', 60))} #${r.runNumber}>`;
          let why = `\`/ops triage ${full} ${r.id}\``;
          if (triaged < MAX_TRIAGED && !ctx.known(fingerprint)) {
            triaged += 1;
            try {
              const t = await triageRun(github, ports.redact, ref, r, { maxJobs: 1, signal: ctx.signal });
              const job = t.jobs[0];
              why = `${kindLabel(t.kind)}${job?.firstError ? `: \`${escapeMrkdwn(truncate(job.firstError.replace(/`/g, "'"), 200))}\`` : ''}`;
            } catch (e) {
              if (!isAppError(e)) throw e;
              why = `not triaged (${escapeMrkdwn(truncate(e.userMessage, 120))})`;
            }
          }
          items.push({
            fingerprint,
            kind: 'finding',
            severity: 'error',
            text: `${link} on ${escapeMrkdwn(full)} \`${escapeMrkdwn(branch)}\` — ${why}`,
          });
        }
      }
      return { items, summary: summaries.join(' · '), notes, more: '/ops triage <owner/repo>' };
    },
  };
}
