import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { AppError } from '../../src/errors.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { safeJobId } from '../../src/jobs/enqueue.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import type { OpsCommand } from '../../src/ops/command.ts';
import { captureLog, cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import {
  blockAction,
  eventCallback,
  postSigned,
  signSlack,
  slashCommand,
} from '../support/slack-requests.ts';

/**
 * A job kind that exists only in this test: it reports steps, can wait for cancellation, and can
 * fail transiently or permanently — so the runtime's progress, cancel and retry paths run for real.
 */
const released = new Set<string>();
let transientFailures = 0;
const slowSpec = defineJobSpec({
  name: 'test_slow',
  payload: z.object({ mode: z.enum(['steps', 'hang', 'flaky', 'broken']) }),
  attempts: 3,
});
const slowJob = handle(slowSpec, async (run) => {
  if (run.payload.mode === 'steps') {
    for (let i = 1; i <= 3; i++) {
      run.progress(`step ${i} of 3`);
      await new Promise((r) => setTimeout(r, 120));
    }
    return { message: { text: 'all 3 steps done' }, thread: [{ text: 'details in the thread' }] };
  }
  if (run.payload.mode === 'hang') {
    run.progress('waiting to be cancelled');
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (!released.has(run.id)) return;
        clearInterval(t);
        resolve();
      }, 20);
      const onAbort = () => {
        clearInterval(t);
        reject(run.signal.reason);
      };
      run.signal.addEventListener('abort', onAbort, { once: true });
    });
    return { message: { text: 'released' } };
  }
  if (run.payload.mode === 'flaky' && transientFailures++ < 1) {
    throw new AppError({ code: 'http_503', userMessage: 'upstream 503', retryable: true });
  }
  if (run.payload.mode === 'broken') throw new UnrecoverableError('the backend said no');
  return { message: { text: 'flaky job recovered' } };
});

const slowCommand = (jobs: Pick<ShipmateApp['jobs'], 'enqueue'>): OpsCommand => ({
  name: 'slow',
  usage: '/ops slow steps|hang|flaky|broken',
  summary: 'test job',
  async run(argv, ctx) {
    const mode = z.enum(['steps', 'hang', 'flaky', 'broken']).parse(argv[0]);
    const r = await jobs.enqueue({
      spec: slowSpec,
      payload: { mode },
      jobId: safeJobId('slow', ctx.invocationId),
      requestedBy: ctx.requester.userId,
      target: ctx.target,
      traceId: ctx.traceId,
      title: `Slow ${mode}`,
    });
    return { message: { text: `queued ${r.jobId}` }, visibility: 'ephemeral', jobIds: [r.jobId] };
  },
});

