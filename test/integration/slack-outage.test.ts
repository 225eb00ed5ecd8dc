/**
 * Slack failing while work is in flight (issue 16, items 4 and 7): chat.* answering 500 for as long
 * as the test says (the fake's outage, ended by the test — no clock decides), and a
 * chat.postMessage carried out but answered only after the client's timeout. A request is never
 * silently lost: the outcome reaches the person once Slack is back (or through a command's
 * response_url meanwhile), the work is done once, and no message appears twice.
 */

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { AppOptions, ShipmateApp } from '../../src/app.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { safeJobId } from '../../src/jobs/enqueue.ts';
import type { JobEnvelope } from '../../src/jobs/queues.ts';
import type { JobQueue } from '../../src/jobs/runtime.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import type { OpsCommand } from '../../src/ops/command.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { postSigned, slashCommand } from '../support/slack-requests.ts';

/** How many times each piece of work ran: the work must be done once, whatever Slack does. */
const runs = new Map<string, number>();
const workSpec = defineJobSpec({ name: 'test_work', payload: z.object({ n: z.string() }) });
const workJob = handle(workSpec, async (run) => {
  runs.set(run.payload.n, (runs.get(run.payload.n) ?? 0) + 1);
  run.progress('working');
  return {
    message: { text: `work ${run.payload.n} done` },
    thread: [{ text: `work ${run.payload.n} details` }],
  };
});

const enqueueWork = (
  queue: Pick<JobQueue, 'enqueue'>,
  n: string,
  target: JobEnvelope['target'],
  id: string,
) =>
  queue.enqueue({
    spec: workSpec,
    payload: { n },
    jobId: safeJobId('work', id),
    requestedBy: 'U1ALICE',
    target,
    traceId: `trace-${id}`,
    title: `Work ${n}`,
  });

const workCommand = (queue: JobQueue): OpsCommand => ({
  name: 'work',
  usage: '/ops work <n>',
  summary: 'test job',
  async run(argv, ctx) {
    const r = await enqueueWork(queue, String(argv[0]), ctx.target, ctx.invocationId);
    return { message: { text: '' }, visibility: 'ephemeral', jobIds: [r.jobId] };
  },
});

const feature = defineFeature({
  name: 'test_work',
  needs: ['queue'],
  build: ({ queue }) => ({ commands: [workCommand(queue)], jobs: [workJob] }),
});

/** Short intervals, so minutes of retries take a fraction of a second; the outage's end is the test's. */
const DELIVERY: NonNullable<AppOptions['delivery']> = {
  slackTimeoutMs: 2000,
  retry: { forMs: 60_000, minDelayMs: 10, maxDelayMs: 80 },
  progressPatienceMs: 200,
  redeliverMs: 50,
};

const failed = (method: string) => (c: SlackCall) => c.method === method && c.response?.status === 500;
const withText = (text: string) => (c: SlackCall) =>
  c.response?.ok === true && String(c.args.text).includes(text);

