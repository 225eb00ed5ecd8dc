import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Messenger } from '../../src/jobs/messenger.ts';
import { createProgressReporter } from '../../src/jobs/progress.ts';
import type { Message } from '../../tools/shared/message.ts';

/**
 * A clock the test moves by hand, for the reporter's `now` and `setTimer`: nothing depends on how
 * fast the machine is. `advance(ms)` runs each timer that falls due at its own time, in order, and
 * lets the edits it queues settle before moving on.
 */
function fakeClock() {
  let t = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    setTimer(fn: () => void, ms: number) {
      const timer = { at: t + ms, fn };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    pending: () => timers.size,
    async advance(ms: number) {
      const until = t + ms;
      for (;;) {
        const due = [...timers].filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due);
        t = due.at;
        due.fn();
        await settle();
      }
      t = until;
      await settle();
    },
  };
}

function recorder(now: () => number) {
  const events: Array<{ op: string; text: string; at: number }> = [];
  const start = now();
  const m: Messenger = {
    async post(_t, msg: Message) {
      events.push({ op: 'post', text: msg.text, at: now() - start });
      return { channel: 'C1', ts: '1.0' };
    },
    async update(_t, _h, msg: Message, final) {
      events.push({ op: final ? 'final' : 'edit', text: msg.text, at: now() - start });
    },
    async postInThread(_t, _h, msg: Message) {
      events.push({ op: 'thread', text: msg.text, at: now() - start });
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
    const clock = fakeClock();
    const { m, events } = recorder(clock.now);
    const saved: unknown[] = [];
    const p = createProgressReporter({
      ...base,
      messenger: m,
      intervalMs: 100,
      now: clock.now,
      setTimer: clock.setTimer,
      saveHandle: async (h) => void saved.push(h),
    });
    await p.start();
    // A step every 5 ms for 450 ms, then 150 ms of quiet.
    let i = 0;
    while (clock.now() < 450) {
      p.step(`page ${++i}`);
      await clock.advance(5);
    }
    await clock.advance(150);
    await p.finish({ text: 'done' }, [{ text: 'details' }]);
    const edits = events.filter((e) => e.op === 'edit');
    expect(events.filter((e) => e.op === 'post')).toHaveLength(1);
    expect(saved).toEqual([{ channel: 'C1', ts: '1.0' }]);
    expect(i).toBeGreaterThan(40);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(edits.length).toBeLessThanOrEqual(6);
    for (let k = 1; k < edits.length; k++)
      expect((edits[k]?.at ?? 0) - (edits[k - 1]?.at ?? 0)).toBeGreaterThanOrEqual(90);
    // One edit per interval exactly, the last one after the steps stopped.
    expect(edits.map((e) => e.at)).toEqual([100, 200, 300, 400, 500]);
    expect(edits.at(-1)?.text).toBe(`Status: page ${i}`);
    expect(events.slice(-2).map((e) => [e.op, e.text])).toEqual([
      ['final', 'done'],
      ['thread', 'details'],
    ]);
  });

  it('reuses the message saved by an earlier attempt instead of posting another', async () => {
    const { m, events } = recorder(fakeClock().now);
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
    const clock = fakeClock();
    const { m, events } = recorder(clock.now);
    const p = createProgressReporter({
      ...base,
      messenger: m,
      intervalMs: 50,
      now: clock.now,
      setTimer: clock.setTimer,
      saveHandle: async () => undefined,
    });
    await p.start();
    p.step('late step');
    expect(clock.pending()).toBe(1); // the edit is due in 50 ms
    await p.cancelled('cancelled by <@U1>.');
    await clock.advance(100);
    expect(events.map((e) => e.op)).toEqual(['post', 'final']);
  });

  it('Slack refusing the progress message does not stop the job: the result is posted at the end, named, and kept', async () => {
    const posts: Array<{ text: string; key?: string; lookFirst?: boolean; patienceMs?: number }> = [];
    const thread: Array<string | undefined> = [];
    const saved: unknown[] = [];
    let down = true;
    const m: Messenger = {
      async post(_t, msg, o) {
        posts.push({ text: msg.text, key: o?.key, lookFirst: o?.lookFirst, patienceMs: o?.patienceMs });
        if (down)
          throw Object.assign(new Error('HTTP 500'), { code: 'slack_webapi_http_error', statusCode: 500 });
        return { channel: 'C1', ts: '2.0' };
      },
      async update() {
        throw new Error('nothing to update');
      },
      async postInThread(_t, _h, _msg, o) {
        thread.push(o?.key);
      },
      async ephemeral() {},
    };
    const p = createProgressReporter({
      ...base,
      messenger: m,
      lookFirst: true,
      startPatienceMs: 1234,
      saveHandle: async (h) => void saved.push(h),
    });
    await p.start(); // does not throw
    expect(p.handle()).toBeUndefined();
    down = false;
    await p.finish({ text: 'all green' }, [{ text: 'details' }, { text: 'more' }]);
    expect(posts).toEqual([
      { text: 'Status: working…', key: 'j1:progress', lookFirst: true, patienceMs: 1234 },
      { text: 'all green', key: 'j1:final', lookFirst: false, patienceMs: undefined },
    ]);
    expect(thread).toEqual(['j1:thread:0', 'j1:thread:1']);
    // Saved, so a redelivery edits this message instead of posting another.
    expect(saved).toEqual([{ channel: 'C1', ts: '2.0' }]);
  });
});

