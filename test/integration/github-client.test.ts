/**
 * The real Octokit (with plugin-retry, plugin-throttling, auth-app) against the fake GitHub API:
 * serialization, auth headers, the manual 302 for logs, streaming with early stop, rate limits, re-runs
 * and the mapping of every failure to a specific AppError.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, type FakeRepo, start } from '../../sandbox/fake-github.ts';
import { createGitHubPort } from '../../src/clients/github.ts';
import { extractLog, extractLogChunks } from '../../tools/shared/ci/extract.ts';
import {
  extractFromEnd,
  extractFromEndInWorker,
  extractWholeInWorker,
  startLogWorker,
} from '../../tools/shared/ci/read-from-end.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';

const TOKEN = 'ghp_fakeTestToken000000000000000000000000';
const TS = '2025-01-14T09:30:00.0000000Z';

function logOf(lines: string[]): string {
  return `\ufeff${lines.map((l) => `${TS} ${l}`).join('\r\n')}\r\n`;
}

const SMALL_LOG = logOf([
  '##[group]Run npm test',
  'npm test',
  '##[endgroup]',
  '  ● Cart › adds an item',
  '    Expected: 2',
  '    Received: 1',
  '      at Object.<anonymous> (src/cart.test.ts:12:26)',
  '##[error]Process completed with exit code 1.',
]);

/** ~`mb` MB of log: a Jest failure near the start, then noise (generated while streaming). */
function* hugeLog(mb: number): Generator<string> {
  yield `${TS} ##[group]Run npm test`;
  yield `${TS} ##[endgroup]`;
  yield `${TS}   ● Cart › adds an item`;
  yield `${TS}     Expected: 2`;
  yield `${TS}       at Object.<anonymous> (src/cart.test.ts:12:26)`;
  const line = `${TS} PASS src/some/module/that/passes.test.ts (1.234 s) ${'x'.repeat(40)}`;
  const n = Math.ceil((mb * 1024 * 1024) / (line.length + 1));
  for (let i = 0; i < n; i++) yield line;
  yield `${TS} ##[error]Process completed with exit code 1.`;
}

/** ~8 MB: a long passing step, then the failing one at the end (as GitHub logs are laid out). */
const RANGED_LOG = (() => {
  const noise = `${TS} compiling module that passes ${'y'.repeat(60)}`;
  const lines = [`${TS} ##[group]Run npm run build`, `${TS} ##[endgroup]`];
  for (let i = 0; i < (8 * 1024 * 1024) / (noise.length + 1); i++) lines.push(noise);
  lines.push(
    `${TS} ##[group]Run npm test`,
    `${TS} npm test`,
    `${TS} ##[endgroup]`,
    `${TS}   ● Cart › adds an item`,
    `${TS}     Expected: 2`,
    `${TS}       at Object.<anonymous> (src/cart.test.ts:12:26)`,
    `${TS} ##[error]Process completed with exit code 1.`,
    `${TS} Post job cleanup.`,
  );
  return `${lines.join('\n')}\n`;
})();

