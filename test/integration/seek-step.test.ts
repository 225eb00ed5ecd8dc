/**
 * Finding the failed step's start by the log's timestamps (seek-step.ts, read-from-end.ts), over a
 * real loopback HTTP server that answers byte ranges as GitHub's log storage does: the result is the
 * backward read's, to the line, on every GitHub-format fixture and on generated logs; the step is
 * downloaded about once; every case the seek cannot trust falls back to reading backwards.
 */

import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { rangedLogOverHttp } from '../../tools/shared/ci/ranged-http.ts';
import { extractFromEnd, extractFromEndInWorker } from '../../tools/shared/ci/read-from-end.ts';
import { markerScan, timestampAt } from '../../tools/shared/ci/seek-step.ts';

const DIR = join(import.meta.dirname, '../fixtures/ci-logs');

/** Logs served by path; bytes and requests counted per path. */
const logs = new Map<string, { body: Buffer; ranges: boolean; bytes: number; requests: number }>();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const log = logs.get(req.url ?? '');
    if (!log) {
      res.writeHead(404).end();
      return;
    }
    log.requests++;
    const m = log.ranges ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
    const start = m ? Number(m[1]) : 0;
    const end = m ? Math.min(log.body.length - 1, Number(m[2])) : log.body.length - 1;
    const part = log.body.subarray(start, end + 1);
    log.bytes += part.length;
    res.writeHead(m ? 206 : 200, {
      'content-length': part.length,
      ...(m ? { 'content-range': `bytes ${start}-${end}/${log.body.length}` } : {}),
    });
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let served = 0;
/** A ranged log over HTTP for `body`, and its counters. */
function serve(body: Buffer | string, ranges = true) {
  const path = `/log/${++served}`;
  const entry = { body: Buffer.from(body), ranges, bytes: 0, requests: 0 };
  logs.set(path, entry);
  return { log: rangedLogOverHttp(`${base}${path}`, entry.body.length), stats: entry };
}