describe('a result with attachments', () => {
  const cut: Message = {
    text: 'cut',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'cut code' } }],
  };
  const result: Message = {
    text: 'full',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'attached' } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Go' }, value: '/ops go' },
        ],
      },
    ],
    attach: {
      files: [{ filename: 'a.ts', title: 'src/a.ts', content: 'x' }],
      otherwise: {
        ...cut,
        blocks: [
          ...(cut.blocks ?? []),
          {
            type: 'actions',
            elements: [
              { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Go' }, value: '/ops go' },
            ],
          },
        ],
      },
    },
  };
  const withAttach = (fail?: Error) => {
    const r = recorder(() => 0);
    const uploads: string[] = [];
    r.m.attach = async (_t, h, f) => {
      if (fail) throw fail;
      uploads.push(`${h.ts}:${f.title}`);
    };
    return { ...r, uploads };
  };

  it('shows the result, uploads its files into its thread once, and a redelivery does not upload again', async () => {
    const { m, events, uploads } = withAttach();
    const saved: Array<{ attached?: string[] }> = [];
    const p = createProgressReporter({ ...base, messenger: m, saveHandle: async (h) => void saved.push(h) });
    await p.start();
    await p.finish(result);
    expect(events.map((e) => `${e.op}:${e.text}`)).toEqual(['post:Status: working…', 'final:full']);
    expect(uploads).toEqual(['1.0:src/a.ts']);
    const handle = saved.at(-1);
    expect(handle?.attached).toEqual(['j1:final']);
    // Another attempt delivers the saved outcome again, with the saved handle.
    const again = createProgressReporter({
      ...base,
      messenger: m,
      handle,
      redelivery: true,
      saveHandle: async () => {},
    });
    await again.finish(result);
    expect(uploads).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ op: 'final', text: 'full' });
  });

  it('when the upload fails, ends with the stand-in saying why, its buttons last', async () => {
    const { AppError } = await import('../../src/errors.ts');
    const { m, events } = withAttach(
      new AppError({
        code: 'slack_upload_missing_scope',
        userMessage: 'the Slack app lacks the `files:write` scope',
      }),
    );
    let shown: Message | undefined;
    const update = m.update;
    m.update = async (t, h, msg, final, o) => {
      shown = msg;
      await update(t, h, msg, final, o);
    };
    const p = createProgressReporter({ ...base, messenger: m, saveHandle: async () => {} });
    await p.finish(result);
    expect(events.map((e) => `${e.op}:${e.text}`)).toEqual(['post:full', 'final:cut']);
    const blocks = JSON.stringify(shown?.blocks);
    expect(blocks).toContain('could not be attached: the Slack app lacks the `files:write` scope');
    expect(shown?.blocks?.at(-1)?.type).toBe('actions');
  });

  it('a messenger that cannot attach, or an answer through response_url, shows the stand-in', async () => {
    const { m, events } = recorder(() => 0);
    const p = createProgressReporter({ ...base, messenger: m, saveHandle: async () => {} });
    await p.finish(result);
    expect(events.at(-1)).toMatchObject({ op: 'final', text: 'cut' });
    const r2 = withAttach();
    const q = createProgressReporter({
      ...base,
      messenger: r2.m,
      handle: { viaResponseUrl: true },
      saveHandle: async () => {},
    });
    await q.finish(result);
    expect(r2.uploads).toEqual([]);
    expect(r2.events.at(-1)).toMatchObject({ op: 'final', text: 'cut' });
  });
});
