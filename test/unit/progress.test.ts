import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Messenger } from '../../src/jobs/messenger.ts';
import { createProgressReporter } from '../../src/jobs/progress.ts';
import type { Message } from '../../tools/shared/message.ts';

function recorder() {
  const events: Array<{ op: string; text: string; at: number }> = [];
  const start = Date.now();
  const m: Messenger = {
    async post(_t, msg: Message) {
      events.push({ op: 'post', text: msg.text, at: Date.now() - start });
      return { channel: 'C1', ts: '1.0' };
    },
    async update(_t, _h, msg: Message, final) {
      events.push({ op: final ? 'final' : 'edit', text: msg.text, at: Date.now() - start });
    },
    async postInThread(_t, _h, msg: Message) {
      events.push({ op: 'thread', text: msg.text, at: Date.now() - start });
    },
    async ephemeral() {},
  };
  return { m, events };
}

const base = {
  jobId: 'j1',
  title: 'Status',
  requestedBy: 'U1',
  target: { kind: 'slack' as const, channel: 'C1' },
  log: pino({ level: 'silent' }),
};

describe('the progress reporter', () => {
  it('coalesces many steps into at most one edit per interval, showing the newest, then the result', async () => {
    const { m, events } = recorder();
    const saved: unknown[] = [];
    const p = createProgressReporter({
      ...base,
      messenger: m,
      intervalMs: 100,
      saveHandle: async (h) => void saved.push(h),
    });
    await p.start();
    const until = Date.now() + 450;
    let i = 0;
    while (Date.now() < until) {
      p.step(`page ${++i}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 150));
    await p.finish({ text: 'done' }, [{ text: 'details' }]);
    const edits = events.filter((e) => e.op === 'edit');
    expect(events.filter((e) => e.op === 'post')).toHaveLength(1);
    expect(saved).toEqual([{ channel: 'C1', ts: '1.0' }]);
    expect(i).toBeGreaterThan(40);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(edits.length).toBeLessThanOrEqual(6);
    for (let k = 1; k < edits.length; k++)
      expect((edits[k]?.at ?? 0) - (edits[k - 1]?.at ?? 0)).toBeGreaterThanOrEqual(90);
    expect(edits.at(-1)?.text).toBe(`Status: page ${i}`);
    expect(events.slice(-2).map((e) => [e.op, e.text])).toEqual([
      ['final', 'done'],
      ['thread', 'details'],
    ]);
  });

  it('reuses the message saved by an earlier attempt instead of posting another', async () => {
    const { m, events } = recorder();
    const p = createProgressReporter({
      ...base,
      messenger: m,
      handle: { channel: 'C1', ts: '9.0' },
      saveHandle: async () => undefined,
    });
    await p.start();
    await p.fail('Kubernetes answered 403', 'ABCD1234');
    expect(events.map((e) => e.op)).toEqual(['final']);
    expect(events[0]?.text).toBe('Status failed: Kubernetes answered 403 (ref ABCD1234)');
  });

  it('does not edit after the end even if a step was pending', async () => {
    const { m, events } = recorder();
    const p = createProgressReporter({
      ...base,
      messenger: m,
      intervalMs: 50,
      saveHandle: async () => undefined,
    });
    await p.start();
    p.step('late step');
    await p.cancelled('cancelled by <@U1>.');
    await new Promise((r) => setTimeout(r, 100));
    expect(events.map((e) => e.op)).toEqual(['post', 'final']);
  });
});