/** The jobs API's time for the line at byte `offset`: its timestamp, to the second. */
function stepTimeAt(body: Buffer, offset: number): string {
  const ms = timestampAt(body, offset === 0 && body[0] === 0xef ? 3 : offset);
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

type R = Awaited<ReturnType<typeof extractFromEnd>>;
/** The parts of a result that must not depend on how the step's start was found. */
const same = ({ sought: _, ...r }: R) => r;

/** Backward read, then the seek from the step's time; both results. */
async function both(body: Buffer, step?: { startedAt?: string | null; name?: string }) {
  const backward = await extractFromEnd(serve(body).log);
  const s = serve(body);
  const startedAt = step ? step.startedAt : stepTimeAt(body, backward.bytesFrom);
  const sought = await extractFromEnd(s.log, { step: { ...step, startedAt } });
  return { backward, sought, stats: s.stats };
}

const GITHUB_FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .filter((f) => {
    const t = readFileSync(join(DIR, f), 'utf8');
    return /^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /.test(t) && t.includes('##[group]Run ');
  });

/** `mb` MB of a passing step stamped before `first`, to put in front of a fixture. */
function padding(mb: number, first: number): Buffer {
  const lines: string[] = [];
  const line = 'compiling a module that passes, nothing to see here';
  const n = Math.ceil((mb * 1048576) / 90);
  let t = first - n * 2 - 5000;
  lines.push(`${new Date(t).toISOString()} ##[group]Run npm run build`);
  for (let i = 0; i < n; i++) {
    t += 2;
    lines.push(`${new Date(t).toISOString()} ${line} ${i}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('seeking the failed step by time', () => {
  it('finds the GitHub-format fixtures', () => {
    expect(GITHUB_FIXTURES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(GITHUB_FIXTURES)(
    '%s: the same result as the backward read, alone and after a long step',
    async (f) => {
      const raw = readFileSync(join(DIR, f));
      const { backward, sought } = await both(raw);
      expect(same(sought)).toEqual(same(backward));
      if (backward.fromStep) expect(sought.sought).toBe(true);

      const body = raw[0] === 0xef ? raw.subarray(3) : raw;
      const long = Buffer.concat([padding(3, timestampAt(body, 0)), body]);
      const r = await both(long);
      expect(same(r.sought)).toEqual(same(r.backward));
      expect(r.sought.sought).toBe(true);
      // The padding is not downloaded: a few probes, then the step.
      expect(r.stats.bytes).toBeLessThan(body.length + 512 * 1024);
    },
  );

  it('generated logs with steps of random sizes: the same result, the step downloaded about once', async () => {
    const char = fc.constantFrom('a', 'b', ' ', '/', 'é', '✓', '日本', '\u001b[32m', 'x'.repeat(40));
    const stepArb = fc.record({
      lines: fc.integer({ min: 1, max: 4000 }),
      width: fc.integer({ min: 1, max: 30 }),
      gapMs: fc.integer({ min: 0, max: 60 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 5 }),
        stepArb,
        fc.array(char, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (before, failing, chars, named) => {
          let t = Date.UTC(2025, 2, 4, 10, 0, 0);
          const out: string[] = [];
          let bytes = 0;
          const emit = (s: string) => {
            const l = `${new Date(t).toISOString().slice(0, 23)}0000Z ${s}\n`;
            out.push(l);
            bytes += Buffer.byteLength(l);
          };
          const body = (st: { lines: number; width: number; gapMs: number }, k: number) => {
            for (let i = 0; i < st.lines; i++) {
              t += (i * 7919 + k) % (st.gapMs + 1);
              emit(Array.from({ length: st.width }, (_, j) => chars[(i + j + k) % chars.length]).join(''));
            }
          };
          emit('Current runner version: 2.321.0');
          for (const [k, st] of before.entries()) {
            t += 500;
            emit(`##[group]Run step ${k}`);
            emit('##[endgroup]');
            body(st, k);
          }
          t += 500;
          const stepStart = bytes;
          const startedAt = `${new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19)}Z`;
          emit('##[group]Run npm test');
          emit('##[endgroup]');
          body(failing, 99);
          emit('  ● Cart › adds an item');
          emit('    Expected: 2');
          emit('##[error]Process completed with exit code 1.');
          t += 300;
          emit('Post job cleanup.');
          emit('Cleaning up orphan processes');
          const log = Buffer.from(out.join(''));
          const { backward, sought, stats } = await both(log, {
            startedAt,
            name: named ? 'Unit tests' : 'Run npm test',
          });
          expect(same(sought)).toEqual(same(backward));
          expect(backward.bytesFrom).toBe(stepStart);
          expect(sought.sought).toBe(true);
          expect(stats.bytes).toBeLessThanOrEqual(log.length - stepStart + 1024 * 1024);
        },
      ),
      { seed: 20251202, numRuns: 40 },
    );
  });

  it('a guess that is not the backward start (a composite step, an earlier short step) is corrected', async () => {
    const ts = (s: number) => `2025-03-04T10:00:${String(s).padStart(2, '0')}.0000000Z`;
    const lines = [
      `${ts(0)} ##[group]Run npm run build`,
      ...Array.from({ length: 2000 }, (_, i) => `${ts(1)} building ${i}`),
      `${ts(10)} ##[group]Run ./.github/actions/test`,
      `${ts(10)} ##[endgroup]`,
      `${ts(11)} ##[group]Run npm ci`,
      ...Array.from({ length: 2000 }, (_, i) => `${ts(12)} installing ${i}`),
      `${ts(20)} ##[group]Run npm test`,
      `${ts(20)} ##[endgroup]`,
      `${ts(21)}   ● Cart › adds an item`,
      `${ts(21)}     Expected: 2`,
      `${ts(22)} ##[error]Process completed with exit code 1.`,
    ];
    const log = Buffer.from(`${lines.join('\n')}\n`);
    const { backward, sought } = await both(log, { startedAt: '2025-03-04T10:00:10Z' });
    expect(backward.section?.title).toBe('Run npm test');
    expect(same(sought)).toEqual(same(backward));
    expect(sought.sought).toBe(true);
  });

  it('runs in the log worker too', async () => {
    const raw = readFileSync(join(DIR, GITHUB_FIXTURES[0] as string));
    const body = raw[0] === 0xef ? raw.subarray(3) : raw;
    const long = Buffer.concat([padding(2, timestampAt(body, 0)), body]);
    const backward = await extractFromEnd(serve(long).log);
    const inWorker = await extractFromEndInWorker(serve(long).log, {
      step: { startedAt: stepTimeAt(long, backward.bytesFrom) },
    });
    expect(same(inWorker)).toEqual(same(backward));
    expect(inWorker.sought).toBe(true);
  });
});

