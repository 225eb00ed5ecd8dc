/**
 * The sample world's GitHub (`npm run demo`): `acme/shop` with failed workflow runs of several
 * kinds — a failing test, a lockfile out of sync, a Docker build whose COPY source is missing, a job
 * that hit its time limit — and a green run before them, served by the fake GitHub API (fake-github.ts)
 * to the real Octokit. The logs are short, in the runner's own format (timestamps, `##[group]`,
 * `##[error]`), so triage works on them exactly as on a real download.
 */

import type { FakeRepo, FakeRun } from './fake-github.ts';

/** Run ids of the sample runs, newest first; the banner triages the newest failure on main. */
export const SAMPLE_RUNS = { docker: 7104, timeout: 7103, lockfile: 7102, test: 7101, green: 7100 } as const;

interface LogStep {
  name: string;
  lines: string[];
  /** The step failed: its log ends with the runner's error line. */
  failed?: boolean;
}

/** A job log as the runner writes it, one timestamp per line, starting at `start`. */
export function runnerLog(start: Date, steps: LogStep[]): string {
  let t = start.getTime();
  const out: string[] = [];
  const line = (text: string) => {
    t += 137;
    out.push(`${new Date(t).toISOString().replace('Z', '0000Z')} ${text}`);
  };
  line('Requested labels: ubuntu-latest');
  line('Job is about to start running on the hosted runner: GitHub Actions 12 (hosted)');
  for (const s of steps) {
    line(`##[group]Run ${s.name}`);
    line(s.name);
    line('##[endgroup]');
    for (const l of s.lines) line(l);
    if (s.failed) {
      line('##[error]Process completed with exit code 1.');
      break;
    }
  }
  line('Cleaning up orphan processes');
  return `${out.join('\n')}\n`;
}

const minutesAgo = (now: Date, m: number) => new Date(now.getTime() - m * 60_000);