describe('Slack over HTTP', () => {
  const prefix = uniquePrefix('slack-http');
  let slack: FakeSlack;
  let app: ShipmateApp & { baseUrl: string };
  const captured = captureLog();

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startApp(
      {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SHIPMATE_QUEUE_PREFIX: prefix,
      },
      {
        log: captured.log,
        features: [
          defineFeature({
            name: 'test_slow',
            needs: ['queue'],
            build: ({ queue }) => ({ commands: [slowCommand(queue)], jobs: [slowJob] }),
          }),
        ],
      },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await cleanRedis(prefix);
  });

  const post = (req: Parameters<typeof postSigned>[1], o?: Parameters<typeof postSigned>[3]) =>
    postSigned(app.baseUrl, req, SIGNING_SECRET, o);

  it('acks /ops help with an ephemeral list of subcommands', async () => {
    const res = await post(slashCommand('help'));
    expect(res.status).toBe(200);
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/ops cancel <job-id>');
    expect(body.text).toContain('/ops help');
  });

  it('answers an unknown subcommand with a suggestion and help', async () => {
    const body = (await post(slashCommand('hepl'))).json() as { text: string };
    expect(body.text).toContain('Unknown subcommand `hepl`');
    expect(body.text).toContain('Did you mean `/ops help`');
  });

  it('never posts a live crowd ping quoted from the command, in blocks or fallback text', async () => {
    const body = (await post(slashCommand('<!channel> --cluster <!here>'))).json() as Record<string, unknown>;
    const all = JSON.stringify(body);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toMatch(/<!(channel|here)/);
  });

  it('rejects a forged signature and a request older than 5 minutes with 401', async () => {
    const forged = await post(slashCommand('help'), { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const old = await post(slashCommand('help'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(old.status).toBe(401);
  });

  it('rejects a signed request dated more than 5 minutes in the future with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const ahead of [400, 86_400]) {
      const res = await post(slashCommand('help'), { timestamp: now + ahead });
      expect(res.status).toBe(401);
    }
    // Inside the window both ways is fine (clocks drift).
    expect((await post(slashCommand('help'), { timestamp: now + 60 })).status).toBe(200);
  });

  /**
   * Sends the headers and a first piece of a body, never the rest: a server that waits to read the
   * whole body before answering never answers, and the test fails on its deadline.
   */
  const answerBeforeBody = (headers: Record<string, string>, declared?: number) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${app.baseUrl}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(declared === undefined ? {} : { 'content-length': String(declared) }),
          ...headers,
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
      req.write(`payload=${'x'.repeat(64 * 1024)}`);
    });

  it('refuses a Slack body over the cap (413) from its declared length, without reading it', async () => {
    const signed = signSlack('x', SIGNING_SECRET);
    expect(await answerBeforeBody(signed, 3_900_000)).toBe(413);
    expect(await answerBeforeBody(signed, 300 * 1024)).toBe(413);
  });

  it('refuses an unsigned or wrongly dated body (401) before reading it', async () => {
    expect(await answerBeforeBody({}, 200 * 1024)).toBe(401);
    expect(await answerBeforeBody({})).toBe(401);
    const stale = signSlack('x', SIGNING_SECRET, Math.floor(Date.now() / 1000) - 3600);
    expect(await answerBeforeBody(stale, 200 * 1024)).toBe(401);
  });

  it('reads a chunked body only up to the cap, then refuses it (413)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.baseUrl}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlack('x', SIGNING_SECRET) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
      // 320 KB in 64 KB chunks, never ended.
      for (let i = 0; i < 5; i++) req.write(`${'x'.repeat(64 * 1024)}`);
    });
    expect(status).toBe(413);
  });

  it('echoes the url_verification challenge', async () => {
    const res = await post({
      body: JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }),
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('abc123');
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ redis: 'ok' });
  });

  it('answers a mention once in its thread, even when Slack retries the event', async () => {
    const event = {
      type: 'app_mention',
      user: 'U1ALICE',
      text: '<@UBOT> how do I cancel a job?',
      ts: '1700000100.000100',
      channel: 'C1OPS',
      event_ts: '1700000100.000100',
    };
    const first = await post(eventCallback(event, 'Ev0001'));
    expect(first.status).toBe(200);
    const retry = await post(eventCallback(event, 'Ev0001'), {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    const isReply = (c: { args: Record<string, unknown> }) => c.args.thread_ts === '1700000100.000100';
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && String(c.args.text).includes('/ops cancel')),
      10_000,
      'the final answer',
    );
    expect(slack.of('chat.postMessage').filter(isReply)).toHaveLength(1);
    const finals = slack
      .of('chat.update')
      .filter((c) => String(c.args.text).includes('This command should help'));
    expect(finals).toHaveLength(1);
  });

  it('ignores its own messages and other bots in DMs', async () => {
    const before = slack.of('chat.postMessage').length;
    await post(
      eventCallback(
        {
          type: 'message',
          channel_type: 'im',
          channel: 'D1',
          user: 'UBOT',
          text: 'hi',
          ts: '1700000200.000100',
        },
        'Ev0002',
      ),
    );
    await post(
      eventCallback(
        {
          type: 'message',
          channel_type: 'im',
          channel: 'D1',
          bot_id: 'B9',
          user: 'U9',
          text: 'hi',
          ts: '1700000201.000100',
        },
        'Ev0003',
      ),
    );
    // A real DM after them is answered, and is the only new message: proves the two above were dropped, not slow.
    await post(
      eventCallback(
        {
          type: 'message',
          channel_type: 'im',
          channel: 'D1',
          user: 'U1ALICE',
          text: 'help',
          ts: '1700000202.000100',
        },
        'Ev0004',
      ),
    );
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && c.args.channel === 'D1'),
      10_000,
      'DM answer',
    );
    const newPosts = slack.of('chat.postMessage').slice(before);
    expect(newPosts.map((c) => c.args.thread_ts)).toEqual(['1700000202.000100']);
  });

  it('creates one progress message, edits it, finishes it with the result and posts details in its thread', async () => {
    const ack = (await post(slashCommand('slow steps', { triggerId: 'trig-steps' }))).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && c.args.text === 'all 3 steps done'),
      10_000,
      'final edit',
    );
    const posts = slack.of('chat.postMessage').filter((c) => String(c.args.text).startsWith('Slow steps'));
    expect(posts).toHaveLength(1);
    const ts = slack.calls.find(
      (c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Slow steps'),
    );
    const edits = slack
      .of('chat.update')
      .filter((c) => String(c.args.text).startsWith('Slow steps') || c.args.text === 'all 3 steps done');
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.some((c) => /Slow steps: step [123] of 3/.test(String(c.args.text)))).toBe(true);
    expect(edits.at(-1)?.args.text).toBe('all 3 steps done');
    expect(JSON.stringify(ts?.args.blocks)).toContain(`/ops cancel ${jobId}`);
    await slack.waitFor(
      (calls) =>
        calls.some((c) => c.method === 'chat.postMessage' && c.args.text === 'details in the thread'),
      5000,
      'thread reply',
    );
  });

  it('the same slash invocation twice queues one job', async () => {
    const a = (await post(slashCommand('slow steps', { triggerId: 'trig-dup' }))).json() as { text: string };
    const b = (await post(slashCommand('slow steps', { triggerId: 'trig-dup' }))).json() as { text: string };
    expect(a.text).toBe(b.text);
    const id = a.text.replace('queued ', '');
    await app.jobs.waitForJobs([id], 10_000);
    const titled = slack
      .of('chat.postMessage')
      .filter((c) => JSON.stringify(c.args.blocks ?? '').includes(`job \`${id}\``));
    expect(titled).toHaveLength(1);
  });

  it('Cancel by someone else is refused; Cancel by the requester stops the job and says so', async () => {
    const ack = (await post(slashCommand('slow hang', { triggerId: 'trig-hang' }))).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    await slack.waitFor(
      (calls) =>
        calls.some((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Slow hang')),
      10_000,
      'progress message',
    );
    const responseUrl = `${slack.apiUrl.replace('/api/', '')}/response/cancel-bob`;
    const bob = await post(
      blockAction({ actionId: 'job_cancel', value: `/ops cancel ${jobId}`, user: 'U2BOB', responseUrl }),
    );
    expect(bob.status).toBe(200);
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'response_url' && c.args.id === 'cancel-bob'),
      5000,
      'refusal',
    );
    expect(String(slack.of('response_url').find((c) => c.args.id === 'cancel-bob')?.args.text)).toContain(
      'Only <@U1ALICE>',
    );
    expect((await app.jobs.queue.getJob(jobId))?.finishedOn).toBeUndefined();

    const alice = await post(
      blockAction({ actionId: 'job_cancel', value: `/ops cancel ${jobId}`, user: 'U1ALICE' }),
    );
    expect(alice.status).toBe(200);
    await slack.waitFor(
      (calls) =>
        calls.some(
          (c) => c.method === 'chat.update' && String(c.args.text).includes('cancelled by <@U1ALICE>'),
        ),
      10_000,
      'cancelled message',
    );
    const job = await app.jobs.queue.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsStarted).toBe(1); // a cancelled job is not retried
    released.add(jobId);
  });

  it('retries a transient failure and edits the same message to the result', async () => {
    const ack = (await post(slashCommand('slow flaky', { triggerId: 'trig-flaky' }))).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && c.args.text === 'flaky job recovered'),
      15_000,
      'recovery',
    );
    const posts = slack
      .of('chat.postMessage')
      .filter((c) => JSON.stringify(c.args.blocks ?? '').includes(jobId));
    expect(posts).toHaveLength(1);
    expect((await app.jobs.queue.getJob(jobId))?.attemptsStarted).toBe(2);
  });

  it('ends a permanent failure with a reference id that the log carries with the cause', async () => {
    const ack = (await post(slashCommand('slow broken', { triggerId: 'trig-broken' }))).json() as {
      text: string;
    };
    const jobId = ack.text.replace('queued ', '');
    await slack.waitFor(
      (calls) =>
        calls.some((c) => c.method === 'chat.update' && String(c.args.text).includes('Slow broken failed')),
      10_000,
      'failure message',
    );
    const text = String(
      slack.of('chat.update').find((c) => String(c.args.text).includes('Slow broken failed'))?.args.text,
    );
    const ref = /ref ([0-9A-F]{8})/.exec(text)?.[1];
    expect(ref).toBeDefined();
    const line = captured.lines.find((l) => l.ref === ref);
    expect(line).toMatchObject({ jobId, msg: 'job failed' });
    expect(JSON.stringify(line)).toContain('the backend said no');
    expect((await app.jobs.queue.getJob(jobId))?.attemptsStarted).toBe(1); // permanent: not retried
  });

  it('falls back to response_url when the bot is not in the channel', async () => {
    slack.failNext('chat.postMessage', 'not_in_channel');
    const responseUrl = `${slack.apiUrl.replace('/api/', '')}/response/no-channel`;
    await post(slashCommand('slow steps', { triggerId: 'trig-nochan', responseUrl }));
    await slack.waitFor(
      (calls) =>
        calls.some(
          (c) =>
            c.method === 'response_url' && c.args.id === 'no-channel' && c.args.text === 'all 3 steps done',
        ),
      10_000,
      'result through response_url',
    );
    const viaUrl = slack.of('response_url').filter((c) => c.args.id === 'no-channel');
    expect(viaUrl[0]?.args.replace_original).toBe(false);
    expect(viaUrl.at(-1)?.args.replace_original).toBe(true);
  });
});