function repos(): FakeRepo[] {
  return [
    {
      owner: 'acme',
      name: 'shop',
      defaultBranch: 'main',
      installationId: 77,
      runs: [
        {
          id: 903,
          headBranch: 'feature/x',
          conclusion: 'failure',
          jobs: [{ id: 9031, name: 'test', conclusion: 'failure', log: SMALL_LOG }],
        },
        {
          id: 902,
          headBranch: 'main',
          conclusion: 'failure',
          runAttempt: 1,
          jobs: [
            {
              id: 9021,
              name: 'test',
              conclusion: 'failure',
              steps: [
                { name: 'Set up job', conclusion: 'success' },
                { name: 'Run npm test', conclusion: 'failure' },
                { name: 'Complete job', conclusion: 'success' },
              ],
              log: SMALL_LOG,
            },
            { id: 9022, name: 'huge', conclusion: 'failure', log: { lines: () => hugeLog(60) } },
            { id: 9023, name: 'expired', conclusion: 'failure', log: { status: 410 } },
            { id: 9024, name: 'expired-storage', conclusion: 'failure', log: { status: 404, at: 'storage' } },
            { id: 9025, name: 'endless', conclusion: 'failure', log: { lines: () => hugeLog(500) } },
            { id: 9026, name: 'endless-bytes', conclusion: 'failure', log: { lines: () => hugeLog(500) } },
            { id: 9027, name: 'ranged', conclusion: 'failure', log: RANGED_LOG, ranges: true },
          ],
        },
        { id: 901, headBranch: 'main', conclusion: 'success', jobs: [] },
        {
          id: 900,
          headBranch: 'main',
          conclusion: 'failure',
          notRerunnable: 'Unable to re-run this workflow run because it was created over a month ago',
          jobs: [],
        },
      ],
    },
    { owner: 'acme', name: 'no-app', defaultBranch: 'main', runs: [] },
  ];
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; retryable: boolean; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, retryable: e.retryable, message: e.userMessage };
    throw e;
  }
  throw new Error('expected an AppError');
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('GitHub client (token) against the fake API', () => {
  let fake: FakeGitHub;
  let gh: GitHubPort;
  beforeAll(async () => {
    fake = await start({ repos: repos(), tokens: [TOKEN] });
    gh = createGitHubPort({ baseUrl: fake.url, token: TOKEN, retries: 0 });
  });
  afterAll(() => fake.close());

  it('lists failed runs by branch, gets a run, its jobs with steps, and the default branch', async () => {
    const runs = await gh.listWorkflowRuns({
      owner: 'acme',
      repo: 'shop',
      branch: 'main',
      status: 'failure',
      perPage: 5,
    });
    expect(runs.map((r) => r.id)).toEqual([902, 900]);
    expect(runs[0]).toMatchObject({ name: 'CI', headBranch: 'main', conclusion: 'failure', runAttempt: 1 });
    expect(runs[0]?.htmlUrl).toBe('https://github.com/acme/shop/actions/runs/902');
    const q = fake.requestsTo('/repos/acme/shop/actions/runs').at(-1);
    expect(q?.query).toMatchObject({ branch: 'main', status: 'failure', per_page: '5' });
    expect(q?.auth).toBe('token');
    expect(q?.headers['user-agent']).toMatch(/^shipmate/);

    const run = await gh.getWorkflowRun({ owner: 'acme', repo: 'shop', runId: 902 });
    expect(run.id).toBe(902);
    const jobs = await gh.listJobsForRun({ owner: 'acme', repo: 'shop', runId: 902 });
    expect(jobs[0]?.steps.map((s) => [s.number, s.name, s.conclusion])).toEqual([
      [1, 'Set up job', 'success'],
      [2, 'Run npm test', 'failure'],
      [3, 'Complete job', 'success'],
    ]);
    expect(jobs[0]?.htmlUrl).toBe('https://github.com/acme/shop/actions/runs/902/job/9021');
    expect(await gh.getDefaultBranch({ owner: 'acme', repo: 'shop' })).toBe('main');
  });

  it('follows the 302 for logs itself, without sending the GitHub token to the storage host', async () => {
    const lines = await collect(gh.streamJobLog({ owner: 'acme', repo: 'shop', jobId: 9021 }));
    expect(lines[0]).toBe(`${TS} ##[group]Run npm test`); // BOM dropped, CRLF handled
    expect(lines).toHaveLength(8);
    const d = await fake.waitForLogDownload(9021);
    expect(d).toMatchObject({ finished: true, authorizationSent: false });
    expect(fake.requestsTo('/repos/acme/shop/actions/jobs/9021/logs')[0]?.auth).toBe('token');
    expect(fake.requestsTo('/_storage/logs/9021')[0]?.auth).toBeNull();
  });

  it('streams a 60 MB log and stops downloading once the excerpt is settled', async () => {
    const rss0 = process.memoryUsage().rss;
    const r = await extractLog(gh.streamJobLog({ owner: 'acme', repo: 'shop', jobId: 9022 }));
    expect(r.kind).toBe('test');
    expect(r.firstError?.n).toBe(3);
    expect(r.stoppedEarly).toBe(true);
    const d = await fake.waitForLogDownload(9022);
    expect(d.aborted).toBe(true);
    expect(d.bytes).toBeLessThan(20 * 1024 * 1024);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * 1024 * 1024);
  });

  it('streams raw bytes for the fast extractor path, stopping just as early (500 MB log)', async () => {
    const stream = gh.streamJobLogBytes?.({ owner: 'acme', repo: 'shop', jobId: 9026 });
    if (!stream) throw new Error('the client offers streamJobLogBytes');
    const r = await extractLogChunks(stream);
    expect([r.kind, r.firstError?.n, r.stoppedEarly]).toEqual(['test', 3, true]);
    const d = await fake.waitForLogDownload(9026);
    expect(d).toMatchObject({ aborted: true, authorizationSent: false });
    expect(d.bytes).toBeLessThan(20 * 1024 * 1024);
  });

  it('reads a log from its end by byte ranges when the storage answers them, else streams it', async () => {
    const opened = await gh.openJobLog?.({ owner: 'acme', repo: 'shop', jobId: 9027 });
    if (!opened || !('ranged' in opened)) throw new Error('the storage answers ranges: a ranged log');
    expect(opened.ranged.size).toBe(Buffer.byteLength(RANGED_LOG));
    const before = fake.logDownloads.length;
    const r = await extractFromEnd(opened.ranged);
    expect([r.kind, r.rule, r.fromStep]).toEqual(['test', 'jest', true]);
    // Numbered from the failed step's first line (its `##[group]Run npm test`), as GitHub's viewer does.
    expect(r.firstError).toEqual({ n: 4, text: '  ● Cart › adds an item' });
    const reads = fake.logDownloads.slice(before);
    expect(reads.every((d) => d.range !== undefined && !d.authorizationSent)).toBe(true);
    const sent = reads.reduce((sum, d) => sum + d.bytes, 0);
    expect(sent).toBeLessThan(opened.ranged.size / 4);

    // The same in a worker thread, through the signed storage URL, without the GitHub token.
    expect(opened.ranged.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const inWorker = await extractFromEndInWorker(opened.ranged);
    expect([inWorker.firstError, inWorker.kind, inWorker.fromStep]).toEqual([r.firstError, 'test', true]);
    // A worker started before the log's location was known (triageRun boots one while it lists the
    // jobs); one that stopped meanwhile is replaced.
    const early = await extractFromEndInWorker(opened.ranged, { worker: startLogWorker() });
    expect(early.firstError).toEqual(r.firstError);
    const dead = startLogWorker();
    await dead.terminate();
    expect((await extractFromEndInWorker(opened.ranged, { worker: dead })).firstError).toEqual(r.firstError);
    const ac = new AbortController();
    ac.abort(new Error('job cancelled'));
    await expect(extractFromEndInWorker(opened.ranged, { signal: ac.signal })).rejects.toThrow(
      'job cancelled',
    );

    const gone = extractFromEndInWorker({ ...opened.ranged, url: `${fake.url}/no/such/log` });
    await expect(gone).rejects.toMatchObject({ code: 'github_unreachable', retryable: true });

    const plain = await gh.openJobLog?.({ owner: 'acme', repo: 'shop', jobId: 9021 });
    if (!plain || !('stream' in plain)) throw new Error('no ranges: the whole stream');
    expect((await extractLogChunks(plain.stream)).firstError?.n).toBe(4);
    // Whole, in a worker thread, from the storage URL the stream came from (without the token).
    expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const whole = await extractWholeInWorker(plain.url as string);
    expect([whole.firstError?.n, whole.kind, whole.fromStep]).toEqual([4, 'test', false]);
    expect(fake.logDownloads.at(-1)).toMatchObject({ jobId: 9021, authorizationSent: false });
    await expect(extractWholeInWorker(`${fake.url}/no/such/log`)).rejects.toMatchObject({
      code: 'github_unreachable',
      retryable: true,
    });
  });

  it('an AbortSignal stops the reading and closes the connection', async () => {
    const ac = new AbortController();
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of gh.streamJobLog(
          { owner: 'acme', repo: 'shop', jobId: 9025 },
          { signal: ac.signal },
        )) {
          if (++n === 1000) ac.abort();
        }
      })(),
    ).rejects.toThrow();
    const d = await fake.waitForLogDownload(9025);
    expect(d.aborted).toBe(true);
    expect(d.bytes).toBeLessThan(100 * 1024 * 1024);
  });

  it('re-runs failed jobs and reports the new attempt', async () => {
    const run = await gh.rerunFailedJobs({ owner: 'acme', repo: 'shop', runId: 903 });
    expect(fake.reruns).toContainEqual({ owner: 'acme', repo: 'shop', runId: 903 });
    expect(run.runAttempt).toBe(2);
    expect(fake.requestsTo('/repos/acme/shop/actions/runs/903/rerun-failed-jobs')[0]?.method).toBe('POST');
    expect(await codeOf(gh.rerunFailedJobs({ owner: 'acme', repo: 'shop', runId: 900 }))).toMatchObject({
      code: 'github_not_rerunnable',
    });
  });

  it('waits out a secondary rate limit (403 + retry-after) and succeeds', async () => {
    fake.secondaryRateLimit('/repos/acme/shop', 1);
    const before = fake.requestsTo('/repos/acme/shop').length;
    const t0 = Date.now();
    expect(await gh.getDefaultBranch({ owner: 'acme', repo: 'shop' })).toBe('main');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(fake.requestsTo('/repos/acme/shop').length - before).toBe(2);
  });

  it('fails at once when the primary rate limit resets too far ahead (retryable)', async () => {
    fake.primaryRateLimit('/repos/acme/shop', 3600);
    const before = fake.requestsTo('/repos/acme/shop').length;
    const e = await codeOf(gh.getDefaultBranch({ owner: 'acme', repo: 'shop' }));
    expect(e).toMatchObject({ code: 'github_rate_limited', retryable: true });
    expect(e.message).toMatch(/resets at/);
    expect(fake.requestsTo('/repos/acme/shop').length - before).toBe(1);
  });

  it('maps failures to specific errors', async () => {
    expect(await codeOf(gh.listWorkflowRuns({ owner: 'acme', repo: 'nope' }))).toMatchObject({
      code: 'github_repo_not_found',
      retryable: false,
    });
    expect(await codeOf(gh.getDefaultBranch({ owner: 'acme', repo: 'nope' }))).toMatchObject({
      code: 'github_repo_not_found',
    });
    // A missing run in a repository that exists is not "unknown repository".
    expect(await codeOf(gh.getWorkflowRun({ owner: 'acme', repo: 'shop', runId: 1 }))).toMatchObject({
      code: 'github_not_found',
    });
    expect(await codeOf(gh.getWorkflowRun({ owner: 'acme', repo: 'nope', runId: 1 }))).toMatchObject({
      code: 'github_repo_not_found',
    });
    fake.fail({
      path: '/repos/acme/shop/actions/runs/902/jobs',
      status: 403,
      body: { message: 'Resource not accessible by personal access token' },
    });
    const denied = await codeOf(gh.listJobsForRun({ owner: 'acme', repo: 'shop', runId: 902 }));
    expect(denied.code).toBe('github_no_access');
    expect(denied.message).toMatch(/GITHUB_TOKEN.*Actions: read/s);
    expect(
      await codeOf(collect(gh.streamJobLog({ owner: 'acme', repo: 'shop', jobId: 9023 }))),
    ).toMatchObject({
      code: 'github_logs_expired',
    });
    expect(
      await codeOf(collect(gh.streamJobLog({ owner: 'acme', repo: 'shop', jobId: 9024 }))),
    ).toMatchObject({
      code: 'github_logs_expired',
    });
  });

  it('a wrong token is "no access" naming GITHUB_TOKEN', async () => {
    const bad = createGitHubPort({ baseUrl: fake.url, token: 'ghp_wrong', retries: 0 });
    const e = await codeOf(bad.getDefaultBranch({ owner: 'acme', repo: 'shop' }));
    expect(e.code).toBe('github_no_access');
    expect(e.message).toMatch(/GITHUB_TOKEN/);
  });

  it('retries a 5xx, and an unreachable GitHub is a retryable error', async () => {
    const retrying = createGitHubPort({ baseUrl: fake.url, token: TOKEN, retries: 1 });
    fake.fail({ path: '/repos/acme/shop', status: 502, body: { message: 'Bad gateway' } });
    expect(await retrying.getDefaultBranch({ owner: 'acme', repo: 'shop' })).toBe('main');

    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = createGitHubPort({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, retries: 0 });
    expect(await codeOf(down.getDefaultBranch({ owner: 'acme', repo: 'shop' }))).toMatchObject({
      code: 'github_unreachable',
      retryable: true,
    });
  });

  it('works under a GitHub Enterprise Server style base URL (/api/v3)', async () => {
    const ghes = createGitHubPort({ baseUrl: `${fake.url}/api/v3`, token: TOKEN, retries: 0 });
    expect(await ghes.getDefaultBranch({ owner: 'acme', repo: 'shop' })).toBe('main');
    expect(await collect(ghes.streamJobLog({ owner: 'acme', repo: 'shop', jobId: 9031 }))).toHaveLength(8);
  });
});