/** The sample repositories as of `now` (default: the moment of the call). */
export function sampleRepos(now: Date = new Date()): FakeRepo[] {
  const setup = { name: 'npm ci', lines: ['added 812 packages in 14s'] };
  const run = (
    id: number,
    minutes: number,
    o: Omit<FakeRun, 'id' | 'createdAt' | 'headSha' | 'runNumber'>,
  ): FakeRun => ({
    id,
    createdAt: minutesAgo(now, minutes)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z'),
    headSha: `${id}`.padEnd(40, 'a'),
    runNumber: id - 6900,
    ...o,
  });
  const runs: FakeRun[] = [
    run(SAMPLE_RUNS.docker, 12, {
      name: 'Docker',
      path: '.github/workflows/docker.yml',
      headBranch: 'main',
      event: 'push',
      conclusion: 'failure',
      actor: 'dana',
      displayTitle: 'checkout: serve the new receipt page',
      jobs: [
        {
          id: 71041,
          name: 'build-image',
          conclusion: 'failure',
          steps: [
            { name: 'Set up job', conclusion: 'success' },
            { name: 'Build and push', conclusion: 'failure' },
          ],
          log: runnerLog(minutesAgo(now, 12), [
            {
              name: 'docker build -t registry.example.com/shop/checkout:1.5.0 .',
              lines: [
                '#7 [build 3/6] COPY package.json package-lock.json ./',
                '#7 DONE 0.1s',
                '#9 [build 5/6] COPY public/receipts ./public/receipts',
                '#9 ERROR: failed to calculate checksum of ref 4f1c: "/public/receipts": not found',
                'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 4f1c: "/public/receipts": not found',
              ],
              failed: true,
            },
          ]),
        },
      ],
    }),
    run(SAMPLE_RUNS.timeout, 40, {
      name: 'CI',
      path: '.github/workflows/ci.yml',
      headBranch: 'main',
      event: 'push',
      conclusion: 'failure',
      actor: 'lee',
      displayTitle: 'search: reindex on start',
      jobs: [
        {
          id: 71031,
          name: 'e2e',
          conclusion: 'failure',
          steps: [
            { name: 'Set up job', conclusion: 'success' },
            { name: 'npm run e2e', conclusion: 'cancelled' },
          ],
          log: runnerLog(minutesAgo(now, 70), [
            setup,
            {
              name: 'npm run e2e',
              lines: [
                'waiting for http://localhost:8080/readyz ...',
                'waiting for http://localhost:8080/readyz ...',
                '##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 30 minutes.',
              ],
            },
          ]),
        },
      ],
    }),
    run(SAMPLE_RUNS.lockfile, 95, {
      name: 'CI',
      path: '.github/workflows/ci.yml',
      headBranch: 'renovate/stripe-18.x',
      event: 'pull_request',
      conclusion: 'failure',
      actor: 'renovate[bot]',
      displayTitle: 'Update dependency stripe to v18',
      jobs: [
        {
          id: 71021,
          name: 'test',
          conclusion: 'failure',
          steps: [
            { name: 'Set up job', conclusion: 'success' },
            { name: 'npm ci', conclusion: 'failure' },
          ],
          log: runnerLog(minutesAgo(now, 95), [
            {
              name: 'npm ci',
              lines: [
                'npm error code EUSAGE',
                'npm error',
                'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.',
                'npm error',
                "npm error Invalid: lock file's stripe@17.7.0 does not satisfy stripe@18.0.0",
              ],
              failed: true,
            },
          ]),
        },
      ],
    }),
    run(SAMPLE_RUNS.test, 180, {
      name: 'CI',
      path: '.github/workflows/ci.yml',
      headBranch: 'main',
      event: 'push',
      conclusion: 'failure',
      actor: 'sam',
      displayTitle: 'payments: retry card captures',
      jobs: [
        {
          id: 71011,
          name: 'test',
          conclusion: 'failure',
          steps: [
            { name: 'Set up job', conclusion: 'success' },
            { name: 'npm test', conclusion: 'failure' },
          ],
          log: runnerLog(minutesAgo(now, 180), [
            setup,
            {
              name: 'npm test',
              lines: [
                'PASS src/cart/cart.test.ts',
                'FAIL src/payments/capture.test.ts',
                '  ● capture › retries a declined capture once',
                '',
                '    expect(received).toBe(expected) // Object.is equality',
                '',
                '    Expected: 2',
                '    Received: 1',
                '',
                '      41 |     await capture(order);',
                '    > 42 |     expect(gateway.calls).toBe(2);',
                '         |                           ^',
                '',
                '      at Object.<anonymous> (src/payments/capture.test.ts:42:27)',
                '',
                'Tests:       1 failed, 57 passed, 58 total',
              ],
              failed: true,
            },
          ]),
        },
      ],
    }),
    run(SAMPLE_RUNS.green, 300, {
      name: 'CI',
      path: '.github/workflows/ci.yml',
      headBranch: 'main',
      event: 'push',
      conclusion: 'success',
      actor: 'dana',
      displayTitle: 'cart: show delivery dates',
      jobs: [{ id: 71001, name: 'test', conclusion: 'success' }],
    }),
  ];
  return [{ owner: 'acme', name: 'shop', defaultBranch: 'main', runs, files: SAMPLE_FILES }];
}

/** A few files of acme/shop at main, so `/ops tests acme/shop src/cart/total.ts` has something to read. */
export const SAMPLE_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'shop', private: true, scripts: { test: 'jest' }, devDependencies: { jest: '29.7.0', '@jest/globals': '29.7.0' } }, null, 2)}\n`,
  'src/cart/total.ts': [
    'export interface Line { price: number; qty: number }',
    '',
    '/** The cart total in cents: price × quantity, summed. */',
    'export function total(lines: Line[]): number {',
    '  return lines.reduce((sum, l) => sum + l.price * l.qty, 0);',
    '}',
    '',
    '/** Free delivery from 50.00. */',
    'export function deliveryFee(totalCents: number): number {',
    '  return totalCents >= 5000 ? 0 : 499;',
    '}',
    '',
  ].join('\n'),
  'src/payments/capture.ts': 'export function capture(amount: number): boolean {\n  return amount > 0;\n}\n',
  'src/payments/capture.test.ts': [
    "import { describe, expect, it } from '@jest/globals';",
    "import { capture } from './capture.ts';",
    '',
    "describe('capture', () => {",
    "  it('refuses nothing to capture', () => {",
    '    expect(capture(0)).toBe(false);',
    '  });',
    '});',
    '',
  ].join('\n'),
};
