/**
 * Start-up time and memory per role: `node bench/start.ts [--runs 5]`
 *
 * Starts the whole bot exactly as `npm start` and the image run it (`node <start flags>
 * src/start.js --role <role>`, through test/support/run-main.ts's startMain, flags from
 * bench/start-flags.ts) for `--role web`, `--role worker` and `--role all`, fully configured like a
 * real deployment: Slack HTTP mode (token, signing secret), a kubeconfig, GitHub (token, webhook
 * secret), an LLM and a team file with services, CI channels and a digest. Every endpoint is a
 * loopback fake from sandbox/ (Slack, Kubernetes, GitHub, OpenAI); Redis is REDIS_URL (default
 * redis://127.0.0.1:6379), a fresh key prefix per start, removed after it. PORT=0; the port comes
 * from the bot's start-up log line.
 *
 * src/start.js loads the .ts sources through the stripped-TypeScript cache (src/stripped-ts.js).
 * First the cache is filled the way the Dockerfile fills the image's (`node src/stripped-ts.js src
 * tools`, here fillStrippedTypeScriptCache), so every start is what a pod runs — and what `npm start`
 * runs from a checkout once it has started before; the number of entries written during the starts
 * is printed (0: every file was a hit).
 *
 * For each start: ready = spawn → the first `GET /readyz` answering 200 (polled every 5 ms), and,
 * at that moment, the process's resident memory (VmRSS in /proc/<pid>/status) and its peak so far
 * (VmHWM). Linux only.
 *
 * Baseline, in the same run and the same way: a bare Bolt app in its own process (bench/bare-bolt.ts:
 * the default HTTP receiver with a `/readyz` route, on port 0, same Node flags, loaded through the
 * same cache by bench/with-stripped-ts.js). Each role's median is printed as a ratio to its median.
 *
 * One warm-up start of each (not counted: it fills the OS file cache), then `--runs` rounds of one
 * start each, the order rotated every round so none always goes first. Medians, with the min–max
 * spread.
 *
 * Goals (printed next to the figures): web RSS ≤ 110 MB once ready; every role ready ≤ 1.5 s.
 */

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { start as startFakeGitHub } from '../sandbox/fake-github.ts';
import { makeCluster, startFakeKube } from '../sandbox/fake-kube.ts';
import { startFakeOpenAI } from '../sandbox/fake-openai.ts';
import { startFakeSlack } from '../sandbox/fake-slack.ts';
import { fillStrippedTypeScriptCache, STRIPPED_TS_DIR, strippedSource } from '../src/stripped-ts.js';
import {
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  teamFile,
  uniquePrefix,
} from '../test/support/app-harness.ts';
import { type RunningMain, startMain } from '../test/support/run-main.ts';
import { startFlags } from './start-flags.ts';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(opts.runs);
if (!Number.isInteger(RUNS) || RUNS < 1)
  throw new Error(`--runs must be a positive whole number: ${opts.runs}`);
if (process.platform !== 'linux') throw new Error('bench/start.ts reads /proc/<pid>/status: Linux only');

const GOAL_READY_MS = 1500;
const GOAL_WEB_RSS_MB = 110;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

type Kind = 'bare' | 'web' | 'worker' | 'all';
const KINDS: readonly Kind[] = ['bare', 'web', 'worker', 'all'];
const LABEL: Record<Kind, string> = {
  bare: 'bare Bolt',
  web: '--role web',
  worker: '--role worker',
  all: '--role all',
};

interface Sample {
  readyMs: number;
  rssMb: number;
  peakMb: number;
}

/** A KiB figure of /proc/<pid>/status, in MB. */
function procStatusMb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** The status code of one GET on a fresh connection (no keep-alive socket to hold up the stop). */
function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const status = await getStatus(url).catch((e: Error) => {
      last = e.message;
      return 0;
    });
    if (status === 200) return;
    if (status) last = `HTTP ${status}`;
    if (performance.now() > deadline) throw new Error(`${url} not ready in ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** SIGTERM (Shipmate drains), SIGKILL if it has not exited in time; resolves once it has exited. */
async function stop(p: RunningMain): Promise<void> {
  const timer = setTimeout(() => p.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await p.stop('SIGTERM');
  clearTimeout(timer);
}

const [slack, kube, github, llm] = await Promise.all([
  startFakeSlack(),
  startFakeKube({ objects: makeCluster({ pods: 100 }) }),
  startFakeGitHub(),
  startFakeOpenAI(),
]);
// The example file's shape, on the fake cluster's current context.
const team = teamFile(`services:
  checkout:
    repo: acme/shop
    environments:
      staging: { namespace: staging, deployment: checkout, deployers: [S0DEVS] }
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE, U2BOB], approvers: [U2BOB, U3CAROL] }
ci:
  channels:
    acme/shop: C1OPS
digests:
  - id: morning
    channel: C1OPS
    cron: "0 9 * * 1-5"
    timezone: Europe/Berlin
    sections: [cluster, ci, deploys]
