/**
 * A flood of unsigned large Slack bodies: `node bench/flood.ts [--runs 3] [--concurrency 150]
 * [--body-bytes 3900000] [--probes 300] [--bare]`
 *
 * Starts the bot as `npm start` runs it (`node <start flags> src/main.ts --role web`, Slack HTTP
 * mode, Redis at REDIS_URL with a fresh key prefix, the Slack Web API a loopback fake), warms it up
 * with 200 signed `/ops help` commands, then in each run:
 *   - idle: its resident memory (VmRSS of /proc/<pid>/status, Linux only);
 *   - quiet: `--probes` signed `/ops help` commands one after another on a keep-alive connection,
 *     each timed from request sent to whole ack read — the baseline;
 *   - flood: `--concurrency` connections each posting unsigned `--body-bytes` bodies (declared
 *     length, written in 64 KB pieces) again and again — from a worker thread, so the flooders'
 *     event loop does not delay the probes' — while the same probes are timed again and the memory
 *     is sampled every 10 ms.
 * A fresh process per run. Printed per run and as the median over runs with the min–max spread:
 * quiet and flood p50/p99, the flood p99 as a ratio to the quiet one, idle and peak RSS and their
 * difference, and how the flood's requests were answered.
 *
 * Goals (issue #16): under the flood, RSS stays within 50 MB of idle and the signed ack p99 within
 * 2× of the quiet one. Every probe must be HTTP 200 with the help text; failures make the exit code 1.
 *
 * `--bare` also floods a bare Bolt app (bench/bare-bolt.ts: Bolt's default receiver, 4 MB body
 * limit, the body read before the signature is checked) the same way, for reference.
 */

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startFakeSlack } from '../sandbox/fake-slack.ts';
import { cleanRedis, REDIS_URL, SIGNING_SECRET, uniquePrefix } from '../test/support/app-harness.ts';
import { type RunningMain, startMain } from '../test/support/run-main.ts';
import { signSlack, slashCommand } from '../test/support/slack-requests.ts';
import { startFlags } from './start-flags.ts';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '150' },
    'body-bytes': { type: 'string', default: '3900000' },
    probes: { type: 'string', default: '300' },
    bare: { type: 'boolean', default: false },
  },
});
const whole = (name: keyof typeof opts): number => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive whole number: ${opts[name]}`);
  return n;
};
const RUNS = whole('runs');
const CONCURRENCY = whole('concurrency');
const BODY_BYTES = whole('body-bytes');
const PROBES = whole('probes');
if (process.platform !== 'linux') throw new Error('bench/flood.ts reads /proc/<pid>/status: Linux only');

const GOAL_RSS_MB = 50;
const GOAL_P99_RATIO = 2;
const WARMUP = 200;
const START_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 15_000;
const HELP_MARKER = 'Shipmate';
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** The process's CPU time so far (user + system), in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Nearest-rank percentile. */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1] ?? Number.NaN;
}
const median = (xs: readonly number[]) => percentile(xs, 50);

/** `n` signed `/ops help` commands one after another; their latencies in ms. */
async function probe(port: number, n: number, failures: string[]): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const req = slashCommand('help');
      const t0 = performance.now();
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = request(
          {
            host: '127.0.0.1',
            port,
            path: '/slack/events',
            method: 'POST',
            agent,
            timeout: PROBE_TIMEOUT_MS,
            headers: { 'content-type': req.contentType, ...signSlack(req.body, SIGNING_SECRET) },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (c: string) => {
              body += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: body }));
          },
        );
        r.on('timeout', () => r.destroy(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)));
        r.on('error', reject);
        r.end(req.body);
      }).catch((e: Error) => ({ status: 0, text: e.message }));
      const ms = performance.now() - t0;
      if (status === 200 && text.includes(HELP_MARKER)) out.push(ms);
      else failures.push(`HTTP ${status}: ${text.slice(0, 120)}`);
    }
  } finally {
    agent.destroy();
  }
  return out;
}

/** One unsigned post of BODY_BYTES, written until the server answers (or takes it all). */
function floodOnce(port: number, answers: Map<string, number>): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: string) => {
      if (done) return;
      done = true;
      answers.set(outcome, (answers.get(outcome) ?? 0) + 1);
      req.destroy();
      resolve();
    };
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/slack/events',
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(BODY_BYTES) },
    });
    req.on('response', (res) => {
      res.resume();
      finish(`HTTP ${res.statusCode}`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? 'error'));
    let sent = 0;
    const pump = () => {
      while (!done && sent < BODY_BYTES) {
        const n = Math.min(CHUNK.length, BODY_BYTES - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done) req.end();
    };
    pump();
  });
}

/** The flooders' thread: floods `port` until told to stop, then reports how it was answered. */
async function flooderThread(port: number, concurrency: number): Promise<void> {
  const answers = new Map<string, number>();
  let flooding = true;
  parentPort?.once('message', () => {
    flooding = false;
  });
  const worker = async () => {
    while (flooding) await floodOnce(port, answers);
  };
  const all = Array.from({ length: concurrency }, worker);
  parentPort?.postMessage({ started: true });
  await Promise.all(all);
  parentPort?.postMessage({ answers: [...answers] });
}

/** Starts the flooders; `stop()` resolves with how their posts were answered. */
async function startFlood(port: number): Promise<{ stop(): Promise<Map<string, number>> }> {
  const w = new Worker(new URL(import.meta.url), {
    workerData: { port, concurrency: CONCURRENCY },
    execArgv: process.execArgv,
  });
  const messages: Array<{ started?: boolean; answers?: [string, number][] }> = [];
  let wake: (() => void) | undefined;
  w.on('message', (m: (typeof messages)[number]) => {
    messages.push(m);
    wake?.();
  });
  const next = () =>
    new Promise<(typeof messages)[number]>((resolve, reject) => {
      const take = () => {
        const m = messages.shift();
        if (m) resolve(m);
        else wake = take;
      };
      w.once('error', reject);
      take();
    });
  await next();
  return {
    async stop() {
      w.postMessage('stop');
      const m = await next();
      await w.terminate();
      return new Map(m.answers ?? []);
    },
  };
}

interface RunResult {
  idleMb: number;
  peakMb: number;
  quiet: number[];
  flood: number[];
  answers: Map<string, number>;
  floods: number;
  /** The server's CPU time over the flood (probes included), per flood post. */
  cpuPerPostMs: number;
}

async function oneRun(
  kind: 'shipmate' | 'bare',
  slackApiUrl: string,
  failures: string[],
): Promise<RunResult> {
  const prefix = uniquePrefix('bench-flood');
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
  };
  const proc: RunningMain =
    kind === 'bare'
      ? startMain(env, [], startFlags(), 'bench/bare-bolt.ts')
      : startMain(
          { ...env, REDIS_URL, SHIPMATE_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' },
          ['--role', 'web'],
          startFlags(),
        );
  try {
    const port = Number(
      await proc.waitForOutput(
        kind === 'bare' ? /listening on (\d+)/ : /"role":"\w+","port":(\d+)/,
        START_TIMEOUT_MS,
      ),
    );
    const pid = proc.pid as number;
    await probe(port, WARMUP, failures);
    const idleMb = rssMb(pid);
    const quiet = await probe(port, PROBES, failures);

    let peakMb = rssMb(pid);
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, rssMb(pid));
    }, 10);
    const cpu0 = cpuMs(pid);
    const flooders = await startFlood(port);
    // Let every flooder get its first body going before timing.
    await new Promise((r) => setTimeout(r, 500));
    const flood = await probe(port, PROBES, failures);
    const answers = await flooders.stop();
    clearInterval(sampler);
    peakMb = Math.max(peakMb, rssMb(pid));
    const floods = [...answers.values()].reduce((a, b) => a + b, 0);
    const cpuPerPostMs = (cpuMs(pid) - cpu0) / Math.max(1, floods);
    return { idleMb, peakMb, quiet, flood, answers, floods, cpuPerPostMs };
  } finally {
    await proc.stop('SIGTERM');
    if (kind === 'shipmate') await cleanRedis(prefix);
  }
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const spread = (xs: number[], d = 1) =>
  `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

