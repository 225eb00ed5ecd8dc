/**
 * `/ops status` at scale: `node bench/status.ts [pods=10000] [runs=3]`
 *
 * Builds a cluster of `pods` pods (plus the same problem kinds at 100 pods for the size comparison)
 * in the fake API server (sandbox/fake-kube.ts: HTTPS, real paging), then times, in the same
 * run and against the same server:
 *   - the cluster_status tool's `run()` through the real @kubernetes/client-node (createKubePort),
 *     in a child process so its peak RSS is its own (the fake server and kubectl stay out of it);
 *   - `kubectl get pods -A -o json --chunk-size=500` with the fake's kubeconfig (discovery cache warm).
 * One warm-up of each, then `runs` alternating measured runs; medians are reported.
 * Then the whole bot as `npm start` runs it (console mode, needs Redis at REDIS_URL): its RSS once
 * started, and its peak RSS (VmHWM, Linux) after answering `/ops status` on the same cluster.
 *
 * Node processes get the V8 flags of `npm start` (bench/start-flags.ts); one tool run without them
 * is reported for comparison.
 *
 * Goals (issue #3): not slower than kubectl; peak RSS < 250 MB; summarize() and blocks() the same
 * size at 10,000 pods as at 100.
 */

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClusterProblems, makeCluster, startFakeKube } from '../sandbox/fake-kube.ts';
import { createKubePort } from '../src/clients/kube.ts';
import { startMain } from '../test/support/run-main.ts';
import { clusterStatus } from '../tools/cluster-status.ts';
import { redact } from '../tools/shared/redact.ts';
import { startFlags } from './start-flags.ts';

interface ChildReport {
  runMs: number;
  maxRssMb: number;
  /** RSS after imports, before the first request. */
  baseRssMb: number;
  pods: number;
  pages: number;
  problems: number;
  summarizeChars: number;
  blocksCount: number;
  blocksJsonChars: number;
  longestSectionChars: number;
  fallbackChars: number;
}

/** Child mode: one tool run against the kubeconfig, report as JSON on stdout. */
async function child(kubeconfigPath: string): Promise<void> {
  const baseRssMb = process.memoryUsage().rss / 1024 / 1024;
  const kube = createKubePort({ kubeconfigPath, requestTimeoutMs: 60_000 });
  const ctx = {
    userId: 'U_BENCH',
    traceId: 'bench',
    signal: new AbortController().signal,
    progress: () => {},
  };
  const t0 = performance.now();
  const result = await clusterStatus.run({ redact, kube }, {}, ctx);
  const runMs = performance.now() - t0;
  const summary = clusterStatus.summarize(result);
  const message = clusterStatus.blocks(result);
  await kube.close();
  const sections = (message.blocks ?? []).map((b) => (b.type === 'section' ? (b.text?.text.length ?? 0) : 0));
  const report: ChildReport = {
    runMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    baseRssMb,
    pods: result.report.counts.pods.total,
    pages: result.pages,
    problems: result.report.problems.length + result.report.omittedProblems,
    summarizeChars: summary.length,
    blocksCount: message.blocks?.length ?? 0,
    blocksJsonChars: JSON.stringify(message.blocks ?? []).length,
    longestSectionChars: Math.max(0, ...sections),
    fallbackChars: message.text.length,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runProcess(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ ms: number; stdout: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let keep = true;
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      // Keep small outputs (the child's JSON), only count large ones (kubectl's 40 MB).
      if (keep) chunks.push(c);
      if (bytes > 1_000_000) keep = false;
    });
    p.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ ms, stdout: keep ? Buffer.concat(chunks).toString() : '', bytes });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const SELF = fileURLToPath(import.meta.url);

async function toolRun(
  kubeconfigPath: string,
  nodeFlags: string[] = startFlags(),
): Promise<ChildReport & { wallMs: number }> {
  const r = await runProcess(process.execPath, [
    '--no-warnings',
    ...nodeFlags,
    SELF,
    '--child',
    kubeconfigPath,
  ]);
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return { ...(JSON.parse(line) as ChildReport), wallMs: r.ms };
}

/** The problem mix: every kind the analyzers know, `k` workloads of each. */
function problems(k: number): ClusterProblems {
  return {
    crashLoop: k,
    oomKilled: k,
    imagePull: k,
    createContainerConfigError: k,
    createContainerError: k,
    unschedulable: k,
    notReady: k,
    progressDeadline: k,
    statefulSetShort: k,
    daemonSetShort: Math.min(k, 2),
    nodeNotReady: k,
    nodePressure: k,
    evicted: k,
    warningEvents: 3 * k,
  };
}

/** KiB figure of a /proc/<pid>/status line, in MB. */
function procStatusMb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]) / 1024;
}

/**
 * The whole bot as `npm start` runs it (`node <start flags> src/start.js`), in console mode against
 * the fake cluster: RSS once it has answered `/ops help`, then peak RSS after it has answered
 * `/ops status`. Undefined without /proc.
 */
