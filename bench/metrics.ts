/**
 * `/metrics` scrape cost: `node bench/metrics.ts [jobs=10000] [scrapes=30] [runs=5]`
 *
 * Starts two web roles (whole app, HTTP mode, against the fake Slack) in this process, each on a
 * fresh queue prefix: the baseline's queue stays empty; the other's gets `jobs` jobs run to
 * completion in Redis (a bare BullMQ worker with a no-op processor completes them; the app's own
 * handlers are not involved). Then both are scraped (`GET /metrics`) in alternating order (empty,
 * full, full, empty, …), `scrapes` scrapes per run after 5 warm-ups each; the figure is the median
 * over `runs` runs of each run's median, with the range of the run medians. Size is the response body in bytes. The queue-depth gauge reads counts at
 * scrape time (ZCARD/LLEN per state), so the scrape should not grow with the number of jobs.
 *
 * The bench re-runs itself under the Node flags of `npm start` (bench/start-flags.ts).
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startFakeSlack } from '../sandbox/fake-slack.ts';
import { OPS_QUEUE } from '../src/jobs/queues.ts';
import {
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  startApp,
  uniquePrefix,
} from '../test/support/app-harness.ts';
import { runUnderStartFlags } from './start-flags.ts';

runUnderStartFlags();

function positiveArg(index: number, fallback: number): number {
  const raw = process.argv[index];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`usage: node bench/metrics.ts [jobs=10000] [scrapes=30] [runs=5] (got "${raw}")`);
    process.exit(2);
  }
  return n;
}
const JOBS = positiveArg(2, 10_000);
const SCRAPES = positiveArg(3, 30);
const RUNS = positiveArg(4, 5);
const TOKEN = 'bench-metrics-token-0123456789';

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const fake = await startFakeSlack();
const prefixes = { empty: uniquePrefix('bench-metrics-empty'), full: uniquePrefix('bench-metrics-full') };
type Side = keyof typeof prefixes;
const start = (prefix: string) =>
  startApp(
    {
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
      SHIPMATE_ROLE: 'web',
      METRICS_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
    },
    { log: pino({ level: 'silent' }) },
  );
const apps = { empty: await start(prefixes.empty), full: await start(prefixes.full) };

async function scrapeOnce(side: Side): Promise<{ ms: number; bytes: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(`${apps[side].baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return { ms, bytes: Buffer.byteLength(text), text };
}

interface Measured {
  runMedians: number[];
  bytes: number;
  text: string;
}

/** `RUNS` runs of `SCRAPES` scrapes per side, sides alternating: each run's median, the last body. */
async function measure(): Promise<Record<Side, Measured>> {
  const out: Record<Side, Measured> = {
    empty: { runMedians: [], bytes: 0, text: '' },
    full: { runMedians: [], bytes: 0, text: '' },
  };
  for (const side of ['empty', 'full'] as const) for (let i = 0; i < 5; i++) await scrapeOnce(side);
  for (let r = 0; r < RUNS; r++) {
    const order: Side[] = r % 2 === 0 ? ['empty', 'full'] : ['full', 'empty'];
    for (const side of order) {
      const times: number[] = [];
      for (let i = 0; i < SCRAPES; i++) {
        const x = await scrapeOnce(side);
        times.push(x.ms);
        out[side].bytes = x.bytes;
        out[side].text = x.text;
      }
      out[side].runMedians.push(median(times));
    }
  }
  return out;
}

const gauge = (text: string, state: string) =>
  Number(new RegExp(`^shipmate_queue_jobs\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);

try {
  console.log(
    `/metrics scrape: ${RUNS} runs × ${SCRAPES} scrapes, empty queue vs ${JOBS} completed jobs; node ${process.version} ${process.execArgv.join(' ')}`,
  );
  // Fill Redis: JOBS jobs, completed by a bare worker with a no-op processor.
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(OPS_QUEUE, { connection, prefix: prefixes.full });
  const t0 = performance.now();
  for (let i = 0; i < JOBS; i += 1000) {
    const n = Math.min(1000, JOBS - i);
    await queue.addBulk(
      Array.from({ length: n }, (_, k) => ({
        name: 'bench_noop',
        data: { i: i + k },
        opts: { jobId: `bench-${i + k}` },
      })),
    );
  }
  const worker = new Worker(OPS_QUEUE, async () => ({ ok: true }), {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: prefixes.full,
    concurrency: 100,
  });
  for (;;) {
    const c = await queue.getJobCounts('completed');
    if ((c.completed ?? 0) >= JOBS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await worker.close();
  await queue.close();
  connection.disconnect();
  console.log(`  ${JOBS} jobs queued and completed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const { empty, full } = await measure();
  console.log(
    `  queue_jobs{state="completed"}: empty ${gauge(empty.text, 'completed')}, full ${gauge(full.text, 'completed')}`,
  );
  console.log('');
  console.log(
    `${'queue'.padEnd(16)}${'median ms'.padStart(11)}${'range ms'.padStart(17)}${'bytes'.padStart(9)}`,
  );
  for (const [name, m] of [
    ['empty', empty],
    [`${JOBS} completed`, full],
  ] as const) {
    const lo = Math.min(...m.runMedians).toFixed(2);
    const hi = Math.max(...m.runMedians).toFixed(2);
    console.log(
      `${name.padEnd(16)}${median(m.runMedians).toFixed(2).padStart(11)}${`${lo}–${hi}`.padStart(17)}${String(m.bytes).padStart(9)}`,
    );
  }
  console.log(
    `ratio full/empty: time ${(median(full.runMedians) / median(empty.runMedians)).toFixed(2)}×, size ${(full.bytes / empty.bytes).toFixed(2)}×`,
  );
} finally {
  await Promise.all([apps.empty.stop(), apps.full.stop()]);
  await fake.close();
  await Promise.all([cleanRedis(prefixes.empty), cleanRedis(prefixes.full)]);
}
process.exit(0);