admins: [U9ADMIN]
`);
const slackEnv = {
  SLACK_BOT_TOKEN: 'xoxb-bench-token',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.apiUrl,
  PORT: '0',
};
const shipmateEnv = {
  ...slackEnv,
  REDIS_URL,
  SHIPMATE_CONFIG: team,
  KUBECONFIG: kube.kubeconfigPath,
  GITHUB_TOKEN: 'ghp_benchToken000000000000000000000000000',
  GITHUB_API_URL: github.url,
  GITHUB_WEBHOOK_SECRET: 'bench-webhook-secret',
  OPENAI_API_KEY: 'sk-bench-key-for-the-fake-server',
  OPENAI_BASE_URL: llm.baseUrl,
  OPENAI_MODEL: 'gpt-bench',
  // The default level: the start-up line carries the port.
  LOG_LEVEL: 'info',
};

/** One start of `kind`: spawn → ready, memory at that moment; then stop it and remove its keys. */
async function measure(kind: Kind): Promise<Sample> {
  const prefix = uniquePrefix(`bench-start-${kind}`);
  const t0 = performance.now();
  const proc =
    kind === 'bare'
      ? startMain(
          slackEnv,
          [],
          [...startFlags(), '--import', './bench/with-stripped-ts.js'],
          'bench/bare-bolt.ts',
        )
      : startMain(
          { ...shipmateEnv, SHIPMATE_QUEUE_PREFIX: prefix },
          ['--role', kind],
          startFlags(),
          'src/start.js',
        );
  try {
    const port = await proc.waitForOutput(
      kind === 'bare' ? /listening on (\d+)/ : /"role":"\w+","port":(\d+)/,
      START_TIMEOUT_MS,
    );
    await untilReady(`http://127.0.0.1:${port}/readyz`, START_TIMEOUT_MS);
    const readyMs = performance.now() - t0;
    const pid = proc.pid as number;
    return { readyMs, rssMb: procStatusMb(pid, 'VmRSS'), peakMb: procStatusMb(pid, 'VmHWM') };
  } finally {
    await stop(proc);
    if (kind !== 'bare') await cleanRedis(prefix);
  }
}

// As the Dockerfile's build stage does (and the baseline's one file); then count what the starts add
// (nothing, if all were hits).
fillStrippedTypeScriptCache(['src', 'tools']);
strippedSource(readFileSync('bench/bare-bolt.ts', 'utf8'), STRIPPED_TS_DIR);
const cacheEntries = () => readdirSync(STRIPPED_TS_DIR).length;
const entriesBefore = cacheEntries();
const samples: Record<Kind, Sample[]> = { bare: [], web: [], worker: [], all: [] };
try {
  for (const kind of KINDS) await measure(kind); // warm-up
  for (let round = 0; round < RUNS; round++) {
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[(round + k) % KINDS.length] as Kind;
      samples[kind].push(await measure(kind));
    }
  }
} finally {
  await Promise.all([slack.close(), kube.close(), github.close(), llm.close()]);
  rmSync(dirname(team), { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const stat = (xs: number[]) => ({ med: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const fig = (xs: number[], unit: string) => {
  const s = stat(xs);
  return `${s.med.toFixed(0)} ${unit} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
};
const mark = (ok: boolean) => (ok ? '✓' : '✗');

const base = {
  ready: median(samples.bare.map((s) => s.readyMs)),
  rss: median(samples.bare.map((s) => s.rssMb)),
  peak: median(samples.bare.map((s) => s.peakMb)),
};
const lines = [
  `start-up, spawn → GET /readyz 200: node ${process.versions.node}, flags ${startFlags().join(' ') || '(none)'}; ` +
    `${RUNS} runs after one warm-up, median (min–max)`,
  `${''.padEnd(14)} ${'ready'.padEnd(22)} ${'RSS when ready'.padEnd(22)} ${'peak RSS'.padEnd(22)} ratio to bare Bolt (ready · RSS · peak)`,
];
for (const kind of KINDS) {
  const s = samples[kind];
  const ready = median(s.map((x) => x.readyMs));
  const rss = median(s.map((x) => x.rssMb));
  const peak = median(s.map((x) => x.peakMb));
  const ratios =
    kind === 'bare'
      ? 'baseline'
      : `${(ready / base.ready).toFixed(2)} · ${(rss / base.rss).toFixed(2)} · ${(peak / base.peak).toFixed(2)}`;
  const goals =
    kind === 'bare'
      ? ''
      : `   goals: ready ≤ ${GOAL_READY_MS / 1000} s ${mark(ready <= GOAL_READY_MS)}` +
        (kind === 'web' ? `, RSS ≤ ${GOAL_WEB_RSS_MB} MB ${mark(rss <= GOAL_WEB_RSS_MB)}` : '');
  lines.push(
    `${LABEL[kind].padEnd(14)} ${fig(
      s.map((x) => x.readyMs),
      'ms',
    ).padEnd(22)} ${fig(
      s.map((x) => x.rssMb),
      'MB',
    ).padEnd(22)} ${fig(
      s.map((x) => x.peakMb),
      'MB',
    ).padEnd(22)} ${ratios}${goals}`,
  );
}
const atStart = (calls: { method: string }[]) => {
  const n = new Map<string, number>();
  for (const c of calls) n.set(c.method, (n.get(c.method) ?? 0) + 1);
  return [...n].map(([m, k]) => `${m} ×${k}`).join(', ') || 'none';
};
lines.push(
  `calls the fakes received over all ${(RUNS + 1) * KINDS.length} starts: Slack ${atStart(slack.calls)}; ` +
    `Kubernetes ${kube.requests.length}; GitHub ${github.requests.length}; model ${llm.requests.length}`,
  `stripped-TypeScript cache (${STRIPPED_TS_DIR}): ${entriesBefore} entries, ` +
    `${cacheEntries() - entriesBefore} written during the starts (0: every file a hit, as in the image)`,
);
process.stdout.write(`${lines.join('\n')}\n`);