async function wholeBot(
  kubeconfigPath: string,
): Promise<{ startedMb: number; peakMb: number; answerMs: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const prefix = `bench-status-${process.pid}`;
  const bot = startMain(
    {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      KUBECONFIG: kubeconfigPath,
      SHIPMATE_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'error',
    },
    [],
    ['--no-warnings', ...startFlags()],
    // What `npm start` runs: src/start.js, which loads the sources through the stripped-TypeScript cache.
    'src/start.js',
  );
  try {
    bot.write('/ops help\n');
    await bot.waitForOutput(/\/ops help — this list/, 120_000);
    const startedMb = procStatusMb(bot.pid as number, 'VmRSS');
    const t0 = performance.now();
    bot.write('/ops status\n');
    await bot.waitForOutput(/read [\d,]+ pages in/, 120_000);
    const answerMs = performance.now() - t0;
    const peakMb = procStatusMb(bot.pid as number, 'VmHWM');
    return { startedMb, peakMb, answerMs };
  } finally {
    bot.end();
    await bot.done;
    // The bot's keys, and its console queue's (`<prefix>-console-<id>`; cleanRedis takes both).
    // Imported here, not at the top: the harness loads the whole app, which would weigh on the tool
    // child's RSS.
    const { cleanRedis } = await import('../test/support/app-harness.ts');
    await cleanRedis(prefix);
  }
}

async function parent(): Promise<void> {
  const pods = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 3);
  const now = new Date();
  const cacheDir = await mkdtemp(join(tmpdir(), 'kubectl-cache-'));

  // Output size at 100 pods (one of each problem) vs `pods` (proportionally more problems).
  const small = await startFakeKube({ objects: makeCluster({ pods: 100, problems: problems(1), now }) });
  const smallRun = await toolRun(small.kubeconfigPath);
  await small.close();

  const t0 = performance.now();
  const objects = makeCluster({ pods, problems: problems(Math.max(1, Math.round(pods / 500))), now });
  const buildMs = performance.now() - t0;
  const fake = await startFakeKube({ objects });
  const kubectlArgs = [
    '--kubeconfig',
    fake.kubeconfigPath,
    '--cache-dir',
    cacheDir,
    'get',
    'pods',
    '-A',
    '-o',
    'json',
    '--chunk-size=500',
  ];
  const kubectl = () => runProcess('/usr/bin/kubectl', kubectlArgs);

  // Warm-up: kubectl fills its discovery cache, the child warms the module cache.
  const kWarm = await kubectl();
  await toolRun(fake.kubeconfigPath);
  const kMs: number[] = [];
  const tool: (ChildReport & { wallMs: number })[] = [];
  for (let i = 0; i < runs; i++) {
    kMs.push((await kubectl()).ms);
    tool.push(await toolRun(fake.kubeconfigPath));
  }
  // The same run with V8 tuned for memory rather than speed, for comparison.
  const plain = await toolRun(fake.kubeconfigPath, []);
  const bot = await wholeBot(fake.kubeconfigPath);
  const kubectlPageRequests = fake.requests.filter(
    (r) => r.userAgent.startsWith('kubectl') && r.path === '/api/v1/pods',
  ).length;
  await fake.close();
  await rm(cacheDir, { recursive: true, force: true });

  const big = tool[tool.length - 1] as ChildReport & { wallMs: number };
  const toolMs = median(tool.map((t) => t.runMs));
  const toolWall = median(tool.map((t) => t.wallMs));
  const kubectlMs = median(kMs);
  const rss = Math.max(...tool.map((t) => t.maxRssMb));
  const f = (x: number) => x.toFixed(0);
  const lines = [
    `cluster: ${big.pods} pods, ${objects.deployments.length} deployments, ${objects.nodes.length} nodes, ${objects.events.length} events (built in ${f(buildMs)} ms); ${runs} runs, medians`,
    `kubectl get pods -A -o json --chunk-size=500: ${f(kubectlMs)} ms wall (${(kWarm.bytes / 1e6).toFixed(1)} MB of JSON, ${kubectlPageRequests / (runs + 1)} page requests per run)`,
    `cluster_status run():                        ${f(toolMs)} ms (${big.pages} pages of pods, workloads, nodes, events; ${big.problems} problems)`,
    `cluster_status child process wall (incl. node start-up and imports): ${f(toolWall)} ms`,
    `ratio tool/kubectl: ${(toolMs / kubectlMs).toFixed(2)} (run) · ${(toolWall / kubectlMs).toFixed(2)} (whole process)   goal ≤ 1`,
    `peak RSS of the tool process: ${f(rss)} MB (${f(smallRun.maxRssMb)} MB for the 100-pod cluster)   goal < 250 MB`,
    `  of which before the first request (node, type stripping, @kubernetes/client-node, zod): ${f(big.baseRssMb)} MB`,
    `  same without the npm start flags (${startFlags().join(' ')}): ${f(plain.maxRssMb)} MB, run() ${f(plain.runMs)} ms`,
    bot
      ? `whole bot (npm start, console): ${f(bot.startedMb)} MB once started; peak ${f(bot.peakMb)} MB after /ops status (answered in ${f(bot.answerMs)} ms)   goal < 250 MB`
      : 'whole bot: not measured (needs /proc for VmHWM)',
    `output        ${'100 pods'.padStart(12)} ${`${big.pods} pods`.padStart(12)}`,
    `summarize()   ${`${smallRun.summarizeChars} chars`.padStart(12)} ${`${big.summarizeChars} chars`.padStart(12)}   (budget 1,200)`,
    `blocks()      ${`${smallRun.blocksCount} blocks`.padStart(12)} ${`${big.blocksCount} blocks`.padStart(12)}   (limit 50)`,
    `blocks JSON   ${`${smallRun.blocksJsonChars} chars`.padStart(12)} ${`${big.blocksJsonChars} chars`.padStart(12)}`,
    `max section   ${`${smallRun.longestSectionChars} chars`.padStart(12)} ${`${big.longestSectionChars} chars`.padStart(12)}   (limit 3,000)`,
    `problems      ${String(smallRun.problems).padStart(12)} ${String(big.problems).padStart(12)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[2] === '--child') await child(process.argv[3] as string);
else await parent();
