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
 *
 * This file is the server: requests recorded, planted failures, authentication and routing. The concepts
 * live beside it: Actions runs, jobs and log URLs (fake-github-actions.ts), the log storage host
 * (fake-github-logs.ts), credentials and the App endpoints (fake-github-auth.ts), and repository content
 * (fake-github-repo.ts).
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeRun, findJob, HTML, jobLogsRoute, runsRoute } from './fake-github-actions.ts';
import { authOf, createAppAuth, jwtAppId } from './fake-github-auth.ts';
import { createLogStorage, type LogDownload } from './fake-github-logs.ts';
import { createRepoContent, type FakeRepoContent, type RepoWrites } from './fake-github-repo.ts';

export type { FakeConclusion, FakeJob, FakeLog, FakeRun, FakeStep } from './fake-github-actions.ts';
export type { LogDownload } from './fake-github-logs.ts';
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

export async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const repos = opts.repos ?? [];
  const requests: RecordedRequest[] = [];
  const reruns: FakeGitHub['reruns'] = [];
  const failures: (Failure & { left: number })[] = [];
  const content = createRepoContent();

  const findRepo = (owner: string, name: string) =>
    repos.find(
      (r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
    );

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

  const { logDownloads, downloadWaiters, storageRoute } = createLogStorage(findJobAnywhere);
  const { installationTokens, appRoute } = createAppAuth(opts, findRepo, send, notFound);

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

    const stored = storageRoute(req, res, path, method, url);
    if (stored !== false) return stored;

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
    const app = appRoute(res, path, method, isJwt);
    if (app !== false) return app;
    if (isJwt) return send(res, 403, { message: 'A JSON web token cannot be used for this endpoint' });

    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
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
    const runs = runsRoute(repo, rest, method, url, res, reruns, send, notFound);
    if (runs !== false) return runs;
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
    const logs = jobLogsRoute(repo, rest, method, req, res, send, notFound);
    if (logs !== false) return logs;
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
