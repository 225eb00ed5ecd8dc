/**
 * Triage benchmark, end to end: a GitHub Actions job log of `--size-mb` (default 200) on disk, served
 * by a loopback server the way GitHub serves it — the API answers the logs URL with a 302 to a blob
 * store that answers byte ranges — and triaged by the real path (Octokit through createGitHubPort,
 * triageRun: jobs, the failed step, its start found by time (seek-step.ts: small Range probes against
 * the step's `started_at`, which the loopback API gives from the log's own timestamps as GitHub does),
 * the step read once, the excerpt, redaction), in a child process, timed beyond its start-up. The log
 * is read and extracted in a worker thread over node:http (read-from-end.ts, log-worker.ts), started
 * while triageRun lists the jobs. Each line also says how many MB of the log the blob store sent. The baseline,
 * in the same run: `LC_ALL=C grep -n -E` with the extractor's decisive patterns (GREP_PATTERNS) over
 * the same file from disk.
 *
 *   node bench/triage.ts [--size-mb 200] [--runs 5] [--keep]
 *
 * The log is laid out as GitHub lays out a failed job: set-up, `npm ci`, a long `npm run build`, and
 * the failing `npm test` last (from 60% of the file), with a Jest failure at 90% and noise after it.
 * Measured, each `--runs` times, interleaved, median and spread (min–max) printed:
 *   1. grep over the file (the baseline),
 *   2. triage in a process that has loaded the worker role's dependencies (as the bot runs it),
 *   3. the same in a bare process (only the triage code),
 *   4. triage from a blob store that ignores Range (the whole log is streamed, in the same worker),
 *      bot-like process.
 * Peak RSS is the child's maxRSS minus that of the same child that loads everything and does not triage.
 *
 * Goals (issue 15): triage ≤ 2× grep's time; peak RSS ≤ 150 MB above idle.
 */

import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GREP_PATTERNS } from '../tools/shared/ci/rules.ts';
import { startFlags } from './start-flags.ts';

const ESC = '\u001b';
const OWNER = 'acme';
const REPO = 'shop';
const RUN_ID = 1;
/** Job 11's log is served with ranges; job 12's by a store that ignores Range. */
const RANGED_JOB = 11;
const STREAM_JOB = 12;

/** What the worker role loads besides the triage code (src/main.ts --role worker). */
const BOT_DEPENDENCIES = [
  'ioredis',
  'bullmq',
  '@slack/bolt',
  '@slack/web-api',
  '@octokit/rest',
  'langchain',
  '@langchain/openai',
  '@kubernetes/client-node',
  '@secretlint/core',
  'pino',
];

interface ChildResult {
  ms: number;
  /** Set by the parent: bytes of the log the blob store sent during this triage, and in how many requests. */
  servedMb?: number;
  requests?: number;
  cpuMs: number;
  maxRssMb: number;
  kind: string;
  rule: string | null;
  logLine: number | null;
  linesFrom: string;
  linesRead: number;
}

// ── Child: triage run 1 through the loopback GitHub ────────────────────────────────────────────────

async function child(url: string, jobId: number, withDeps: boolean, idle: boolean): Promise<void> {
  if (withDeps) for (const d of BOT_DEPENDENCIES) await import(d);
  const { createGitHubPort } = await import('../src/clients/github.ts');
  const { resolveRun, triageRun } = await import('../tools/shared/ci/triage.ts');
  const { redact } = await import('../tools/shared/redact.ts');
  const github = createGitHubPort({
    baseUrl: url,
    token: 'ghp_bench000000000000000000000000000000',
    retries: 0,
  });
  const out: ChildResult = {
    ms: 0,
    cpuMs: 0,
    maxRssMb: 0,
    kind: '',
    rule: null,
    logLine: null,
    linesFrom: '',
    linesRead: 0,
  };
  if (!idle) {
    const ref = { owner: OWNER, repo: REPO };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const run = await resolveRun(github, ref, { kind: 'run', runId: RUN_ID });
    const r = await triageRun(github, redact, ref, run, { preferJobId: jobId, maxJobs: 1 });
    out.ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    out.cpuMs = (cpu.user + cpu.system) / 1000;
    const job = r.jobs[0];
    out.kind = job?.kind ?? '';
    out.rule = job?.rule ?? null;
    out.logLine = job?.logLine ?? null;
    out.linesFrom = job?.linesFrom ?? '';
    out.linesRead = job?.linesRead ?? 0;
  }
  out.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(out));
}

// ── The log ────────────────────────────────────────────────────────────────────────────────────────

function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
}

