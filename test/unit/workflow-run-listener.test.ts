import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { WatchIndex } from '../../src/tests/watch-index.ts';
import { workflowRunListener } from '../../src/tests/workflow-run-listener.ts';

const SHA = 'a'.repeat(40);
const log = pino({ level: 'silent' });

/** An index over a Map, and the promote answers a test scripts (BullMQ's own promote is tested by the integration test). */
function world(states: string[]) {
  const nudged: string[] = [];
  const promoted: string[] = [];
  const pauses: number[] = [];
  const index: WatchIndex = {
    watching: async () => undefined,
    watcherOf: async (repo, sha) => (repo === 'acme/shop' && sha === SHA ? 'tests-watch:td-1:1' : undefined),
    nudge: async (id) => void nudged.push(id),
    takeNudge: async () => false,
  };
  const listener = workflowRunListener({
    index,
    nudgeTtlMs: 60_000,
    promote: async (id) => {
      promoted.push(id);
      return states.shift() ?? 'active';
    },
    pause: async (ms) => void pauses.push(ms),
  });
  const deliver = (over: { action?: string; sha?: string; branch?: string; repo?: string } = {}) =>
    listener.handle({
      event: 'workflow_run',
      deliveryId: 'd1',
      log,
      payload: {
        action: over.action ?? 'completed',
        workflow_run: { head_sha: over.sha ?? SHA, head_branch: over.branch ?? 'shipmate/tests/cart-1a2b3c' },
        repository: { full_name: over.repo ?? 'acme/shop' },
      },
    });
  return { deliver, nudged, promoted, pauses };
}

describe('the tests watch listener on workflow_run deliveries', () => {
  it('promotes the watch of the commit and leaves a nudge for a poll running now', async () => {
    const w = world(['promoted']);
    expect(await w.deliver()).toEqual({ jobId: 'tests-watch:td-1:1', promoted: true });
    expect(w.nudged).toEqual(['tests-watch:td-1:1']);
    expect(w.pauses).toEqual([]);
  });

  it('a poll running when the delivery comes is caught when it goes back to waiting', async () => {
    const w = world(['active', 'active', 'promoted']);
    expect(await w.deliver()).toEqual({ jobId: 'tests-watch:td-1:1', promoted: true });
    expect(w.promoted).toHaveLength(3);
    expect(w.pauses).toEqual([100, 100]);
  });

  it('a poll that stays running is left its nudge; the wait is bounded', async () => {
    const w = world([]);
    expect(await w.deliver()).toEqual({ jobId: 'tests-watch:td-1:1', promoted: false });
    expect(w.pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2000);
    expect(w.nudged).toHaveLength(1);
  });

  it('a watch already done is not promoted, and says so', async () => {
    const w = world(['completed']);
    expect(await w.deliver()).toEqual({ jobId: 'tests-watch:td-1:1', promoted: false });
    expect(w.promoted).toHaveLength(1);
  });

  it.each([
    ['a run still in progress', { action: 'in_progress' }],
    ['a requested run', { action: 'requested' }],
    ['another commit', { sha: 'b'.repeat(40) }],
    ['a branch Shipmate did not push', { branch: 'main' }],
    ['another repository', { repo: 'acme/other' }],
  ])('%s does nothing', async (_what, over) => {
    const w = world(['promoted']);
    expect(await w.deliver(over)).toBeUndefined();
    expect(w.promoted).toEqual([]);
    expect(w.nudged).toEqual([]);
  });

  it('a payload without the fields does nothing', async () => {
    const w = world(['promoted']);
    const l = workflowRunListener({
      index: { watcherOf: async () => 'x' } as unknown as WatchIndex,
      nudgeTtlMs: 1,
      promote: async () => 'promoted',
    });
    expect(
      await l.handle({ event: 'workflow_run', deliveryId: undefined, log, payload: null }),
    ).toBeUndefined();
    expect(
      await l.handle({ event: 'workflow_run', deliveryId: undefined, log, payload: { action: 'completed' } }),
    ).toBeUndefined();
    expect(w.promoted).toEqual([]);
  });
});
