import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { splitLines } from '../../tools/shared/ci/lines.ts';
import { toWorkflowJob, toWorkflowRun } from '../../tools/shared/ci/workflow-run.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type {
  CallOptions,
  GitHubPort,
  JobRef,
  ListRunsQuery,
  RepoRef,
  RunRef,
  WorkflowJob,
  WorkflowRun,
} from '../../tools/shared/github-port.ts';

export interface GitHubClientOptions {
  /** REST API root: `https://api.github.com` (default), `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** A personal access token (classic or fine-grained) or any other bearer token. */
  token?: string;
  /** GitHub App id; with `privateKey`, used instead of `token`. The installation is looked up per repository. */
  appId?: string;
  /** The App's private key (PEM). */
  privateKey?: string;
  userAgent?: string;
  /** Retries of a request that failed on the network or with a 5xx (default 3; waits 1 s, 4 s, 9 s). */
  retries?: number;
  /** Times one request waits out a rate limit before giving up (default 3). */
  rateLimitRetries?: number;
  /** Longest single rate-limit wait accepted, in seconds (default 120); a later reset fails at once as `github_rate_limited`. */
  maxRateLimitWaitSeconds?: number;
  /** How long an App installation id is trusted before it is looked up again (default 15 min). */
  installationCacheMs?: number;
  /** Receives rate-limit waits and other notices (default: silent). Never given credentials. */
  onWarning?: (message: string) => void;
}

const ShipmateOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof ShipmateOctokit>;

type What = 'repo' | 'runs' | 'run' | 'jobs' | 'logs' | 'rerun' | 'installation';