function report(kind: string, results: RunResult[]): { ok: boolean; lines: string[] } {
  const lines = [`${kind}:`];
  const q99 = results.map((r) => percentile(r.quiet, 99));
  const f99 = results.map((r) => percentile(r.flood, 99));
  const ratio = results.map((_r, i) => (f99[i] as number) / (q99[i] as number));
  const grow = results.map((r) => r.peakMb - r.idleMb);
  results.forEach((r, i) => {
    const answered = [...r.answers].map(([k, v]) => `${k} ×${v}`).join(', ');
    lines.push(
      `  run ${i + 1}: quiet p50 ${fmt(percentile(r.quiet, 50), 2)} p99 ${fmt(q99[i] as number, 2)} ms · ` +
        `flood p50 ${fmt(percentile(r.flood, 50), 2)} p99 ${fmt(f99[i] as number, 2)} ms (×${fmt(ratio[i] as number, 2)}) · ` +
        `RSS idle ${fmt(r.idleMb)} → peak ${fmt(r.peakMb)} MB (+${fmt(grow[i] as number)}) · ` +
        `${r.floods} flood posts (${fmt(r.cpuPerPostMs * 1000, 0)} µs server CPU each): ${answered}`,
    );
  });
  const okRss = median(grow) <= GOAL_RSS_MB;
  const okP99 = median(ratio) <= GOAL_P99_RATIO;
  lines.push(
    `  median (min–max) over ${results.length} runs: quiet p99 ${spread(q99, 2)} ms · flood p99 ${spread(f99, 2)} ms · ` +
      `ratio ${spread(ratio, 2)} (goal ≤ ${GOAL_P99_RATIO}× ${okP99 ? '✓' : '✗'}) · ` +
      `RSS growth ${spread(grow)} MB (goal ≤ ${GOAL_RSS_MB} MB ${okRss ? '✓' : '✗'})`,
  );
  return { ok: okRss && okP99, lines };
}

if (!isMainThread) {
  const d = workerData as { port: number; concurrency: number };
  await flooderThread(d.port, d.concurrency);
} else {
  await main();
}

async function main(): Promise<void> {
  const slack = await startFakeSlack();
  const failures: string[] = [];
  const out: string[] = [
    `flood: node ${process.versions.node}, flags ${startFlags().join(' ') || '(none)'}; ${CONCURRENCY} connections ` +
      `posting unsigned ${(BODY_BYTES / 1e6).toFixed(1)} MB bodies while ${PROBES} signed /ops help are timed; ` +
      `${RUNS} runs, a fresh process each`,
  ];
  let ok = true;
  try {
    const kinds = opts.bare ? (['shipmate', 'bare'] as const) : (['shipmate'] as const);
    for (const kind of kinds) {
      const results: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) results.push(await oneRun(kind, slack.apiUrl, failures));
      const r = report(
        kind === 'bare' ? 'bare Bolt (default receiver), reference' : 'Shipmate --role web',
        results,
      );
      if (kind === 'shipmate') ok = r.ok;
      out.push(...r.lines);
    }
  } finally {
    await slack.close();
  }
  if (failures.length) {
    out.push(`${failures.length} probes failed, e.g. ${failures.slice(0, 3).join(' | ')}`);
    ok = false;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  process.exitCode = ok ? 0 : 1;
}