/** Noise lines of the kinds a long job prints; none is a decisive error. */
function noiseLine(i: number): string {
  const h = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  switch (i % 16) {
    case 0:
      return `PASS src/module${i % 97}/feature${i % 13}.test.ts (${(i % 50) / 10 + 0.3} s)`;
    case 1:
      return `  ${ESC}[32m✓${ESC}[39m handles case ${i} for the ${h} fixture (${i % 9} ms)`;
    case 2:
      return `  ✓ returns a 404 error for unknown sku ${h} (${i % 7} ms)`;
    case 3:
      return `asset main.${h}.js ${(i % 900) / 100 + 1} MiB [emitted] [minimized] (name: main) 1 related asset`;
    case 4:
      return `npm warn deprecated glob@7.2.${i % 4}: Glob versions prior to v9 are no longer supported`;
    case 5:
      return `${ESC}[36;1mdebug${ESC}[0m retrying request after error in fetch (attempt ${i % 3}) id=${h}`;
    case 6:
      return `<s> [webpack.Progress] ${i % 100}% building ${i % 1000}/1000 entries ${i % 5000}/5000 dependencies`;
    case 7:
      return `    at Object.<anonymous> (node_modules/some-lib/dist/index.js:${i % 400}:${i % 80})`;
    case 8:
      return `Downloading https://registry.npmjs.org/pkg-${h}/-/pkg-${h}-1.${i % 20}.0.tgz`;
    case 9:
      return '';
    case 10:
      return `    cache hit for key node-${h}-${i % 1000}; restoring ${(i % 300) + 20} files`;
    case 11:
      return `  ${i % 300}:${i % 60}  warning  Unexpected console statement  no-console`;
    case 12:
      return `info: request ${h} completed in ${i % 900}ms status=200 path=/api/v1/items/${i % 10000}`;
    case 13:
      return `  ${ESC}[2m${i % 1000}${ESC}[22m | ${' '.repeat(i % 8)}const value${i % 50} = compute(${h});`;
    case 14:
      return `warning: unused variable: \`tmp_${i % 77}\` in src/lib${i % 9}.rs`;
    default:
      return `Progress: resolved ${i}, reused ${i - (i % 10)}, downloaded ${i % 10}, added ${i % 10}`;
  }
}

const FAILURE = [
  'FAIL src/cart/cart.test.ts',
  '  ● Cart › adds an item',
  '',
  '    expect(received).toBe(expected) // Object.is equality',
  '',
  '    Expected: 2',
  '    Received: 1',
  '',
  '      at Object.<anonymous> (src/cart/cart.test.ts:12:26)',
];

interface Layout {
  lines: number;
  /** Line of `  ● Cart › adds an item`, in the job log and within the failed step. */
  errorLine: number;
  errorLineInStep: number;
  /** When each step started and completed (the jobs API's `started_at`/`completed_at`), from its lines' timestamps. */
  stepTimes: { started: string; completed: string }[];
}

/** `2025-01-14T09:30:00Z`: the jobs API's times, second precision. */
const apiTime = (ms: number) => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

function generate(file: string, sizeBytes: number): Layout {
  const fd = openSync(file, 'w');
  let written = 0;
  let lines = 0;
  let t = Date.UTC(2025, 0, 14, 9, 30, 0);
  const parts: string[] = [];
  let partBytes = 0;
  const emit = (line: string) => {
    t += 3;
    const s = `${timestamp(t)} ${line}\n`;
    parts.push(s);
    partBytes += s.length;
    lines++;
    if (partBytes > 1 << 20) {
      const buf = Buffer.from(parts.join(''), 'utf8');
      writeSync(fd, buf);
      written += buf.length;
      parts.length = 0;
      partBytes = 0;
    }
  };
  const at = () => written + partBytes;
  // Step 1 (Set up job) starts with the log; each `##[group]Run` line starts the next step.
  const starts: number[] = [t + 3];
  const step = (name: string) => {
    starts.push(t + 3);
    emit(`##[group]Run ${name}`);
    emit(`${ESC}[36;1m${name}${ESC}[0m`);
    emit('shell: /usr/bin/bash -e {0}');
    emit('##[endgroup]');
  };
  emit('Current runner version: 2.321.0');
  starts.push(t + 3);
  emit('##[group]Run actions/checkout@v4');
  emit('with:');
  emit('  repository: acme/shop');
  emit('##[endgroup]');
  let i = 0;
  step('npm ci');
  while (at() < sizeBytes * 0.25) emit(noiseLine(i++));
  step('npm run build');
  while (at() < sizeBytes * 0.6) emit(noiseLine(i++));
  const stepStart = lines + 1;
  step('npm test');
  while (at() < sizeBytes * 0.9) emit(noiseLine(i++));
  const errorLine = lines + 2;
  for (const l of FAILURE) emit(l);
  while (at() < sizeBytes) emit(noiseLine(i++));
  emit('##[error]Process completed with exit code 1.');
  starts.push(t + 3);
  emit('Post job cleanup.');
  starts.push(t + 3);
  emit('Cleaning up orphan processes');
  writeSync(fd, Buffer.from(parts.join(''), 'utf8'));
  closeSync(fd);
  const stepTimes = starts.map((ms, k) => ({ started: apiTime(ms), completed: apiTime(starts[k + 1] ?? t) }));
  return { lines, errorLine, errorLineInStep: errorLine - stepStart + 1, stepTimes };
}