interface HttpishError {
  name?: string;
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/**
 * The GitHub side of CI triage over @octokit/rest with retries (network, 5xx) and throttling (rate
 * limits wait instead of failing, a bounded number of times). With `appId` + `privateKey` it
 * authenticates as a GitHub App and finds the installation for each repository (cached); otherwise it
 * uses `token`. Every failure is an AppError with a specific code (see tools/shared/github-port.ts).
 *
 * Job logs: GitHub answers the logs endpoint with a 302 to a short-lived signed URL on its storage
 * host. The redirect is taken manually (`redirect: 'manual'`) so the GitHub credentials are never sent
 * there, and the body is read as a stream, line by line — Octokit's own redirect handling would
 * buffer the whole log into one string.
 */
export function createGitHubPort(opts: GitHubClientOptions): GitHubPort {
  const baseUrl = (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? 'shipmate';
  const rateLimitRetries = opts.rateLimitRetries ?? 3;
  const maxWait = opts.maxRateLimitWaitSeconds ?? 120;
  const warn = opts.onWarning ?? (() => {});
  const useApp = Boolean(opts.appId && opts.privateKey);
  if (!useApp && !opts.token) {
    throw new AppError({
      code: 'not_configured',
      userMessage: 'GitHub is not configured. Set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.',
    });
  }
  const credential = useApp ? `the GitHub App (GITHUB_APP_ID ${opts.appId})` : 'GITHUB_TOKEN';

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _o: unknown,
      retryCount: number,
    ): boolean => {
      const ok = retryCount < rateLimitRetries && retryAfter <= maxWait;
      warn(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}: ` +
          (ok ? `waiting ${retryAfter}s (retry ${retryCount + 1}/${rateLimitRetries})` : 'giving up'),
      );
      return ok;
    };

  const common = {
    baseUrl,
    userAgent,
    retry: { retries: opts.retries ?? 3 },
    throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => warn(m), error: (m: string) => warn(m) },
  };

  const tokenClient: Client | null = useApp ? null : new ShipmateOctokit({ ...common, auth: opts.token });
  const appClient: Client | null = useApp
    ? new ShipmateOctokit({
        ...common,
        authStrategy: createAppAuth,
        auth: { appId: opts.appId, privateKey: opts.privateKey },
      })
    : null;
  const installations = new Map<string, { id: Promise<number>; at: number }>();
  const installationClients = new Map<number, Client>();
  const installationTtl = opts.installationCacheMs ?? 15 * 60_000;

  const fail = (e: unknown, what: What, ref: RepoRef, id?: number): unknown =>
    mapGitHubError(e, { what, ref, id, credential, app: useApp });

  /** The client for a repository: the token client, or the App installation's (looked up once per TTL). */
  const clientFor = async (ref: RepoRef, signal?: AbortSignal): Promise<Client> => {
    if (tokenClient) return tokenClient;
    const app = appClient as Client;
    const key = `${ref.owner}/${ref.repo}`.toLowerCase();
    let entry = installations.get(key);
    if (!entry || Date.now() - entry.at > installationTtl) {
      const id = app.rest.apps
        .getRepoInstallation({ owner: ref.owner, repo: ref.repo, request: { signal } })
        .then((r) => r.data.id);
      entry = { id, at: Date.now() };
      installations.set(key, entry);
      id.catch(() => installations.delete(key));
    }
    let installationId: number;
    try {
      installationId = await entry.id;
    } catch (e) {
      throw fail(e, 'installation', ref);
    }
    let client = installationClients.get(installationId);
    if (!client) {
      client = new ShipmateOctokit({
        ...common,
        authStrategy: createAppAuth,
        auth: { appId: opts.appId, privateKey: opts.privateKey, installationId },
      });
      installationClients.set(installationId, client);
    }
    return client;
  };

  /** On a 404 for something inside a repository, tells "no such repository" from "no such run/job". */
  const explain404 = async (
    e: unknown,
    what: What,
    ref: RepoRef,
    id: number | undefined,
    signal?: AbortSignal,
  ) => {
    if ((e as HttpishError)?.status !== 404 || what === 'repo' || what === 'logs')
      return fail(e, what, ref, id);
    try {
      const c = await clientFor(ref, signal);
      await c.rest.repos.get({ owner: ref.owner, repo: ref.repo, request: { signal } });
    } catch (repoError) {
      return fail(repoError, 'repo', ref);
    }
    return fail(e, what, ref, id);
  };

  const port: GitHubPort = {
    async listWorkflowRuns(q: ListRunsQuery, o?: CallOptions): Promise<WorkflowRun[]> {
      const c = await clientFor(q, o?.signal);
      try {
        const r = await c.rest.actions.listWorkflowRunsForRepo({
          owner: q.owner,
          repo: q.repo,
          ...(q.branch ? { branch: q.branch } : {}),
          ...(q.status ? { status: q.status as 'failure' } : {}),
          per_page: Math.min(100, Math.max(1, q.perPage ?? 10)),
          exclude_pull_requests: true,
          request: { signal: o?.signal },
        });
        return r.data.workflow_runs.map(toWorkflowRun);
      } catch (e) {
        throw await explain404(e, 'runs', q, undefined, o?.signal);
      }
    },

    async getWorkflowRun(ref: RunRef, o?: CallOptions): Promise<WorkflowRun> {
      const c = await clientFor(ref, o?.signal);
      try {
        const r = await c.rest.actions.getWorkflowRun({
          owner: ref.owner,
          repo: ref.repo,
          run_id: ref.runId,
          request: { signal: o?.signal },
        });
        return toWorkflowRun(r.data);
      } catch (e) {
        throw await explain404(e, 'run', ref, ref.runId, o?.signal);
      }
    },

    async listJobsForRun(ref: RunRef, o?: CallOptions): Promise<WorkflowJob[]> {
      const c = await clientFor(ref, o?.signal);
      try {
        const r = await c.rest.actions.listJobsForWorkflowRun({
          owner: ref.owner,
          repo: ref.repo,
          run_id: ref.runId,
          filter: 'latest',
          per_page: 100,
          request: { signal: o?.signal },
        });
        return r.data.jobs.map(toWorkflowJob);
      } catch (e) {
        throw await explain404(e, 'jobs', ref, ref.runId, o?.signal);
      }
    },

    streamJobLog(ref: JobRef, o?: CallOptions): AsyncIterable<string> {
      // Breaking out of the consumer's loop returns splitLines, which returns the body's iterator,
      // which cancels the body: the connection is closed and nothing more is downloaded.
      return splitLines(streamLogBytes(ref, o?.signal));
    },

    streamJobLogBytes(ref: JobRef, o?: CallOptions): AsyncIterable<Uint8Array> {
      return streamLogBytes(ref, o?.signal);
    },

    async rerunFailedJobs(ref: RunRef, o?: CallOptions): Promise<WorkflowRun> {
      const c = await clientFor(ref, o?.signal);
      try {
        await c.rest.actions.reRunWorkflowFailedJobs({
          owner: ref.owner,
          repo: ref.repo,
          run_id: ref.runId,
          request: { signal: o?.signal },
        });
      } catch (e) {
        throw await explain404(e, 'rerun', ref, ref.runId, o?.signal);
      }
      return port.getWorkflowRun(ref, o);
    },

    async getDefaultBranch(ref: RepoRef, o?: CallOptions): Promise<string> {
      const c = await clientFor(ref, o?.signal);
      try {
        const r = await c.rest.repos.get({
          owner: ref.owner,
          repo: ref.repo,
          request: { signal: o?.signal },
        });
        return r.data.default_branch;
      } catch (e) {
        throw fail(e, 'repo', ref);
      }
    },
  };

  async function* streamLogBytes(
    ref: JobRef,
    signal?: AbortSignal,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const c = await clientFor(ref, signal);
    let location: string | undefined;
    let inline: unknown;
    try {
      const r = await c.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
        owner: ref.owner,
        repo: ref.repo,
        job_id: ref.jobId,
        request: { redirect: 'manual', signal },
      });
      location = r.headers.location;
      if (location) location = new URL(location, r.url || baseUrl).toString();
      else inline = r.data;
    } catch (e) {
      throw fail(e, 'logs', ref, ref.jobId);
    }
    if (!location) {
      // A server that answers 200 with the log itself (some proxies): Octokit has already read it.
      if (typeof inline === 'string') yield new TextEncoder().encode(inline);
      else if (inline instanceof ArrayBuffer) yield new Uint8Array(inline);
      return;
    }
    let res: Response;
    try {
      // No Authorization header: the URL is signed, and the host is not GitHub's API.
      res = await fetch(location, { headers: { 'user-agent': userAgent }, signal });
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw new AppError({
        code: 'github_unreachable',
        userMessage: `Could not download the log of job ${ref.jobId} from GitHub's storage (${(e as Error).message}). Try again.`,
        retryable: true,
        cause: e,
      });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => {});
      if (res.status >= 500) {
        throw new AppError({
          code: 'github_unreachable',
          userMessage: `GitHub's log storage answered ${res.status} for job ${ref.jobId}. Try again.`,
          retryable: true,
        });
      }
      throw logsExpired(ref, res.status);
    }
    // Returning early (the consumer stopped) returns the body's iterator, which cancels the body.
    yield* res.body as AsyncIterable<Uint8Array>;
  }

  return port;
}

