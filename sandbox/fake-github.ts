/**
 * A fake GitHub REST API on 127.0.0.1 (port 0) for the real Octokit to talk to (`baseUrl: fake.url`):
 * repositories, workflow runs (filtered by branch and status), jobs with steps, job logs as a 302 to
 * a second, unauthenticated "storage" path that streams the log — generated on the fly, so a 500 MB
 * log costs no memory — re-runs of failed jobs, GitHub App installations and tokens, and failures on
 * demand (404/410/401/403, secondary rate limit with `retry-after`, primary rate limit). Repositories
 * can also hold files, branches and pull requests, served with the Git data API and written to by
 * commits, refs and new pull requests (fake-github-repo.ts; what was written is in `writes`).
 *
 * Every request is recorded (method, path, query, headers with the Authorization value replaced by
 * its scheme), and so is every log download (bytes sent, finished or cut off by the client).
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRepoContent, type FakeRepoContent, type RepoWrites } from './fake-github-repo.ts';

export type {
  FakeCommitRecord,
  FakePull,
  FakePullFile,
  FakePullRecord,
  FakePush,
  FakeRefRecord,
  FakeRepoContent,
  RepoWrites,
} from './fake-github-repo.ts';

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

export interface FakeRepo extends FakeRepoContent {
  owner: string;
  name: string;
  defaultBranch?: string;
  /** Newest first, as GitHub lists them. */
  runs?: FakeRun[];
  installationId?: number;
}

export interface FakeGitHubOptions {
  repos?: FakeRepo[];
  /** Tokens accepted (`Authorization: token …` / `Bearer …`); any non-empty token when omitted. */
  tokens?: string[];
  /** GitHub App id whose JWTs are accepted on the App endpoints. */
  appId?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; `authorization` holds only the scheme (`token`, `bearer`, `basic`). */
  headers: Record<string, string>;
  /** The scheme of the Authorization header, or null when there was none. */
  auth: string | null;
  /** For App tokens and JWTs: which installation token / whether a JWT was used. */
  credential: string | null;
  /** The JSON body of a POST/PATCH/PUT (the raw text when it is not JSON). */
  body?: unknown;
}

export interface LogDownload {
  jobId: number;
  bytes: number;
  /** The whole log was sent. */
  finished: boolean;
  /** The client closed the connection before the end. */
  aborted: boolean;
  authorizationSent: boolean;
  /** The byte range `[start, end)` that was asked for and sent (a 206), when it was a range request. */
  range?: [number, number];
}

export interface Failure {
  method?: string;
  /** Matched against the path without the query string. */
  path: string | RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many requests fail (default 1). */
  times?: number;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  logDownloads: LogDownload[];
  reruns: { owner: string; repo: string; runId: number }[];
  repos: FakeRepo[];
  /** Commits, refs and pull requests written through the API, in order. */
  writes: RepoWrites;
  /** The commit a branch of a repository points at now (default: its default branch). */
  branchHead(owner: string, repo: string, branch?: string): string | undefined;
  /** Every file of a repository at a branch or commit (path → text). */
  filesAt(owner: string, repo: string, ref?: string): Record<string, string> | undefined;
  /** A commit's parents. */
  parentsOf(owner: string, repo: string, sha: string): string[] | undefined;
  /** Makes the next matching request(s) fail. */
  fail(f: Failure): void;
  /** A secondary rate limit: 403 with `retry-after` and GitHub's message. */
  secondaryRateLimit(path: string | RegExp, retryAfterSeconds: number, times?: number): void;
  /** A primary rate limit: 403 with `x-ratelimit-remaining: 0` and a reset time. */
  primaryRateLimit(path: string | RegExp, resetInSeconds: number, times?: number): void;
  /** Requests whose path matches. */
  requestsTo(path: string | RegExp): RecordedRequest[];
  /** Resolves when a log download has finished or been cut off (a deadline, not a sleep). */
  waitForLogDownload(jobId: number, timeoutMs?: number): Promise<LogDownload>;
  close(): Promise<void>;
}

const HTML = 'https://github.com';

