/**
 * The GitHub Actions side of the fake GitHub API (fake-github.ts): workflow runs, jobs and steps as
 * planted, their JSON as the REST API answers it, listing runs (filtered by branch, head sha and status,
 * paged), a run and its jobs, re-running failed jobs (refused while running or when `notRerunnable`),
 * and a job's log URL: a 302 to the storage host (fake-github-logs.ts), or the planted 404/410.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeGitHub, FakeRepo } from './fake-github.ts';

export type FakeConclusion =
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'neutral'
  | 'startup_failure'
  | null;

export interface FakeStep {
  name: string;
  conclusion: FakeConclusion;
  status?: string;
}

/**
 * A job log: the text itself, or a generator of lines (each without `\n`) produced while streaming,
 * or a status the storage host answers instead of the log (logs expired).
 */
export type FakeLog =
  | string
  | { lines: () => Iterable<string> | AsyncIterable<string> }
  | { status: number; at?: 'api' | 'storage' };

export interface FakeJob {
  id: number;
  name: string;
  conclusion: FakeConclusion;
  status?: string;
  steps?: FakeStep[];
  log?: FakeLog;
  /** The storage host answers `Range: bytes=a-b` for a text log (206), as GitHub's does. */
  ranges?: boolean;
}

export interface FakeRun {
  id: number;
  name?: string;
  path?: string;
  headBranch: string;
  headSha?: string;
  event?: string;
  status?: string;
  conclusion: FakeConclusion;
  runNumber?: number;
  runAttempt?: number;
  createdAt?: string;
  actor?: string;
  displayTitle?: string;
  jobs?: FakeJob[];
  /** GitHub refuses the re-run with this 403 message (e.g. too old). */
  notRerunnable?: string;
}

/** The JSON answer the fake's routes send (fake-github.ts's `send`). */
export type Send = (
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers?: Record<string, string>,
) => void;

export const HTML = 'https://github.com';

export const runJson = (repo: FakeRepo, run: FakeRun) => ({
  id: run.id,
  name: run.name ?? 'CI',
  path: run.path ?? '.github/workflows/ci.yml',
  workflow_id: 1000 + (run.name ?? 'CI').length,
  run_number: run.runNumber ?? run.id % 1000,
  run_attempt: run.runAttempt ?? 1,
  display_title: run.displayTitle ?? `Commit on ${run.headBranch}`,
  head_branch: run.headBranch,
  head_sha: run.headSha ?? '3f1e2d4c5b6a79880716253443526170819a0b1c',
  event: run.event ?? 'push',
  status: run.status ?? 'completed',
  conclusion: run.conclusion,
  html_url: `${HTML}/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
  jobs_url: `/repos/${repo.owner}/${repo.name}/actions/runs/${run.id}/jobs`,
  actor: { login: run.actor ?? 'octocat' },
  triggering_actor: { login: run.actor ?? 'octocat' },
  created_at: run.createdAt ?? '2025-01-14T09:30:00Z',
  updated_at: run.createdAt ?? '2025-01-14T09:42:00Z',
  repository: { full_name: `${repo.owner}/${repo.name}` },
});

export const jobJson = (repo: FakeRepo, run: FakeRun, job: FakeJob) => ({
  id: job.id,
  run_id: run.id,
  run_attempt: run.runAttempt ?? 1,
  name: job.name,
  status: job.status ?? 'completed',
  conclusion: job.conclusion,
  html_url: `${HTML}/${repo.owner}/${repo.name}/actions/runs/${run.id}/job/${job.id}`,
  started_at: '2025-01-14T09:30:05Z',
  completed_at: '2025-01-14T09:41:55Z',
  runner_name: 'GitHub Actions 17',
  steps: (job.steps ?? []).map((s, i) => ({
    name: s.name,
    status: s.status ?? 'completed',
    conclusion: s.conclusion,
    number: i + 1,
    started_at: '2025-01-14T09:30:05Z',
    completed_at: '2025-01-14T09:41:55Z',
  })),
});

export const findJob = (repo: FakeRepo, jobId: number) => {
  for (const run of repo.runs ?? []) {
    const job = (run.jobs ?? []).find((j) => j.id === jobId);
    if (job) return { run, job };
  }
  return undefined;
};

/** Answers the workflow run routes (`/actions/runs…` under a repository); false when `rest` is not one. */
export function runsRoute(
  repo: FakeRepo,
  rest: string,
  method: string,
  url: URL,
  res: ServerResponse,
  reruns: FakeGitHub['reruns'],
  send: Send,
  notFound: (res: ServerResponse) => void,
): unknown {
  let m: RegExpExecArray | null;
  if (rest === '/actions/runs' && method === 'GET') {
    const branch = url.searchParams.get('branch');
    const status = url.searchParams.get('status');
    const headSha = url.searchParams.get('head_sha');
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const runs = (repo.runs ?? []).filter(
      (r) =>
        (!branch || r.headBranch === branch) &&
        (!headSha || r.headSha === headSha) &&
        (!status || r.conclusion === status || (r.status ?? 'completed') === status),
    );
    return send(res, 200, {
      total_count: runs.length,
      workflow_runs: runs.slice((page - 1) * perPage, page * perPage).map((r) => runJson(repo, r)),
    });
  }
  m = /^\/actions\/runs\/(\d+)(\/.*)?$/.exec(rest);
  if (m) {
    const run = (repo.runs ?? []).find((r) => r.id === Number(m?.[1]));
    if (!run) return notFound(res);
    const sub = m[2] ?? '';
    if (sub === '' && method === 'GET') return send(res, 200, runJson(repo, run));
    if ((sub === '/jobs' || /^\/attempts\/\d+\/jobs$/.test(sub)) && method === 'GET') {
      const jobs = run.jobs ?? [];
      return send(res, 200, { total_count: jobs.length, jobs: jobs.map((j) => jobJson(repo, run, j)) });
    }
    if (sub === '/rerun-failed-jobs' && method === 'POST') {
      if ((run.status ?? 'completed') !== 'completed') {
        return send(res, 403, { message: 'This workflow run is not complete and cannot be re-run yet.' });
      }
      if (run.notRerunnable) return send(res, 403, { message: run.notRerunnable });
      reruns.push({ owner: repo.owner, repo: repo.name, runId: run.id });
      run.runAttempt = (run.runAttempt ?? 1) + 1;
      run.status = 'queued';
      run.conclusion = null;
      return send(res, 201, {});
    }
    return notFound(res);
  }
  return false;
}

/** Answers `GET /actions/jobs/{id}/logs` with the redirect to the log; false when `rest` is not it. */
export function jobLogsRoute(
  repo: FakeRepo,
  rest: string,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  send: Send,
  notFound: (res: ServerResponse) => void,
): unknown {
  const m = /^\/actions\/jobs\/(\d+)\/logs$/.exec(rest);
  if (m && method === 'GET') {
    const hit = findJob(repo, Number(m[1]));
    if (!hit) return notFound(res);
    const log = hit.job.log;
    if (log && typeof log === 'object' && 'status' in log && (log.at ?? 'api') === 'api') {
      return send(res, log.status, { message: log.status === 410 ? 'Gone' : 'Not Found' });
    }
    const base = `http://${req.headers.host}`;
    res.writeHead(302, {
      location: `${base}/_storage/logs/${hit.job.id}?sv=2024-01-01&se=2099-01-01T00%3A00%3A00Z&sig=fake-signature`,
      'content-length': '0',
    });
    return res.end();
  }
  return false;
}