describe('GitHub client (App) against the fake API', () => {
  let fake: FakeGitHub;
  let gh: GitHubPort;
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fake = await start({ repos: repos(), appId: '12345' });
    gh = createGitHubPort({
      baseUrl: fake.url,
      appId: '12345',
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      retries: 0,
    });
  });
  afterAll(() => fake.close());

  it('looks up the installation per repository once and uses its token', async () => {
    await gh.getDefaultBranch({ owner: 'acme', repo: 'shop' });
    await gh.listWorkflowRuns({ owner: 'acme', repo: 'shop' });
    expect(fake.requestsTo('/repos/acme/shop/installation')).toHaveLength(1);
    expect(fake.requestsTo('/repos/acme/shop/installation')[0]?.credential).toBe('app-jwt');
    expect(fake.requestsTo('/app/installations/77/access_tokens')).toHaveLength(1);
    expect(fake.requestsTo('/repos/acme/shop/actions/runs')[0]?.credential).toBe('installation:77');
  });

  it('says the App is not installed on a repository it cannot see', async () => {
    const e = await codeOf(gh.getDefaultBranch({ owner: 'acme', repo: 'no-app' }));
    expect(e.code).toBe('github_no_access');
    expect(e.message).toMatch(/not installed on acme\/no-app/);
  });
});