// ── The loopback GitHub: API, 302, blob store ──────────────────────────────────────────────────────

function startGitHub(
  file: string,
  layout: Layout,
): Promise<{ url: string; close: () => void; served: { bytes: number; requests: number } }> {
  /** Bytes of the log the blob store has sent, and its requests (reset by the caller between runs). */
  const served = { bytes: 0, requests: 0 };
  const size = statSync(file).size;
  const steps = [
    { name: 'Set up job', number: 1 },
    { name: 'Run actions/checkout@v4', number: 2 },
    { name: 'Run npm ci', number: 3 },
    { name: 'Run npm run build', number: 4 },
    { name: 'Run npm test', number: 5, failed: true },
    { name: 'Post Run actions/checkout@v4', number: 6 },
    { name: 'Complete job', number: 7 },
  ].map((s) => ({
    name: s.name,
    number: s.number,
    status: 'completed',
    conclusion: s.failed ? 'failure' : 'success',
    started_at: layout.stepTimes[s.number - 1]?.started ?? null,
    completed_at: layout.stepTimes[s.number - 1]?.completed ?? null,
  }));
  let base = '';
  const job = (id: number) => ({
    id,
    run_id: RUN_ID,
    name: id === RANGED_JOB ? 'test' : 'test (no ranges)',
    status: 'completed',
    conclusion: 'failure',
    html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}/job/${id}`,
    started_at: '2025-01-14T09:30:00Z',
    completed_at: '2025-01-14T09:40:00Z',
    steps,
  });
  const run = {
    id: RUN_ID,
    name: 'CI',
    path: '.github/workflows/ci.yml',
    head_branch: 'main',
    head_sha: 'a'.repeat(40),
    event: 'push',
    status: 'completed',
    conclusion: 'failure',
    run_number: 7,
    run_attempt: 1,
    display_title: 'Add the cart',
    html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}`,
    created_at: '2025-01-14T09:30:00Z',
    updated_at: '2025-01-14T09:40:00Z',
    actor: { login: 'octocat' },
    triggering_actor: { login: 'octocat' },
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const blob = (req: IncomingMessage, res: ServerResponse, ranges: boolean) => {
    const m = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Math.min(size - 1, Number(m[2])) : size - 1;
    const headers: Record<string, string | number> = {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': end - start + 1,
    };
    if (m) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    if (ranges) headers['accept-ranges'] = 'bytes';
    res.writeHead(m ? 206 : 200, headers);
    const s = createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
    served.requests++;
    s.on('data', (c) => {
      served.bytes += c.length;
    });
    s.pipe(res);
    res.on('close', () => s.destroy());
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === `/repos/${OWNER}/${REPO}/actions/runs/${RUN_ID}`) return json(res, run);
    if (path === `/repos/${OWNER}/${REPO}/actions/runs/${RUN_ID}/jobs`)
      return json(res, { total_count: 2, jobs: [job(RANGED_JOB), job(STREAM_JOB)] });
    const logs = new RegExp(`^/repos/${OWNER}/${REPO}/actions/jobs/(\\d+)/logs$`).exec(path);
    if (logs) {
      const ranged = Number(logs[1]) === RANGED_JOB;
      res.writeHead(302, { location: `${base}/${ranged ? 'blob' : 'plain'}/job.log?sig=bench` });
      return res.end();
    }
    if (path === '/blob/job.log') return blob(req, res, true);
    if (path === '/plain/job.log') return blob(req, res, false);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not Found' }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({ url: base, close: () => server.close(), served });
    });
  });
}

// ── Parent: generate, serve, grep, spawn children, report ─────────────────────────────────────────

async function runChild(url: string, jobId: number, withDeps: boolean, idle = false): Promise<ChildResult> {
  const args = [...startFlags(), process.argv[1] as string, '--child', url, '--job', String(jobId)];
  if (withDeps) args.push('--deps');
  if (idle) args.push('--idle');
  // Asynchronous: the loopback server lives in this process and must keep answering.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`triage child failed (${code}): ${err}`));
      else resolve(JSON.parse(out) as ChildResult);
    });
  });
}

