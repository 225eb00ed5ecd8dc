/**
 * triageRun end to end (the real Octokit against the fake GitHub, the log storage answering ranges):
 * the failed step's `started_at` from the jobs API reaches the log worker, which finds the step by
 * time and downloads it once — the same excerpt, kind and step line numbers as the backward read.
 */

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, start } from '../../sandbox/fake-github.ts';
import { createGitHubPort } from '../../src/clients/github.ts';
import { resolveRun, triageRun } from '../../tools/shared/ci/triage.ts';

const TOKEN = 'ghp_fakeTestToken000000000000000000000000';

/**
 * ~6 MB of a passing build, then the failing test step (~2 MB). The fake API says every step started
 * at 09:30:05: the test step's lines are stamped from then, the build's before.
 */
const LOG = (() => {
  const lines: string[] = [];
  let t = Date.UTC(2025, 0, 14, 9, 0, 0);
  const stamp = () => `${new Date(t).toISOString().slice(0, 23)}0000Z `;
  lines.push(`${stamp()}##[group]Run npm run build`, `${stamp()}##[endgroup]`);
  for (let i = 0; i < 75000; i++) {
    t += 20;
    lines.push(`${stamp()}compiling module ${i} that passes, nothing to see here ${'y'.repeat(20)}`);
  }
  t = Date.UTC(2025, 0, 14, 9, 30, 5, 200);
  lines.push(`${stamp()}##[group]Run npm test`, `${stamp()}npm test`, `${stamp()}##[endgroup]`);
  for (let i = 0; i < 25000; i++) {
    t += 1;
    lines.push(`${stamp()}PASS src/module${i}.test.ts (0.3 s) ${'z'.repeat(20)}`);
  }
  lines.push(
    `${stamp()}  ● Cart › adds an item`,
    `${stamp()}    Expected: 2`,
    `${stamp()}    Received: 1`,
    `${stamp()}      at Object.<anonymous> (src/cart.test.ts:12:26)`,
    `${stamp()}##[error]Process completed with exit code 1.`,
    `${stamp()}Post job cleanup.`,
  );
  return `${lines.join('\n')}\n`;
})();
const STEP_BYTES = LOG.length - LOG.indexOf('2025-01-14T09:30:05.2000000Z ##[group]Run npm test');

describe('triage of a ranged log by its failed step’s time', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await start({
      tokens: [TOKEN],
      repos: [
        {
          owner: 'acme',
          name: 'shop',
          defaultBranch: 'main',
          runs: [
            {
              id: 950,
              headBranch: 'main',
              conclusion: 'failure',
              jobs: [
                {
                  id: 9501,
                  name: 'test',
                  conclusion: 'failure',
                  ranges: true,
                  steps: [
                    { name: 'Run npm run build', conclusion: 'success' },
                    { name: 'Run npm test', conclusion: 'failure' },
                  ],
                  log: LOG,
                },
              ],
            },
          ],
        },
      ],
    });
  });
  afterAll(() => fake.close());

  it('reads the step once and numbers its lines from the step', async () => {
    const gh = createGitHubPort({ baseUrl: fake.url, token: TOKEN, retries: 0 });
    const ref = { owner: 'acme', repo: 'shop' };
    const run = await resolveRun(gh, ref, { kind: 'run', runId: 950 });
    const before = fake.logDownloads.length;
    const r = await triageRun(gh, (s) => s, ref, run);
    const job = r.jobs[0];
    expect([job?.kind, job?.rule, job?.linesFrom, job?.section]).toEqual([
      'test',
      'jest',
      'step',
      'Run npm test',
    ]);
    expect(job?.logLine).toBe(25004);
    expect(job?.logUrl).toMatch(/#step:2:25004$/);
    const sent = fake.logDownloads.slice(before).reduce((sum, d) => sum + d.bytes, 0);
    // The backward read would take the step twice (from the end back to it, then forward again).
    expect(sent).toBeLessThan(STEP_BYTES + 512 * 1024);
  });
});