export async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const repos = opts.repos ?? [];
  const requests: RecordedRequest[] = [];
  const logDownloads: LogDownload[] = [];
  const reruns: FakeGitHub['reruns'] = [];
  const failures: (Failure & { left: number })[] = [];
  const installationTokens = new Map<string, number>();
  let tokenCounter = 0;
  const downloadWaiters: { jobId: number; resolve: (d: LogDownload) => void }[] = [];
  const content = createRepoContent();

  const findRepo = (owner: string, name: string) =>
    repos.find(
      (r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
    );

  const runJson = (repo: FakeRepo, run: FakeRun) => ({
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

  const jobJson = (repo: FakeRepo, run: FakeRun, job: FakeJob) => ({
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

  const findJob = (repo: FakeRepo, jobId: number) => {
    for (const run of repo.runs ?? []) {
      const job = (run.jobs ?? []).find((j) => j.id === jobId);
      if (job) return { run, job };
    }
    return undefined;
  };
  const findJobAnywhere = (jobId: number) => {
    for (const repo of repos) {
      const hit = findJob(repo, jobId);
      if (hit) return { repo, ...hit };
    }
    return undefined;
  };

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-request-id': `FAKE:${requests.length}`,
      ...headers,
    });
    res.end(payload);
  };
  const notFound = (res: ServerResponse) =>
    send(res, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });

  const recordDownload = (d: LogDownload) => {
    for (const w of downloadWaiters.filter((x) => x.jobId === d.jobId)) w.resolve(d);
    downloadWaiters.splice(0, downloadWaiters.length, ...downloadWaiters.filter((x) => x.jobId !== d.jobId));
  };

  const streamLog = async (
    req: IncomingMessage,
    res: ServerResponse,
    jobId: number,
    log: FakeLog,
    ranges = false,
  ) => {
    const d: LogDownload = {
      jobId,
      bytes: 0,
      finished: false,
      aborted: false,
      authorizationSent: Boolean(req.headers.authorization),
    };
    logDownloads.push(d);
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (ranges && range && typeof log === 'string') {
      const all = Buffer.from(log, 'utf8');
      const start = Number(range[1]);
      const end = Math.min(all.length - 1, range[2] ? Number(range[2]) : all.length - 1);
      const part = all.subarray(start, end + 1);
      d.range = [start, end + 1];
      res.writeHead(206, {
        'content-type': 'text/plain; charset=utf-8',
        'content-range': `bytes ${start}-${end}/${all.length}`,
        'content-length': part.length,
      });
      d.bytes = part.length;
      d.finished = true;
      res.end(part);
      recordDownload(d);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-ms-blob-type': 'BlockBlob' });
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const write = async (chunk: string) => {
      if (closed) return false;
      d.bytes += Buffer.byteLength(chunk);
      if (!res.write(chunk)) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      return !closed;
    };
    try {
      if (typeof log === 'string') {
        await write(log);
      } else if ('lines' in log) {
        // Batch lines into ~64 KiB writes; respect backpressure; stop when the client hangs up.
        let buf = '';
        for await (const line of log.lines()) {
          buf += `${line}\n`;
          if (buf.length >= 64 * 1024) {
            if (!(await write(buf))) break;
            buf = '';
          }
        }
        if (buf && !closed) await write(buf);
      }
    } finally {
      if (closed) {
        d.aborted = true;
      } else {
        d.finished = true;
        res.end();
      }
      recordDownload(d);
    }
  };

  const authOf = (req: IncomingMessage): { scheme: string | null; value: string | null } => {
    const h = req.headers.authorization;
    if (!h) return { scheme: null, value: null };
    const [scheme, ...rest] = h.split(' ');
    return { scheme: (scheme ?? '').toLowerCase(), value: rest.join(' ') };
  };

  const jwtAppId = (jwt: string): string | null => {
    try {
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        iss?: unknown;
      };
      return payload.iss === undefined ? null : String(payload.iss);
    } catch {
      return null;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const method = req.method ?? 'GET';
    const auth = authOf(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers[k] = k === 'authorization' ? (auth.scheme ?? '') : v;
    }
    const isJwt = auth.scheme === 'bearer' && (auth.value ?? '').split('.').length === 3;
    let body: unknown;
    if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    }
    requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      auth: auth.scheme,
      credential: isJwt
        ? 'app-jwt'
        : auth.value && installationTokens.has(auth.value)
          ? `installation:${installationTokens.get(auth.value)}`
          : auth.value
            ? 'token'
            : null,
      ...(body === undefined ? {} : { body }),
    });

    const failure = failures.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (failure) {
      failure.left--;
      return send(
        res,
        failure.status,
        failure.body ?? { message: `Fake failure ${failure.status}` },
        failure.headers,
      );
    }

    // The storage host: signed URL, no GitHub credentials expected.
    let m = /^\/_storage\/logs\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      const hit = findJobAnywhere(Number(m[1]));
      if (!hit || url.searchParams.get('sig') !== 'fake-signature') {
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>AuthenticationFailed</Code></Error>');
      }
      const log = hit.job.log ?? '';
      if (typeof log === 'object' && 'status' in log) {
        res.writeHead(log.status, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>BlobNotFound</Code></Error>');
      }
      return streamLog(req, res, hit.job.id, log, hit.job.ranges);
    }

    // Authentication.
    if (!auth.value)
      return send(res, 401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
      });
    if (isJwt) {
      if (opts.appId && jwtAppId(auth.value) !== opts.appId) {
        return send(res, 401, {
          message: "'Issuer' claim ('iss') must be an Integer",
          documentation_url: 'https://docs.github.com/rest',
        });
      }
    } else if (opts.tokens && !opts.tokens.includes(auth.value) && !installationTokens.has(auth.value)) {
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }

    // GitHub App endpoints.
    m = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
    if (m && method === 'GET') {
      if (!isJwt) return send(res, 401, { message: 'A JSON web token could not be decoded' });
      const repo = findRepo(m[1] as string, m[2] as string);
      if (!repo?.installationId) return notFound(res);
      return send(res, 200, {
        id: repo.installationId,
        account: { login: repo.owner },
        app_id: Number(opts.appId ?? 1),
      });
    }
    m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (m && method === 'POST') {
      if (!isJwt) return send(res, 401, { message: 'A JSON web token could not be decoded' });
      const token = `ghs_fakeinstallation${m[1]}x${++tokenCounter}`;
      installationTokens.set(token, Number(m[1]));
      return send(res, 201, {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { actions: 'write', metadata: 'read' },
        repository_selection: 'all',
      });
    }
    if (isJwt) return send(res, 403, { message: 'A JSON web token cannot be used for this endpoint' });

    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return notFound(res);
    const repo = findRepo(m[1] as string, m[2] as string);
    if (!repo) return notFound(res);
    const rest = m[3] ?? '';

    if (rest === '' && method === 'GET') {
      return send(res, 200, {
        id: 1,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        owner: { login: repo.owner },
        private: false,
        default_branch: repo.defaultBranch ?? 'main',
        html_url: `${HTML}/${repo.owner}/${repo.name}`,
      });
    }
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
    if (
      content.handle({
        repo,
        rest,
        method,
        query: url.searchParams,
        body,
        accept: String(req.headers.accept ?? ''),
        res,
        send,
      })
    )
      return;
    m = /^\/actions\/jobs\/(\d+)\/logs$/.exec(rest);
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
    return notFound(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { message: String(e) });
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const matches = (p: string | RegExp, path: string) => (typeof p === 'string' ? p === path : p.test(path));

  return {
    url,
    requests,
    logDownloads,
    reruns,
    repos,
    writes: content.writes,
    branchHead(owner, name, branch) {
      const repo = findRepo(owner, name);
      return repo && content.branchHead(repo, branch);
    },
    filesAt(owner, name, ref) {
      const repo = findRepo(owner, name);
      return repo && content.filesAt(repo, ref);
    },
    parentsOf(owner, name, sha) {
      const repo = findRepo(owner, name);
      return repo && content.parentsOf(repo, sha);
    },
    fail(f) {
      failures.push({ ...f, left: f.times ?? 1 });
    },
    secondaryRateLimit(path, retryAfterSeconds, times = 1) {
      failures.push({
        path,
        status: 403,
        headers: { 'retry-after': String(retryAfterSeconds) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        left: times,
      });
    },
    primaryRateLimit(path, resetInSeconds, times = 1) {
      failures.push({
        path,
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
        },
        body: {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest',
        },
        left: times,
      });
    },
    requestsTo(path) {
      return requests.filter((r) => matches(path, r.path));
    },
    waitForLogDownload(jobId, timeoutMs = 10_000) {
      const done = logDownloads.find((d) => d.jobId === jobId && (d.finished || d.aborted));
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log download of job ${jobId} ended in ${timeoutMs} ms`)),
          timeoutMs,
        );
        downloadWaiters.push({
          jobId,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
