import { AppError } from './errors.ts';
/**
 * What the CI tools need from GitHub Actions, in Shipmate's own shapes (camelCase, only the fields a
 * triage uses) so tools and unit tests never depend on Octokit's response types. Implemented over
 * @octokit/rest by src/clients/github.ts and in memory by tests.
 *
 * Every method throws AppError on failure, with these codes:
 * - `github_repo_not_found` — unknown repository (or one the credentials cannot see: GitHub answers 404 for both)
 * - `github_no_access` — 401/403: bad or expired token, missing permission (`actions: read` to read, `actions: write` to re-run), App not installed
 * - `github_not_found` — the run or job does not exist
 * - `github_logs_expired` — the job's log is gone (retention passed or deleted)
 * - `github_not_rerunnable` — GitHub refused a re-run (in progress, too old)
 * - `github_rate_limited` — rate limit exhausted and the wait would be too long (retryable)
 * - `github_unreachable` — network error or GitHub 5xx after retries (retryable)
 */

/** A repository, always addressed by owner and name as GitHub spells them (`acme`, `shop`). */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface RunRef extends RepoRef {
  runId: number;
}

export interface JobRef extends RepoRef {
  jobId: number;
}

/** Conclusions GitHub reports for runs, jobs and steps (null while not completed). */
export type Conclusion =
  | 'success'
  | 'failure'
  | 'neutral'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'action_required'
  | 'stale'
  | 'startup_failure'
  | null;

export interface WorkflowRun {
  id: number;
  /** The workflow's `name:` (e.g. "CI"). */
  name: string;
  /** Path of the workflow file, e.g. `.github/workflows/ci.yml`; stable across renames of `name:`. */
  workflowPath: string;
  workflowId: number;
  runNumber: number;
  /** 1 for the first attempt, incremented by each re-run. */
  runAttempt: number;
  /** Commit title or PR title GitHub shows for the run. */
  displayTitle: string;
  headBranch: string | null;
  headSha: string;
  /** `push`, `pull_request`, `schedule`, `workflow_dispatch`, … */
  event: string;
  /** `queued`, `in_progress`, `completed`, … */
  status: string | null;
  conclusion: Conclusion;
  /** The run's page, e.g. https://github.com/acme/shop/actions/runs/123 */
  htmlUrl: string;
  /** Login of the user who triggered the run, when GitHub says. */
  actor: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowStep {
  /** 1-based, as in the log URL anchor `#step:N:LINE`. */
  number: number;
  name: string;
  status: string;
  conclusion: Conclusion;
  /** When the step started and completed (ISO 8601, second precision), when GitHub says. */
  startedAt?: string | null;
  completedAt?: string | null;
}

export interface WorkflowJob {
  id: number;
  runId: number;
  runAttempt: number;
  name: string;
  status: string;
  conclusion: Conclusion;
  /** The job's page; `#step:N:LINE` appended links a log line. */
  htmlUrl: string;
  startedAt: string | null;
  completedAt: string | null;
  runnerName: string | null;
  steps: WorkflowStep[];
}

export interface ListRunsQuery extends RepoRef {
  /** Only runs whose head branch is this one. */
  branch?: string;
  /** `failure` lists failed runs; GitHub also accepts `success`, `completed`, `in_progress`, … */
  status?: string;
  /** Page size, 1–100 (default 10). Only the first page is read. */
  perPage?: number;
  /** Only runs of this commit (a pull request's head). */
  headSha?: string;
}

/** A log whose bytes can be read by range. */
export interface RangedLog {
  /** Size in bytes. */
  size: number;
  /**
   * A URL that answers the same ranges without credentials (GitHub's signed storage URL), when
   * there is one: lets the log be read in a worker thread (read-from-end.ts).
   */
  url?: string;
  /** Bytes `[start, end)` as a stream; stopping the iteration closes the connection. */
  read(start: number, end: number, opts?: CallOptions): AsyncIterable<Uint8Array>;
}

/**
 * See GitHubPort.openJobLog. A `stream` may come with the credential-free `url` it is read from
 * (GitHub's signed storage URL, whose host ignored Range): a caller may close the stream and read
 * the log from there instead (in a worker thread, read-from-end.ts).
 */
export type OpenedLog = { ranged: RangedLog } | { stream: AsyncIterable<Uint8Array>; url?: string };

export interface CallOptions {
  /** Aborts the request (and, for log streams, the reading). */
  signal?: AbortSignal;
}

export interface GitHubPort {
  /** Most recent workflow runs first. */
  listWorkflowRuns(query: ListRunsQuery, opts?: CallOptions): Promise<WorkflowRun[]>;
  getWorkflowRun(ref: RunRef, opts?: CallOptions): Promise<WorkflowRun>;
  /** Jobs of the run's latest attempt, with their steps (up to 100 jobs). */
  listJobsForRun(ref: RunRef, opts?: CallOptions): Promise<WorkflowJob[]>;
  /**
   * The job's log as lines (without line terminators), read as a stream: the 302 redirect GitHub
   * answers is followed without sending credentials to the storage host, the body is never held in
   * memory, and stopping the iteration (break/return) or aborting `signal` closes the connection —
   * so a caller may stop reading as soon as it has what it needs. Lines longer than 64 KiB are cut.
   * Errors (logs expired, no access) are thrown by the first `next()`.
   */
  streamJobLog(ref: JobRef, opts?: CallOptions): AsyncIterable<string>;
  /**
   * The same log as raw UTF-8 chunks, cut anywhere — for LogExtractor.write, which is several times
   * cheaper per line than one string per line. Same redirect handling, errors and early stop as
   * streamJobLog. Optional: callers fall back to streamJobLog.
   */
  streamJobLogBytes?(ref: JobRef, opts?: CallOptions): AsyncIterable<Uint8Array>;
  /**
   * The job's log for reading from its end: `ranged` when the storage host answers byte ranges
   * (GitHub's does), so a caller can read the last step without the rest; else `stream`, the whole
   * log as streamJobLogBytes gives it. Same redirect handling and errors. Optional.
   */
  openJobLog?(ref: JobRef, opts?: CallOptions): Promise<OpenedLog>;
  /**
   * Re-runs the failed jobs of a run (GitHub starts a new attempt of the same run id). Returns the run
   * as GitHub reports it right after the request; `runAttempt` is normally the new attempt's number.
   * Needs `actions: write`.
   */
  rerunFailedJobs(ref: RunRef, opts?: CallOptions): Promise<WorkflowRun>;
  /** The repository's default branch (e.g. `main`); also the cheapest "does this repo exist" check. */
  getDefaultBranch(ref: RepoRef, opts?: CallOptions): Promise<string>;
}

/** The one answer for "GitHub is not configured", wherever a command, job or tool needs GitHub. */
export function githubNotConfigured(): AppError {
  return new AppError({
    code: 'not_configured',
    userMessage:
      'GitHub is not configured. Set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (and GITHUB_API_URL for GitHub Enterprise).',
  });
}

/** The GitHub port, or the not-configured error. */
export function requireGitHub(port: GitHubPort | undefined): GitHubPort {
  if (!port) throw githubNotConfigured();
  return port;
}