describe('Slack failing', () => {
  const prefix = uniquePrefix('slack-outage');
  let slack: FakeSlack;
  let app: ShipmateApp & { baseUrl: string };
  let trig = 0;
  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
  });

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startApp(env(), { features: [feature], delivery: DELIVERY });
  });
  afterAll(async () => {
    try {
      slack?.recover();
      slack?.releaseHeld();
      await app?.stop();
    } finally {
      await slack?.close();
      await cleanRedis(prefix);
    }
  });

  const slash = async (text: string, responseId: string) => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand(text, { triggerId: `trig-outage-${++trig}`, responseUrl: slack.responseUrl(responseId) }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
  };

  it('chat.* answering 500: the outcome is posted once Slack is back, the work done once, nothing twice', async () => {
    slack.outage(/^chat\./);
    // No response_url to fall back on (as for a mention or a button's thread): only Slack itself.
    await enqueueWork(app.jobs, '1', { kind: 'slack', channel: 'C2QUIET' }, 'outage-1');
    // Far more tries than the three quick ones that used to end the job, over the whole outage.
    await slack.waitFor(
      (c) => runs.get('1') === 1 && c.filter(failed('chat.postMessage')).length >= 12,
      20_000,
      'the outcome being retried through the outage',
    );
    expect(slack.calls.some(withText('work 1 done'))).toBe(false);
    slack.recover();
    await slack.waitFor((c) => c.some(withText('work 1 details')), 20_000, 'the outcome after the outage');
    expect(runs.get('1')).toBe(1);
    // One message in the channel (the progress message could never be posted): the result.
    const top = slack.channels.get('C2QUIET') ?? [];
    expect(top.map((m) => m.text)).toEqual(['work 1 done']);
    expect(slack.threads.get(`C2QUIET/${String(top[0]?.ts)}`)?.map((m) => m.text)).toEqual([
      'work 1 details',
    ]);
  }, 30_000);

  it('a command answered while chat.* fails: progress and result go through its response_url', async () => {
    slack.outage(/^chat\./);
    try {
      await slash('work 2', 'w2');
      await slack.waitFor(
        (c) =>
          c.some((x) => x.method === 'response_url' && x.args.id === 'w2' && x.args.text === 'work 2 done'),
        20_000,
        'the result through response_url',
      );
      const answers = slack.of('response_url').filter((x) => x.args.id === 'w2');
      // First the queued message, then the result replacing it, then the thread's message.
      expect(answers[0]?.args).toMatchObject({ text: 'Work 2: queued', replace_original: false });
      expect(answers.find((x) => x.args.text === 'work 2 done')?.args.replace_original).toBe(true);
      await slack.waitFor(
        (c) => c.some((x) => x.method === 'response_url' && x.args.text === 'work 2 details'),
        20_000,
        'the thread message through response_url',
      );
      expect(runs.get('2')).toBe(1);
    } finally {
      slack.recover();
    }
  }, 30_000);

  it('rate limited (429 with Retry-After): the post waits as asked and lands once', async () => {
    slack.outage(/^chat\.postMessage$/, 429);
    await enqueueWork(app.jobs, '5', { kind: 'slack', channel: 'C4BUSY' }, 'limited-5');
    await slack.waitFor(
      (c) => c.filter((x) => x.method === 'chat.postMessage' && x.response?.status === 429).length >= 5,
      20_000,
      'rate-limited tries',
    );
    slack.recover();
    await slack.waitFor((c) => c.some(withText('work 5 details')), 20_000, 'the outcome');
    expect((slack.channels.get('C4BUSY') ?? []).map((m) => m.text)).toEqual(['work 5 done']);
    expect(runs.get('5')).toBe(1);
  }, 30_000);

  it('a post answered after the client’s timeout is found, not posted again: one progress message, edited to the result', async () => {
    slack.hold('chat.postMessage');
    await slash('work 3', 'w3');
    await slack.waitFor((c) => c.some(withText('work 3 details')), 20_000, 'the result');
    // One message in the channel: the progress message, edited to the result (the fake keeps edits).
    const top = slack.channels.get('C1OPS') ?? [];
    expect(top.map((m) => m.text)).toEqual(['work 3 done']);
    const posts = slack.of('chat.postMessage').filter((c) => String(c.args.text).startsWith('Work 3'));
    expect(posts).toHaveLength(1);
    expect(slack.of('chat.update').find(withText('work 3 done'))?.args.ts).toBe(top[0]?.ts);
    expect(slack.threads.get(`C1OPS/${String(top[0]?.ts)}`)?.map((m) => m.text)).toEqual(['work 3 details']);
    expect(slack.of('response_url').filter((x) => x.args.id === 'w3')).toEqual([]);
    expect(runs.get('3')).toBe(1);
    slack.releaseHeld();
  }, 30_000);
});

describe('Slack failing for longer than the messenger waits', () => {
  it('the finished job waits, without doing the work again, and posts its outcome once Slack is back', async () => {
    const prefix = uniquePrefix('slack-outage-long');
    const slack = await startFakeSlack();
    let app: (ShipmateApp & { baseUrl: string }) | undefined;
    try {
      app = await startApp(
        {
          SLACK_BOT_TOKEN: 'xoxb-test-token',
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          SHIPMATE_QUEUE_PREFIX: prefix,
        },
        { features: [feature], delivery: { ...DELIVERY, retry: { ...DELIVERY.retry, forMs: 100 } } },
      );
      slack.outage(/^chat\./);
      const { jobId } = await enqueueWork(app.jobs, '4', { kind: 'slack', channel: 'C3LONG' }, 'outage-4');
      const jobs = app.jobs;
      // The outcome is kept with the job, which waits (delayed, holding no worker) and tries again.
      const deadline = Date.now() + 20_000;
      const waiting = async () => {
        const job = await jobs.queue.getJob(jobId);
        return (
          (job?.data as JobEnvelope | undefined)?.outcome !== undefined &&
          (await job?.getState()) === 'delayed'
        );
      };
      let waited = false;
      while (!waited && Date.now() < deadline) {
        waited = await waiting();
        if (!waited) await new Promise((r) => setTimeout(r, 5));
      }
      expect(waited).toBe(true);
      const failedSoFar = slack.calls.filter(failed('chat.postMessage')).length;
      await slack.waitFor(
        (c) => c.filter(failed('chat.postMessage')).length >= failedSoFar + 3,
        20_000,
        'later tries of the saved outcome',
      );
      expect(slack.calls.some(withText('work 4 done'))).toBe(false);
      slack.recover();
      await slack.waitFor((c) => c.some(withText('work 4 details')), 20_000, 'the outcome after the outage');
      await jobs.waitForJobs([jobId], 10_000);
      expect(await (await jobs.queue.getJob(jobId))?.getState()).toBe('completed');
      expect(runs.get('4')).toBe(1);
      expect((slack.channels.get('C3LONG') ?? []).map((m) => m.text)).toEqual(['work 4 done']);
    } finally {
      slack.recover();
      await app?.stop();
      await slack.close();
      await cleanRedis(prefix);
    }
  }, 40_000);
});