describe('falling back to the backward read', () => {
  /** ~3 MB: a long build step, then the failing test step. */
  const logWith = (stamp: (i: number) => string) => {
    const lines: string[] = [`${stamp(0)}##[group]Run npm run build`];
    for (let i = 1; i < 40000; i++) lines.push(`${stamp(i)}compiling module ${i} that passes, nothing here`);
    lines.push(
      `${stamp(40000)}##[group]Run npm test`,
      `${stamp(40000)}##[endgroup]`,
      `${stamp(40001)}  ● Cart › adds an item`,
      `${stamp(40002)}    Expected: 2`,
      `${stamp(40003)}##[error]Process completed with exit code 1.`,
    );
    return Buffer.from(`${lines.join('\n')}\n`);
  };
  const t0 = Date.UTC(2025, 2, 4, 10, 0, 0);
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}0000Z `;
  const stepAt = '2025-03-04T10:06:40Z';

  it.each([
    ['no timestamps', logWith(() => ''), stepAt],
    ['timestamps out of order', logWith((i) => iso(t0 + (i < 20000 ? 3_600_000 : 0) + i * 10)), stepAt],
    ['the step time missing', logWith((i) => iso(t0 + i * 10)), null],
    ['a step time that is no time', logWith((i) => iso(t0 + i * 10)), 'yesterday'],
    // In the middle of the build step: no `##[group]Run ` line near the point.
    ['no step start near the time', logWith((i) => iso(t0 + i * 10)), '2025-03-04T10:03:00Z'],
  ])('%s', async (_name, log, startedAt) => {
    const { backward, sought } = await both(log, { startedAt });
    expect(backward.section?.title).toBe('Run npm test');
    expect(backward.firstError?.n).toBe(3);
    expect(same(sought)).toEqual(same(backward));
    expect(sought.sought).toBeFalsy();
  });

  it('a storage host that ignores Range: the backward read answers as today', async () => {
    const log = logWith((i) => iso(t0 + i * 10));
    const plain = serve(log, false).log;
    await expect(extractFromEnd(plain, { step: { startedAt: stepAt } })).rejects.toMatchObject({
      code: 'github_unreachable',
    });
    await expect(extractFromEnd(serve(log, false).log)).rejects.toMatchObject({ code: 'github_unreachable' });
  });
});

describe('markerScan', () => {
  it('finds the backward offset whatever the chunk boundaries', () => {
    const text = Buffer.from(
      'a\n##[group]Run one\nx ##[error]no\n##[group]Run two\ny\n##[error]yes\n##[group]Run three\nz\n',
    );
    const want = text.indexOf('##[group]Run two');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }), (cuts) => {
        const scan = markerScan(0);
        let at = 0;
        for (const c of cuts) {
          if (at >= text.length) break;
          scan.feed(text.subarray(at, at + c));
          at += c;
        }
        if (at < text.length) scan.feed(text.subarray(at));
        expect(scan.result()).toBe(want);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