function runGrep(file: string): { ms: number; matches: number } {
  const args = ['-n', '-E', ...GREP_PATTERNS.flatMap((p) => ['-e', p]), file];
  const t0 = performance.now();
  const r = spawnSync('grep', args, {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  return { ms, matches: r.stdout.split('\n').filter(Boolean).length };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const spread = (xs: number[]) =>
  `${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      job: { type: 'string' },
      deps: { type: 'boolean', default: false },
      idle: { type: 'boolean', default: false },
      'size-mb': { type: 'string', default: '200' },
      runs: { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.child)
    return child(values.child, Number(values.job), values.deps ?? false, values.idle ?? false);

  const sizeMb = Number(values['size-mb']);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-bench-'));
  const file = join(dir, 'job.log');
  const gh = await (async () => {
    const g0 = performance.now();
    const layout = generate(file, sizeMb * 1024 * 1024);
    console.log(
      `log: ${(statSync(file).size / 1048576).toFixed(0)} MB, ${layout.lines.toLocaleString('en')} lines; failed step "Run npm test" from 60%, ` +
        `Jest failure at line ${layout.errorLine.toLocaleString('en')} (90%, line ${layout.errorLineInStep.toLocaleString('en')} of the step); ` +
        `generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    return { layout, server: await startGitHub(file, layout) };
  })();
  try {
    // Warm the page cache so neither side pays for the disk first.
    spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
    const grep: number[] = [];
    const bot: ChildResult[] = [];
    const bare: ChildResult[] = [];
    const stream: ChildResult[] = [];
    let matches = 0;
    for (let i = 0; i < runs; i++) {
      const g = runGrep(file);
      grep.push(g.ms);
      matches = g.matches;
      const counted = async (job: number, withDeps: boolean) => {
        gh.server.served.bytes = 0;
        gh.server.served.requests = 0;
        const r = await runChild(gh.server.url, job, withDeps);
        return { ...r, servedMb: gh.server.served.bytes / 1048576, requests: gh.server.served.requests };
      };
      bot.push(await counted(RANGED_JOB, true));
      bare.push(await counted(RANGED_JOB, false));
      stream.push(await counted(STREAM_JOB, true));
    }
    const idleBot = await runChild(gh.server.url, RANGED_JOB, true, true);
    const idleBare = await runChild(gh.server.url, RANGED_JOB, false, true);

    const g = median(grep);
    const row = (name: string, xs: number[], extra = '') =>
      console.log(
        `${name.padEnd(52)} median ${(median(xs) / 1000).toFixed(2)} s  spread ${spread(xs)}${extra}`,
      );
    row(
      `LC_ALL=C grep -n -E, ${GREP_PATTERNS.length} patterns, from disk`,
      grep,
      `  (${matches} matching lines)`,
    );
    const report = (name: string, rs: ChildResult[], idle: ChildResult) => {
      const ms = rs.map((r) => r.ms);
      const rss = Math.max(...rs.map((r) => r.maxRssMb)) - idle.maxRssMb;
      const r0 = rs[0] as ChildResult;
      row(
        name,
        ms,
        `  ${(median(ms) / g).toFixed(2)}× grep (goal ≤ 2×); CPU ${(median(rs.map((r) => r.cpuMs)) / 1000).toFixed(2)} s; ` +
          `peak RSS +${rss.toFixed(0)} MB over idle ${idle.maxRssMb.toFixed(0)} MB (goal ≤ 150); ` +
          `${r0.kind}/${r0.rule} at line ${r0.logLine} of the ${r0.linesFrom}, ${r0.linesRead.toLocaleString('en')} lines read; ` +
          `${median(rs.map((r) => r.servedMb ?? 0)).toFixed(0)} MB downloaded in ${r0.requests} requests`,
      );
    };
    report('triage, ranges from the end, bot process (deps loaded)', bot, idleBot);
    report('triage, ranges from the end, bare process', bare, idleBare);
    report('triage, no Range (whole stream), bot process', stream, idleBot);
    console.log(
      `in-process cost: bot/bare ${(median(bot.map((r) => r.ms)) / median(bare.map((r) => r.ms))).toFixed(2)}× (median over median)`,
    );
    const expectLine = (r: ChildResult) =>
      r.linesFrom === 'step' ? gh.layout.errorLineInStep : gh.layout.errorLine;
    for (const r of [...bot, ...bare, ...stream]) {
      if (r.logLine !== expectLine(r) || r.kind !== 'test') {
        console.log(
          `!! triage found ${r.kind}/${r.rule} at line ${r.logLine} of the ${r.linesFrom}, expected ${expectLine(r)}`,
        );
        process.exitCode = 1;
        break;
      }
    }
  } finally {
    gh.server.close();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}

await main();
