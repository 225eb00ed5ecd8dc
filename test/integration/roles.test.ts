import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { safeJobId } from '../../src/jobs/enqueue.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import type { OpsCommand } from '../../src/ops/command.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { eventCallback, postSigned, slashCommand } from '../support/slack-requests.ts';

const ran: string[] = [];
const workSpec = defineJobSpec({ name: 'test_work', payload: z.object({ ms: z.number() }) });
const workCommand = (jobs: Pick<ShipmateApp['jobs'], 'enqueue'>): OpsCommand => ({
  name: 'work',
  usage: '/ops work <ms>',
  summary: 'test job',
  async run(argv, ctx) {
    const r = await jobs.enqueue({
      spec: workSpec,
      payload: { ms: Number(argv[0] ?? 10) },
      jobId: safeJobId('work', ctx.invocationId),
      requestedBy: ctx.requester.userId,
      target: ctx.target,
      traceId: ctx.traceId,
      title: 'Work',
    });
    return { message: { text: `queued ${r.jobId}` }, visibility: 'ephemeral', jobIds: [r.jobId] };
  },
});
/** A capability that exists only in this test: one command, one job. */
const workFeature = defineFeature({
  name: 'test_work',
  needs: ['queue'],
  build: ({ queue }) => ({
    commands: [workCommand(queue)],
    jobs: [
      handle(workSpec, async (run) => {
        ran.push(run.id);
        await new Promise((r) => setTimeout(r, run.payload.ms));
        return { message: { text: `work ${run.id} done` } };
      }),
    ],
  }),
});

describe('roles, replicas and restarts against one Redis', () => {
  const prefix = uniquePrefix('roles');
  let slack: FakeSlack;
  const started: Array<ShipmateApp & { baseUrl: string }> = [];
  const env = (role: string) => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
    SHIPMATE_ROLE: role,
  });
  const start = async (role: string) => {
    const app = await startApp(env(role), {
      features: [workFeature],
    });
    started.push(app);
    return app;
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    for (const a of started) await a.stop();
    await slack.close();
    await cleanRedis(prefix);
  });

  it('a web replica queues, a separate worker runs it; the job waits in Redis while no worker runs', async () => {
    const web = await start('web');
    const ack = (
      await postSigned(web.baseUrl, slashCommand('work 10', { triggerId: 'trig-restart' }), SIGNING_SECRET)
    ).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    expect(await (await web.jobs.queue.getJob(jobId))?.getState()).toBe('waiting');
    // No worker runs, yet the person already sees the job's message, saying it is queued.
    const queued = slack.of('chat.postMessage').find((c) => String(c.args.text) === 'Work: queued');
    expect(JSON.stringify(queued?.args.blocks)).toContain(`/ops cancel ${jobId}`);
    await web.stop(); // the whole bot is down now

    const worker = await start('worker');
    expect((await fetch(`${worker.baseUrl}/healthz`)).status).toBe(200);
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && c.args.text === `work ${jobId} done`),
      10_000,
      'the job to finish',
    );
    expect(ran.filter((id) => id === jobId)).toHaveLength(1);
  });

  it('two web replicas given the same event (a Slack retry landing elsewhere) answer it once', async () => {
    const a = await start('web');
    const b = await start('web');
    const event = {
      type: 'app_mention',
      user: 'U1ALICE',
      text: '<@UBOT> help',
      ts: '1700000300.000100',
      channel: 'C1OPS',
      event_ts: '1700000300.000100',
    };
    const [ra, rb] = await Promise.all([
      postSigned(a.baseUrl, eventCallback(event, 'EvReplica1'), SIGNING_SECRET),
      postSigned(b.baseUrl, eventCallback(event, 'EvReplica1'), SIGNING_SECRET, {
        headers: { 'x-slack-retry-num': '1' },
      }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    // Events are acked before they are handled; wait for the answer rather than the job.
    // A worker (from the first test) answers; exactly one placeholder appears in the thread.
    await slack.waitFor(
      (calls) =>
        calls.some(
          (c) =>
            c.method === 'chat.update' && c.args.channel === 'C1OPS' && String(c.args.text).includes('help'),
        ),
      10_000,
      'answer',
    );
    expect(slack.of('chat.postMessage').filter((c) => c.args.thread_ts === '1700000300.000100')).toHaveLength(
      1,
    );
  });

  it('stop() drains: an active job finishes before the worker closes', async () => {
    const worker = started.find((s) => s.config.role === 'worker');
    const web = started.at(-1);
    if (!worker || !web) throw new Error('setup');
    const ack = (
      await postSigned(web.baseUrl, slashCommand('work 600', { triggerId: 'trig-drain' }), SIGNING_SECRET)
    ).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    const deadline = Date.now() + 5000;
    while (!ran.includes(jobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ran).toContain(jobId);
    await worker.stop();
    expect(slack.of('chat.update').some((c) => c.args.text === `work ${jobId} done`)).toBe(true);
  });
});
