/**
 * Parsing what a person or the model says to triage: `owner/repo` plus a run id, a run URL, or a
 * branch — or just a run URL. Pure; errors are AppError `bad_input` with a message saying what was
 * expected.
 */

import { AppError } from '../errors.ts';
import type { RepoRef } from '../github-port.ts';

export type TriageTarget =
  | { kind: 'run'; runId: number; attempt?: number; jobId?: number }
  | { kind: 'branch'; branch: string }
  | { kind: 'default' };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** `…/OWNER/REPO/actions/runs/RUN[/attempts/N][/job/JOB]` on github.com or a GitHub Enterprise host. */
const RUN_URL =
  /^https?:\/\/[^/\s]+\/([^/\s]+)\/([^/\s]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?(?:\/job\/(\d+))?/;
const REPO_URL = /^https?:\/\/[^/\s]+\/([^/\s]+)\/([^/\s#?]+?)(?:\.git)?\/?(?:[?#].*)?$/;

function badInput(message: string): AppError {
  return new AppError({ code: 'bad_input', userMessage: message });
}

/** `owner/repo`, `https://github.com/owner/repo(.git)`; throws `bad_input` otherwise. */
export function parseRepo(text: string): RepoRef {
  const s = text.trim();
  const run = RUN_URL.exec(s);
  const m = run ?? REPO_URL.exec(s) ?? /^([^/\s]+)\/([^/\s]+)$/.exec(s);
  const owner = m?.[1];
  const repo = m?.[2]?.replace(/\.git$/, '');
  if (!owner || !repo || !NAME.test(owner) || !REPO_NAME.test(repo)) {
    throw badInput(`"${s}" is not a GitHub repository; write it as owner/repo (for example acme/shop).`);
  }
  return { owner, repo };
}

/** A GitHub id (run, attempt, job): a whole number from 1 to 2^53 − 1, checked where it is parsed. */
function id(text: string, what: string): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw badInput(`The ${what} must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, not "${text}".`);
  }
  return n;
}

/**
 * Resolves `repo` (owner/repo or a run URL) and the optional `run` (a run id, a run URL or a branch).
 * A number is a run id (a branch named only with digits cannot be asked for this way). A run URL for
 * a different repository than `repo` is an error.
 */
export function parseTriageTarget(repoText: string, runText?: string): RepoRef & { target: TriageTarget } {
  const repoUrlRun = RUN_URL.exec(repoText.trim());
  const ref = parseRepo(repoText);
  const fromUrl = (m: RegExpExecArray): TriageTarget => {
    const t: TriageTarget = { kind: 'run', runId: id(m[3] ?? '', 'run id') };
    if (m[4]) t.attempt = id(m[4], 'attempt');
    if (m[5]) t.jobId = id(m[5], 'job id');
    return t;
  };
  const arg = runText?.trim().replace(/^#/, '');
  if (!arg) return { ...ref, target: repoUrlRun ? fromUrl(repoUrlRun) : { kind: 'default' } };
  if (/^\d+$/.test(arg)) return { ...ref, target: { kind: 'run', runId: id(arg, 'run id') } };
  const m = RUN_URL.exec(arg);
  if (m) {
    if (`${m[1]}/${m[2]}`.toLowerCase() !== `${ref.owner}/${ref.repo}`.toLowerCase()) {
      throw badInput(`That run URL is for ${m[1]}/${m[2]}, not ${ref.owner}/${ref.repo}.`);
    }
    return { ...ref, target: fromUrl(m) };
  }
  if (/^https?:\/\//.test(arg)) {
    throw badInput(`"${arg}" is not a workflow run URL (…/owner/repo/actions/runs/123).`);
  }
  // A branch: git's ref-name rules, loosely.
  if (!/^[^\s~^:?*[\\]+$/.test(arg) || arg.includes('..') || arg.startsWith('/') || arg.endsWith('/')) {
    throw badInput(`"${arg}" is neither a run id, a run URL nor a branch name.`);
  }
  return { ...ref, target: { kind: 'branch', branch: arg.replace(/^refs\/heads\//, '') } };
}