function logsExpired(ref: JobRef, status: number, cause?: unknown): AppError {
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
};

/**
 * Maps an Octokit/fetch failure to an AppError saying what went wrong in terms of the request
 * (repository, run, job, log, re-run) and what to do. Exported for tests and for the webhook/console
 * adapters that call GitHub through the port but want the same wording.
 */
export function mapGitHubError(
  e: unknown,
  ctx: { what: What; ref: RepoRef; id?: number; credential: string; app: boolean },
): unknown {
  if (e instanceof AppError) return e;
  const err = e as HttpishError;
  if (err?.name === 'AbortError') return e;
  const repo = `${ctx.ref.owner}/${ctx.ref.repo}`;
  const status = typeof err?.status === 'number' ? err.status : undefined;
  const headers = err?.response?.headers ?? {};
  const ghMessage = messageOf(err);
  const thing =
    ctx.what === 'run' || ctx.what === 'jobs' || ctx.what === 'rerun'
      ? `run ${ctx.id}`
      : ctx.what === 'logs'
        ? `the log of job ${ctx.id}`
        : 'workflow runs';

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
  if (status === 403) {
    return new AppError({
      code: 'github_no_access',
      userMessage:
        `${ctx.credential} may not ${ctx.what === 'rerun' ? 're-run' : 'read'} ${thing} of ${repo} (403 ${ghMessage}). ` +
        PERMISSION_HINT[ctx.what === 'rerun' ? 'write' : 'read'],
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
  const data = err?.response?.data as { message?: unknown } | undefined;
  if (data && typeof data.message === 'string') return data.message;
  const m = err?.message ?? '';
  // Octokit appends " - https://docs.github.com/…"; keep the sentence.
  return m.replace(/ - https?:\/\/\S+$/, '');
}

/**
 * The GitHub port the agent's tools get: every read, and a re-run that refuses. A re-run happens only
 * in a job a permitted person started with the button or `/ops rerun`.
 */
export function readOnlyGitHub(port: GitHubPort): GitHubPort {
  return {
    ...port,
    rerunFailedJobs: async () => {
      throw new AppError({
        code: 'needs_approval',
        userMessage: 'Re-running jobs needs a person: use the "Re-run failed jobs" button or /ops rerun.',
      });
    },
  };
}
