/**
 * GitHub failures as AppErrors, in terms of the request (repository, run, job, log, re-run, file,
 * tree, pull request, commit) and of the credential in use, with what to do about them — a missing
 * permission is named.
 */

import { AppError } from '../../tools/shared/errors.ts';
import type { JobRef, RepoRef } from '../../tools/shared/github-port.ts';

/**
 * What a request was about, for the wording of its errors. The repository port's kinds: `contents`
 * (a file or ref), `tree`, `pull` (a pull request or its files) are reads; `git` writes blobs, trees,
 * commits and refs; `pulls-write` opens a pull request.
 */
export type What =
  | 'repo'
  | 'runs'
  | 'run'
  | 'jobs'
  | 'logs'
  | 'rerun'
  | 'installation'
  | 'contents'
  | 'tree'
  | 'pull'
  | 'git'
  | 'pulls-write';

/** The kinds that read a repository's code or pull requests (not Actions). */
const CODE_READS: readonly What[] = ['contents', 'tree', 'pull'];

/** What an Octokit request error (or a fetch failure) looks like. */
export interface HttpishError {
  name?: string;
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/** AppError `github_logs_expired`: the log of a job is gone (expired or deleted). */
export function logsExpired(ref: JobRef, status: number, cause?: unknown): AppError {
  return new AppError({
    code: 'github_logs_expired',
    userMessage:
      `The log of job ${ref.jobId} in ${ref.owner}/${ref.repo} is no longer available (${status}): ` +
      'GitHub keeps logs for 90 days by default (less if the repository says so), and logs can be deleted. ' +
      'Re-run the job to get a fresh log.',
    cause,
  });
}

const PERMISSION_HINT = {
  read:
    "A fine-grained token needs this repository and 'Actions: read' (plus 'Metadata: read'); a classic token the 'repo' scope " +
    "('public_repo' for public repositories); a GitHub App the 'Actions: read' permission, accepted in its installation.",
  write:
    "Re-running needs 'Actions: write' (fine-grained token or GitHub App) or the 'repo' scope (classic token), " +
    'and the token owner must have write access to the repository.',
  code:
    "Reading a repository's files and pull requests needs 'Contents: read' and 'Pull requests: read' (plus 'Metadata: read') " +
    "for a fine-grained token or a GitHub App (accepted in its installation), or the 'repo' scope for a classic token " +
    "('public_repo' for public repositories).",
  git:
    "Committing needs 'Contents: write' (fine-grained token or GitHub App, accepted in its installation) or the 'repo' " +
    'scope (classic token), and the token owner must have write access to the repository.',
  'pulls-write':
    "Opening a pull request needs 'Pull requests: write' (fine-grained token or GitHub App, accepted in its installation) " +
    "or the 'repo' scope (classic token), and the token owner must have write access to the repository.",
};

/** The permission hint for a kind of request. */
function hintFor(what: What): string {
  if (what === 'rerun') return PERMISSION_HINT.write;
  if (what === 'git' || what === 'pulls-write') return PERMISSION_HINT[what];
  if (CODE_READS.includes(what)) return PERMISSION_HINT.code;
  return PERMISSION_HINT.read;
}

/** What a request was about, in words: `run 12`, `the file src/a.ts`, `pull request #4`, … */
function thingOf(ctx: { what: What; id?: number; subject?: string }): string {
  switch (ctx.what) {
    case 'run':
    case 'jobs':
    case 'rerun':
      return `run ${ctx.id}`;
    case 'logs':
      return `the log of job ${ctx.id}`;
    case 'contents':
      return ctx.subject ? `\`${ctx.subject}\`` : 'the files';
    case 'tree':
      return ctx.subject ? `the file tree at ${ctx.subject}` : 'the file tree';
    case 'pull':
    case 'pulls-write':
      return ctx.id ? `pull request #${ctx.id}` : 'pull requests';
    case 'git':
      return ctx.subject ? `branch ${ctx.subject}` : 'the branches';
    default:
      return 'workflow runs';
  }
}

/** The verb of a 403: what the credential may not do. */
function verbOf(what: What): string {
  if (what === 'rerun') return 're-run';
  if (what === 'git') return 'commit to';
  if (what === 'pulls-write') return 'open';
  return 'read';
}

/**
 * Maps an Octokit/fetch failure to an AppError saying what went wrong in terms of the request
 * (repository, run, job, log, re-run) and what to do. Exported for tests and for the webhook/console
 * adapters that call GitHub through the port but want the same wording.
 */
export function mapGitHubError(
  e: unknown,
  ctx: { what: What; ref: RepoRef; id?: number; subject?: string; credential: string; app: boolean },
): unknown {
  if (e instanceof AppError) return e;
  const err = e as HttpishError;
  if (err?.name === 'AbortError') return e;
  const repo = `${ctx.ref.owner}/${ctx.ref.repo}`;
  const status = typeof err?.status === 'number' ? err.status : undefined;
  const headers = err?.response?.headers ?? {};
  const ghMessage = messageOf(err);
  const thing = thingOf(ctx);

  // No HTTP response at all: DNS, refused connection, TLS, timeout. Octokit reports these as 500.
  if (status === undefined || (status === 500 && !err?.response)) {
    return new AppError({
      code: 'github_unreachable',
      userMessage: `Cannot reach GitHub (${ghMessage || 'network error'}). Check GITHUB_API_URL and the network; will retry.`,
      retryable: true,
      cause: e,
    });
  }
  if (status === 401) {
    return new AppError({
      code: 'github_no_access',
      userMessage: ctx.app
        ? `GitHub rejected the credentials of ${ctx.credential} (401 ${ghMessage}). Check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.`
        : `GitHub rejected GITHUB_TOKEN (401 ${ghMessage}): it is wrong, expired or revoked. Set a valid token.`,
      cause: e,
    });
  }
  const rateLimited =
    (status === 403 || status === 429) &&
    (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(ghMessage));
  if (rateLimited) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when =
      Number.isFinite(reset) && reset > 0 ? ` It resets at ${new Date(reset * 1000).toISOString()}.` : '';
    return new AppError({
      code: 'github_rate_limited',
      userMessage: `GitHub's API rate limit for ${ctx.credential} is used up (${ghMessage}).${when} Will retry later.`,
      retryable: true,
      cause: e,
    });
  }
  if (ctx.what === 'installation' && status === 404) {
    return new AppError({
      code: 'github_no_access',
      userMessage: `${ctx.credential} is not installed on ${repo} (or the repository does not exist). Install the App on it.`,
      cause: e,
    });
  }
  if (
    ctx.what === 'rerun' &&
    (status === 403 || status === 409 || status === 422) &&
    /re-?run|not complete|in progress|older than|month/i.test(ghMessage)
  ) {
    return new AppError({
      code: 'github_not_rerunnable',
      userMessage: `GitHub would not re-run run ${ctx.id} of ${repo}: ${ghMessage}.`,
      cause: e,
    });
  }
  if (
    ctx.what === 'pulls-write' &&
    status === 422 &&
    /draft pull requests are not supported/i.test(ghMessage)
  ) {
    return new AppError({
      code: 'github_drafts_unsupported',
      userMessage: `${repo} does not allow draft pull requests (${ghMessage}).`,
      cause: e,
    });
  }
  if (status === 403) {
    const target = ctx.what === 'pulls-write' ? `a pull request in ${repo}` : `${thing} of ${repo}`;
    return new AppError({
      code: 'github_no_access',
      userMessage: `${ctx.credential} may not ${verbOf(ctx.what)} ${target} (403 ${ghMessage}). ${hintFor(ctx.what)}`,
      cause: e,
    });
  }
  if ((ctx.what === 'git' || ctx.what === 'pulls-write') && status === 404) {
    // GitHub answers 404 to a write the credential may not make on a repository it can read.
    return new AppError({
      code: 'github_no_access',
      userMessage:
        `GitHub answered 404 when ${ctx.credential} tried to ${ctx.what === 'git' ? `commit to ${repo}` : `open a pull request in ${repo}`} ` +
        `(${ghMessage}): usually a missing permission. ${hintFor(ctx.what)}`,
      cause: e,
    });
  }
  if (ctx.what === 'logs' && (status === 404 || status === 410)) {
    return logsExpired({ ...ctx.ref, jobId: ctx.id ?? 0 }, status, e);
  }
  if (status === 404 || status === 410) {
    if (ctx.what === 'repo' || ctx.what === 'runs') {
      return new AppError({
        code: 'github_repo_not_found',
        userMessage:
          `GitHub has no repository ${repo} that ${ctx.credential} can see. Check the name (owner/repo)` +
          (ctx.app ? ' and that the App is installed on it.' : ' and that the token has access to it.'),
        cause: e,
      });
    }
    if (CODE_READS.includes(ctx.what)) {
      return new AppError({
        code: 'github_not_found',
        userMessage: `${repo} has no ${thing} that ${ctx.credential} can see. Check the name; if it exists, ${hintFor(ctx.what)}`,
        cause: e,
      });
    }
    return new AppError({
      code: 'github_not_found',
      userMessage: `${repo} has no ${thing}. Check the id or URL.`,
      cause: e,
    });
  }
  if (status >= 500) {
    return new AppError({
      code: 'github_unreachable',
      userMessage: `GitHub answered ${status} (${ghMessage}); will retry.`,
      retryable: true,
      cause: e,
    });
  }
  return new AppError({
    code: 'github_error',
    userMessage: `GitHub refused the request for ${thing} of ${repo} (${status} ${ghMessage}).`,
    cause: e,
  });
}

function messageOf(err: HttpishError | undefined): string {
  const data = err?.response?.data as { message?: unknown; errors?: unknown } | undefined;
  if (data && typeof data.message === 'string') {
    // A 422's details ("A pull request already exists for acme:x.") are in `errors`.
    const details = Array.isArray(data.errors)
      ? data.errors
          .map((d: unknown) => (typeof d === 'string' ? d : (d as { message?: unknown })?.message))
          .filter((d): d is string => typeof d === 'string' && d !== '')
      : [];
    return details.length ? `${data.message}: ${details.join('; ')}` : data.message;
  }
  const m = err?.message ?? '';
  // Octokit appends " - https://docs.github.com/…"; keep the sentence.
  return m.replace(/ - https?:\/\/\S+$/, '');
}
