import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { z } from 'zod';
import type { ReplyTarget } from '../../src/context.ts';
import { safeJobId } from '../../src/jobs/enqueue.ts';
import type { Messenger } from '../../src/jobs/messenger.ts';
import { createJobRuntime, type JobRuntime } from '../../src/jobs/runtime.ts';
import { defineJobSpec } from '../../src/jobs/spec.ts';
import type { Message } from '../../tools/shared/message.ts';
import { cleanRedis, REDIS_URL, uniquePrefix } from '../support/app-harness.ts';

/** Records every message posted; `failPosts` makes posting throw (Slack down). */
function recordingMessenger() {
  const posted: Array<{ target: ReplyTarget; message: Message }> = [];
  const m: Messenger & { posted: typeof posted } = {
    posted,
    async post(target, message) {
      posted.push({ target, message });
      return { channel: 'C1', ts: String(posted.length) };
    },
    async update() {},
    async postInThread() {},
    async ephemeral() {},
  };
  return m;
}

const spec = defineJobSpec({ name: 'test_click', payload: z.object({ n: z.number() }) });
const fixedSpec = defineJobSpec({ name: 'test_fixed', payload: z.object({}), cancellable: false });

describe('enqueue: one atomic step per job id', () => {
  const prefix = uniquePrefix('enqueue');
  let redis: Redis;
  let jobs: JobRuntime;
  const messenger = recordingMessenger();

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    jobs = createJobRuntime({ redis, prefix, messenger, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await jobs.close();
    redis.disconnect();
    await cleanRedis(prefix);
  });

  const click = (jobId: string) =>
    jobs.enqueue({
      spec,
      payload: { n: 1 },
      jobId,
      requestedBy: 'U1ALICE',
      target: { kind: 'slack', channel: 'C1' },
      traceId: 't',
      title: 'Click',
    });

  it('ten identical clicks at once post one progress message and queue one job', async () => {
    const id = safeJobId('click', 'same-button');
    const results = await Promise.all(Array.from({ length: 10 }, () => click(id)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.every((r) => r.jobId === id)).toBe(true);
    expect(messenger.posted.filter((p) => p.message.text === 'Click: queued')).toHaveLength(1);
    const job = await jobs.queue.getJob(id);
    expect(job?.name).toBe('test_click');
    expect(await jobs.queue.getJobCountByTypes('waiting')).toBe(1);
  });

  it('a repeat after the first click finished queueing is still a no-op (the job itself is found)', async () => {
    const id = safeJobId('click', 'later');
    expect((await click(id)).created).toBe(true);
    await redis.del(`${prefix}:enqueue-claim:${id}`); // as if the claim had expired
    expect((await click(id)).created).toBe(false);
    expect(
      messenger.posted.filter((p) => p.message.blocks?.some((b) => JSON.stringify(b).includes(id))),
    ).toHaveLength(1);
  });

  it('the claim does not outlive queueing by long (it carries a TTL)', async () => {
    const id = safeJobId('click', 'ttl');
    await click(id);
    const ttl = await redis.pttl(`${prefix}:enqueue-claim:${id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a payload the spec refuses queues nothing and posts nothing', async () => {
    const before = messenger.posted.length;
    await expect(
      jobs.enqueue({
        spec,
        payload: { n: 'x' } as never,
        jobId: 'bad-payload',
        requestedBy: 'U1',
        target: { kind: 'console' },
        traceId: 't',
        title: 'Bad',
      }),
    ).rejects.toThrow(/bad payload for test_click/);
    expect(messenger.posted.length).toBe(before);
    expect(await jobs.queue.getJob('bad-payload')).toBeUndefined();
    expect(await redis.exists(`${prefix}:enqueue-claim:bad-payload`)).toBe(0);
  });

  it('a spec that is not cancellable is refused by cancel, from the job alone', async () => {
    const r = await jobs.enqueue({
      spec: fixedSpec,
      payload: {},
      jobId: 'fixed-1',
      requestedBy: 'U1ALICE',
      target: { kind: 'slack', channel: 'C1' },
      traceId: 't',
      title: 'Fixed',
    });
    expect(r.created).toBe(true);
    expect(await jobs.cancel('fixed-1', 'U1ALICE', false)).toEqual({
      status: 'not_cancellable',
      kind: 'test_fixed',
    });
    expect(await (await jobs.queue.getJob('fixed-1'))?.getState()).toBe('waiting');
  });
});
