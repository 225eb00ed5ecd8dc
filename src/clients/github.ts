import { splitLines } from '../../tools/shared/ci/lines.ts';
import { toWorkflowJob, toWorkflowRun } from '../../tools/shared/ci/workflow-run.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type {
  CallOptions,
  GitHubPort,
  JobRef,
  ListRunsQuery,
  OpenedLog,
  RepoRef,
  RunRef,
  WorkflowJob,
  WorkflowRun,
} from '../../tools/shared/github-port.ts';
import { logsExpired, type What } from './github-errors.ts';
import { createGitHubSession, type GitHubClientOptions, type GitHubSession } from './github-session.ts';

export type { GitHubClientOptions } from './github-session.ts';

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
 *
 * Building the port loads nothing: Octokit (and, for an App, its auth strategy) is loaded on the
 * first call (src/clients/github-octokit.ts). It throws AppError `not_configured` at once when
 * neither a token nor an App is given. Pass a `session` (github-session.ts) to share clients and
 * installation look-ups with the repository port.
 */
export function createGitHubPort(
  opts: GitHubClientOptions,
  session: GitHubSession = createGitHubSession(opts),
): GitHubPort {
  const { baseUrl, userAgent, clientFor, fail } = session;
  const explain404 = (e: unknown, what: What, ref: RepoRef, id: number | undefined, signal?: AbortSignal) =>
    session.explain404(e, what, ref, { id }, signal);

  const port: GitHubPort = {
    async listWorkflowRuns(q: ListRunsQuery, o?: CallOptions): Promise<WorkflowRun[]> {
      const c = await clientFor(q, o?.signal);
      try {
        const r = await c.rest.actions.listWorkflowRunsForRepo({
          owner: q.owner,
          repo: q.repo,
          ...(q.branch ? { branch: q.branch } : {}),
          ...(q.status ? { status: q.status as 'failure' } : {}),
          ...(q.headSha ? { head_sha: q.headSha } : {}),
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

    async openJobLog(ref: JobRef, o?: CallOptions): Promise<OpenedLog> {
      const location = await logLocation(ref, o?.signal);
      if (typeof location !== 'string') return { stream: location };
      // One byte first: a 206 with the total size says the host reads ranges; a 200 is the whole log.
      const res = await fetchLog(ref, location, o?.signal, 'bytes=0-0');
      const total = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (res.status !== 206 || total === undefined) {
        const stream = res.body as AsyncIterable<Uint8Array>;
        return res.status === 200 ? { stream, url: location } : { stream };
      }
      await res.body?.cancel().catch(() => {});
      const size = Number(total);
      return {
        ranged: {
          size,
          url: location,
          async *read(start: number, end: number, ro?: CallOptions) {
            if (end <= start) return;
            const signal = ro?.signal ?? o?.signal;
            const r = await fetchLog(ref, location, signal, `bytes=${start}-${end - 1}`);
            if (r.status !== 206) {
              await r.body?.cancel().catch(() => {});
              throw new AppError({
                code: 'github_unreachable',
                userMessage: `GitHub's log storage stopped answering byte ranges for job ${ref.jobId}. Try again.`,
                retryable: true,
              });
            }
            yield* r.body as AsyncIterable<Uint8Array>;
          },
        },
      };
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

  /**
   * Where the job's log is: the signed storage URL GitHub redirects to, or (a server that answers
   * 200 with the log itself) the log's bytes.
   */
  async function logLocation(ref: JobRef, signal?: AbortSignal): Promise<string | AsyncIterable<Uint8Array>> {
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
      throw fail(e, 'logs', ref, { id: ref.jobId });
    }
    if (location) return location;
    // A server that answers 200 with the log itself (some proxies): Octokit has already read it.
    const bytes =
      typeof inline === 'string'
        ? new TextEncoder().encode(inline)
        : inline instanceof ArrayBuffer
          ? new Uint8Array(inline)
          : new Uint8Array(0);
    return (async function* () {
      if (bytes.length > 0) yield bytes;
    })();
  }

  /** GET of the signed storage URL (no Authorization header: the URL is signed, the host is not GitHub's API). */
  async function fetchLog(
    ref: JobRef,
    location: string,
    signal?: AbortSignal,
    range?: string,
  ): Promise<Response> {
    let res: Response;
    try {
      const headers: Record<string, string> = { 'user-agent': userAgent };
      if (range) headers.range = range;
      res = await fetch(location, { headers, signal });
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
    return res;
  }

  async function* streamLogBytes(
    ref: JobRef,
    signal?: AbortSignal,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const location = await logLocation(ref, signal);
    if (typeof location !== 'string') {
      yield* location;
      return;
    }
    const res = await fetchLog(ref, location, signal);
    // Returning early (the consumer stopped) returns the body's iterator, which cancels the body.
    yield* res.body as AsyncIterable<Uint8Array>;
  }

  return port;
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
