import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { NUDGED_POLL_MS, processTestsWatch, watchJobId } from '../../src/jobs/processors/tests-watch.ts';
import type { JobRun } from '../../src/jobs/queues.ts';
import type { TestsWatchPayload } from '../../src/jobs/specs/tests.ts';
import type { DraftStore } from '../../src/tests/store.ts';
import type { WatchIndex } from '../../src/tests/watch-index.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type { RepoPort } from '../../tools/shared/repo-port.ts';

const payload: TestsWatchPayload = {
  draftId: 'td-0123456789ab',
  number: 7,
  url: 'https://github.com/acme/shop/pull/7',
  branch: 'shipmate/tests/cart-012345',
  headSha: 'c'.repeat(40),
  round: 1,
  since: Date.now(),
};

/** One poll of a watch whose run has not finished; returns the delay it asked for. */
async function poll(nudged: boolean): Promise<number> {
  const taken: string[] = [];
  const index = {
    takeNudge: async (id: string) => {
      taken.push(id);
      return nudged;
    },
  } as unknown as WatchIndex;
  const store = {
    get: async () => ({ owner: 'acme', repo: 'shop', files: [], model: 'm' }),
  } as unknown as DraftStore;
  const github = {
    listWorkflowRuns: async () => [{ id: 1, status: 'in_progress', conclusion: null }],
  } as unknown as GitHubPort;
  let delay = -1;
  const run = {
    payload,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    checkpoint: { data: { polls: 3 }, save: async () => undefined },
    retryLater: async (ms: number) => {
      delay = ms;
      throw new Error('delayed');
    },
  } as unknown as JobRun<TestsWatchPayload>;
  await expect(
    processTestsWatch(run, {
      github,
      repo: {} as RepoPort,
      ports: { redact: (s: string) => s },
      store,
      index,
      enqueue: async () => ({ jobId: 'x', created: true }),
      timing: { firstPollMs: 60_000, maxPollMs: 600_000, limitMs: 3_600_000, maxRounds: 2 },
    }),
  ).rejects.toThrow('delayed');
  expect(taken).toEqual([watchJobId(payload)]);
  return delay;
}

describe('a tests_watch poll that finds CI unfinished', () => {
  it('waits its backoff (first poll × 2^polls, at most maxPollMs)', async () => {
    expect(await poll(false)).toBe(480_000);
  });

  it('looks again soon when a workflow_run delivery came while it ran (the run it read may have finished since)', async () => {
    expect(await poll(true)).toBe(NUDGED_POLL_MS);
  });
});
