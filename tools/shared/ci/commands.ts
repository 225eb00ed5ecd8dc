/**
 * The `/ops` commands of CI triage, for the command router and the buttons (whose value is the
 * command to run): argument parsing, usage lines, action ids, and the reply to a re-run.
 *
 *   /ops triage <owner/repo> [run-id | run URL | branch]
 *   /ops triage <log URL>                    (any CI's raw log; Slack's <url|label> markup accepted)
 *   /ops rerun <owner/repo> <run-id>          (also: /ops rerun <run URL>)
 */

import { usageError } from '../args.ts';
import { context, escapeMrkdwn, section } from '../block-kit.ts';
import { AppError } from '../errors.ts';
import type { RunRef, WorkflowRun } from '../github-port.ts';
import type { Message } from '../message.ts';
import { isGitHubTriageUrl, looksLikeUrl, parseLogUrl, unwrapSlackLink } from './log-url.ts';
import { parseTriageTarget } from './target.ts';

export const TRIAGE_USAGE = '/ops triage <owner/repo> [run-id | run URL | branch]  or  /ops triage <log URL>';
export const RERUN_USAGE = '/ops rerun <owner/repo> <run-id>';

/**
 * Action ids of the buttons the CI tools render (register them with the Slack adapter); each button's
 * value is the `/ops` command it stands for. `ci_rerun` is a write: re-check the clicker's permission.
 */
export const CI_ACTION_IDS = { rerun: 'ci_rerun', triage: 'ci_triage' } as const;

const bad = (message: string, usage: string) => usageError(usage, message);
/** A run URL as Slack sends it (`<https://…>`): the URL. */
const unwrap = (w: string) => (looksLikeUrl(w) ? unwrapSlackLink(w) : w);

/**
 * Slack's `<https://…|a label>` is one link even when its label has spaces (which split it into
 * words): the words joined back.
 */
function joinSlackLinks(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i] ?? '';
    if (w.startsWith('<') && !w.endsWith('>') && w.includes('|')) {
      let j = i + 1;
      while (j < words.length && !(words[j] ?? '').endsWith('>')) j++;
      if (j < words.length) {
        w = words.slice(i, j + 1).join(' ');
        i = j;
      }
    }
    out.push(w);
  }
  return out;
}

/**
 * `/ops triage` words (after `triage`) → the triage_build input. A URL that is a workflow run or a
 * github.com repository goes to the run triage; any other URL is a raw log (`url`).
 */
export function parseTriageArgs(words: readonly string[]): { repo?: string; run?: string; url?: string } {
  const [first, ...others] = joinSlackLinks(words);
  if (first && looksLikeUrl(first) && !isGitHubTriageUrl(first)) {
    if (others.length > 0) throw bad(`Unexpected "${others.join(' ')}" after the log URL.`, TRIAGE_USAGE);
    try {
      return { url: parseLogUrl(first) };
    } catch (e) {
      if (e instanceof AppError) throw bad(e.userMessage, TRIAGE_USAGE);
      throw e;
    }
  }
  const [repo, run, ...rest] = [first, ...others].filter((w): w is string => w !== undefined).map(unwrap);
  if (!repo) throw bad('Name a repository, or give a log URL.', TRIAGE_USAGE);
  if (rest.length > 0) throw bad(`Unexpected "${rest.join(' ')}".`, TRIAGE_USAGE);
  try {
    parseTriageTarget(repo, run);
  } catch (e) {
    if (e instanceof AppError) throw bad(e.userMessage, TRIAGE_USAGE);
    throw e;
  }
  return run ? { repo, run } : { repo };
}

/** `/ops rerun` words (after `rerun`) → the run to re-run. A run id or URL is required: re-running is a write. */
export function parseRerunArgs(words: readonly string[]): RunRef {
  const [repoText, runText, ...rest] = words;
  if (!repoText) throw bad('Name a repository and a run.', RERUN_USAGE);
  if (rest.length > 0) throw bad(`Unexpected "${rest.join(' ')}".`, RERUN_USAGE);
  let parsed: ReturnType<typeof parseTriageTarget>;
  try {
    parsed = parseTriageTarget(repoText, runText);
  } catch (e) {
    if (e instanceof AppError) throw bad(e.userMessage, RERUN_USAGE);
    throw e;
  }
  if (parsed.target.kind !== 'run') throw bad('Give the run id (or its URL) to re-run.', RERUN_USAGE);
  return { owner: parsed.owner, repo: parsed.repo, runId: parsed.target.runId };
}

/** The reply after GitHub accepted a re-run (see GitHubPort.rerunFailedJobs). */
export function rerunMessage(ref: RunRef, run: WorkflowRun, byUserId?: string): Message {
  const repo = `${ref.owner}/${ref.repo}`;
  const who = byUserId ? ` by <@${byUserId}>` : '';
  const text = `Re-running the failed jobs of ${repo} run ${ref.runId} (attempt ${run.runAttempt})${byUserId ? ` for ${byUserId}` : ''}.`;
  return {
    text,
    blocks: [
      section(
        `:arrows_counterclockwise: Re-running the failed jobs of *<${run.htmlUrl}|${escapeMrkdwn(run.name || 'run')} #${run.runNumber}>* ` +
          `in *${escapeMrkdwn(repo)}*${who}: attempt ${run.runAttempt}.`,
      ),
      context(`Status: ${run.status ?? 'queued'} · branch \`${escapeMrkdwn(run.headBranch ?? '-')}\``),
    ],
  };
}
