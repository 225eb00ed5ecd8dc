import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { start as startFakeGitHub } from '../../sandbox/fake-github.ts';
import { type FakeKube, startFakeKube } from '../../sandbox/fake-kube.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../sandbox/fake-openai.ts';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { makeCluster } from '../../sandbox/kube-objects.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { createAuditLog } from '../../src/audit/audit.ts';
import { createGitHubPort } from '../../src/clients/github.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { safeJobId } from '../../src/jobs/enqueue.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import type { OpsCommand } from '../../src/ops/command.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { parseProm, type Sample, sampleSum } from '../support/prom-text.ts';
import { eventCallback, postSigned, slashCommand } from '../support/slack-requests.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** A job kind of this test only: `ok` completes, `broken` fails for good. */
const spec = defineJobSpec({ name: 'test_metered', payload: z.object({ mode: z.enum(['ok', 'broken']) }) });
const job = handle(spec, async (run) => {
  if (run.payload.mode === 'broken') throw new UnrecoverableError('the backend said no');
  return { message: { text: 'done' } };
});
const meteredCommand = (queue: Pick<ShipmateApp['jobs'], 'enqueue'>): OpsCommand => ({
  name: 'metered',
  usage: '/ops metered ok|broken',
  summary: 'test job',
  async run(argv, ctx) {
    const mode = z.enum(['ok', 'broken']).parse(argv[0]);
    const r = await queue.enqueue({
      spec,
      payload: { mode },
      jobId: safeJobId('metered', ctx.invocationId),
      requestedBy: ctx.requester.userId,
      target: ctx.target,
      traceId: ctx.traceId,
      title: `Metered ${mode}`,
    });
    return { message: { text: '' }, visibility: 'ephemeral', jobIds: [r.jobId] };
  },
});

async function scrape(
  baseUrl: string,
  token?: string,
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Polls the scrape until `ok` holds over its samples (prom-client is updated asynchronously by some callers). */
async function scrapeUntil(
  baseUrl: string,
  ok: (s: Sample[]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { samples } = parseProm((await scrape(baseUrl, METRICS_TOKEN)).text);
    if (ok(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /metrics', () => {
  const prefix = uniquePrefix('metrics');
  let slack: FakeSlack;
  let llm: FakeOpenAI;
  let kube: FakeKube;
  let app: ShipmateApp & { baseUrl: string };
  let worker: ShipmateApp & { baseUrl: string };

  beforeAll(async () => {
    [slack, llm, kube] = await Promise.all([
      startFakeSlack(),
      startFakeOpenAI(),
      startFakeKube({ objects: makeCluster({ pods: 12 }) }),
    ]);
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
      OPENAI_API_KEY: 'sk-test-key-for-the-fake-server',
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_MODEL: 'gpt-test',
      KUBECONFIG: kube.kubeconfigPath,
      METRICS_TOKEN,
    };
    const features = [
      defineFeature({
        name: 'test_metered',
        needs: ['queue'],
        build: ({ queue }) => ({ commands: [meteredCommand(queue)], jobs: [job] }),
      }),
    ];
    app = await startApp({ ...env, SHIPMATE_ROLE: 'web' }, { features });
    worker = await startApp({ ...env, SHIPMATE_ROLE: 'worker', METRICS_TOKEN: '' }, { features });
  });
  afterAll(async () => {
    await app?.stop();
    await worker?.stop();
    await Promise.all([slack?.close(), llm?.close(), kube?.close()]);
    await cleanRedis(prefix);
  });

  it('answers 401 without the bearer token, or with a wrong one, and shows nothing', async () => {
    for (const token of [undefined, 'wrong-token-0123456789abcdef', `${METRICS_TOKEN}x`]) {
      const r = await scrape(app.baseUrl, token);
      expect(r.status).toBe(401);
      expect(r.text).not.toContain('shipmate_');
    }
    const basic = await fetch(`${app.baseUrl}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
  });

  it('serves Prometheus text with the Node process defaults, on the web and the worker role', async () => {
    const web = await scrape(app.baseUrl, METRICS_TOKEN);
    expect(web.status).toBe(200);
    expect(web.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseProm(web.text);
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('shipmate_slack_ack_seconds')).toBe('histogram');
    expect(sampleSum(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No METRICS_TOKEN on the worker: open.
    const w = await scrape(worker.baseUrl);
    expect(w.status).toBe(200);
    expect(parseProm(w.text).types.get('shipmate_jobs_total')).toBe('counter');
  });

  it('counts Slack requests by kind with their ack latency, never with the text as a label', async () => {
    const secret = 'Zebra-Quokka-4711';
    for (const text of ['help', `frobnicate ${secret}`]) {
      expect((await postSigned(app.baseUrl, slashCommand(text), SIGNING_SECRET)).status).toBe(200);
    }
    const ev = eventCallback({ type: 'reaction_added', user: 'U1ALICE', reaction: secret }, 'EvMetrics1');
    expect((await postSigned(app.baseUrl, ev, SIGNING_SECRET)).status).toBe(200);
    const samples = await scrapeUntil(
      app.baseUrl,
      (s) => sampleSum(s, 'shipmate_slack_requests_total', { kind: 'event' }) >= 1,
      'the event',
    );
    expect(sampleSum(samples, 'shipmate_slack_requests_total', { kind: 'command' })).toBe(2);
    expect(sampleSum(samples, 'shipmate_slack_ack_seconds_count', { kind: 'command' })).toBe(2);
    expect(sampleSum(samples, 'shipmate_slack_ack_seconds_count', { kind: 'event' })).toBe(1);
    // Every ack was well inside Slack's 3 s: the +Inf bucket equals the 3 s one.
    expect(sampleSum(samples, 'shipmate_slack_ack_seconds_bucket', { kind: 'command', le: '3' })).toBe(2);
    const text = (await scrape(app.baseUrl, METRICS_TOKEN)).text;
    expect(text).not.toContain(secret);
    expect(text).not.toContain('frobnicate');
  });

  it('counts jobs by kind and outcome with duration and queue wait, and the queue depth by state', async () => {
    for (const mode of ['ok', 'broken', 'ok']) {
      expect((await postSigned(app.baseUrl, slashCommand(`metered ${mode}`), SIGNING_SECRET)).status).toBe(
        200,
      );
    }
    const samples = await scrapeUntil(
      worker.baseUrl,
      (s) => sampleSum(s, 'shipmate_jobs_total', { kind: 'test_metered' }) >= 3,
      'three jobs',
    );
    expect(sampleSum(samples, 'shipmate_jobs_total', { kind: 'test_metered', outcome: 'completed' })).toBe(2);
    expect(sampleSum(samples, 'shipmate_jobs_total', { kind: 'test_metered', outcome: 'failed' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_job_duration_seconds_count', { kind: 'test_metered' })).toBe(3);
    expect(sampleSum(samples, 'shipmate_job_wait_seconds_count', { kind: 'test_metered' })).toBe(3);
    // The gauge is read from Redis at scrape time — on any role, here the web one.
    const counts = await app.jobs.queue.getJobCounts('completed', 'failed');
    const web = parseProm((await scrape(app.baseUrl, METRICS_TOKEN)).text).samples;
    expect(sampleSum(web, 'shipmate_queue_jobs', { state: 'completed' })).toBe(counts.completed);
    expect(sampleSum(web, 'shipmate_queue_jobs', { state: 'failed' })).toBe(counts.failed);
    expect(counts.failed).toBeGreaterThanOrEqual(1);
    // The progress messages were Slack Web API calls, timed by method: every one the fake received
    // was counted by the role that made it.
    const calls = (x: Sample[], operation: string) =>
      sampleSum(x, 'shipmate_external_call_seconds_count', { service: 'slack', operation });
    for (const method of ['chat.postMessage', 'chat.update']) {
      expect(calls(samples, method) + calls(web, method)).toBe(slack.of(method).length);
    }
    expect(slack.of('chat.update').length).toBeGreaterThanOrEqual(3);
  });

  it('times Kubernetes and LLM calls by outcome and counts tokens by model and kind', async () => {
    llm.script([{ toolCalls: [{ name: 'cluster_status', args: {} }] }, { content: 'All 12 pods are fine.' }]);
    const ts = (Date.now() / 1000).toFixed(6);
    const mention = eventCallback(
      { type: 'app_mention', user: 'U1ALICE', text: '<@UBOT> how is the cluster?', ts, channel: 'C1OPS' },
      'EvMetrics2',
    );
    slack.threads.set(`C1OPS/${ts}`, [{ ts, user: 'U1ALICE', text: '<@UBOT> how is the cluster?' }]);
    expect((await postSigned(app.baseUrl, mention, SIGNING_SECRET)).status).toBe(200);
    const samples = await scrapeUntil(
      worker.baseUrl,
      (s) =>
        sampleSum(s, 'shipmate_external_call_seconds_count', { service: 'llm' }) >= 2 &&
        sampleSum(s, 'shipmate_llm_tokens_total', { kind: 'completion' }) > 0 &&
        sampleSum(s, 'shipmate_jobs_total', { kind: 'agent_turn' }) >= 1,
      'the agent turn',
    );
    expect(llm.requests).toHaveLength(2);
    expect(
      sampleSum(samples, 'shipmate_external_call_seconds_count', { service: 'llm', outcome: 'ok' }),
    ).toBe(2);
    // The fake reports ceil(prompt chars / 4) prompt tokens per request.
    const prompt = llm.requests.reduce((a, r) => a + Math.ceil(r.chars / 4), 0);
    expect(sampleSum(samples, 'shipmate_llm_tokens_total', { model: 'gpt-test', kind: 'prompt' })).toBe(
      prompt,
    );
    expect(
      sampleSum(samples, 'shipmate_external_call_seconds_count', { service: 'kubernetes', outcome: 'ok' }),
    ).toBe(kube.requests.length);
    expect(
      sampleSum(samples, 'shipmate_external_call_seconds_count', {
        service: 'kubernetes',
        operation: 'list pods',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('the metrics API', () => {
  const prefix = uniquePrefix('metrics-audit');
  afterAll(() => cleanRedis(prefix));

  it('counts approvals and deploys from the audit log, and digests only by configured id', async () => {
    const metrics = createMetrics({ digestIds: ['morning'], processMetrics: false });
    const { Redis } = await import('ioredis');
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const { pino } = await import('pino');
    const audit = createAuditLog({
      redis,
      prefix,
      retentionMs: 60_000,
      log: pino({ level: 'silent' }),
      metrics,
    });
    try {
      const base = { actor: 'U1', service: 'checkout', environment: 'prod', traceId: 't' };
      for (const type of ['requested', 'approved', 'approved', 'rejected', 'expired', 'started'] as const)
        await audit.record({ ...base, type, kind: 'deploy' });
      await audit.record({ ...base, type: 'succeeded', kind: 'deploy' });
      await audit.record({ ...base, type: 'failed', kind: 'rollback' });
      await audit.record({ ...base, type: 'succeeded', kind: 'rerun' });
    } finally {
      redis.disconnect();
    }
    metrics.digest('morning', 'posted');
    metrics.digest('morning', 'failed');
    metrics.digest('user typed this', 'posted');
    const { samples } = parseProm(await metrics.registry.metrics());
    expect(sampleSum(samples, 'shipmate_approvals_total', { outcome: 'approved' })).toBe(2);
    expect(sampleSum(samples, 'shipmate_approvals_total', { outcome: 'rejected' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_approvals_total', { outcome: 'expired' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_deploys_total', { kind: 'deploy', outcome: 'succeeded' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_deploys_total', { kind: 'rollback', outcome: 'failed' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_deploys_total')).toBe(2);
    expect(sampleSum(samples, 'shipmate_digests_total', { digest: 'morning', outcome: 'posted' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_digests_total', { digest: 'morning', outcome: 'failed' })).toBe(1);
    expect(sampleSum(samples, 'shipmate_digests_total', { digest: 'other', outcome: 'posted' })).toBe(1);
    expect(samples.some((s) => Object.values(s.labels).includes('user typed this'))).toBe(false);
  });

  it('times GitHub calls by route template and outcome, never by repository', async () => {
    const token = 'ghp_fakeTestToken000000000000000000000000';
    const fake = await startFakeGitHub({
      repos: [{ owner: 'acme', name: 'shop', defaultBranch: 'main', installationId: 1, runs: [] }],
      tokens: [token],
    });
    try {
      const metrics = createMetrics({ processMetrics: false });
      const gh = createGitHubPort({ baseUrl: fake.url, token, retries: 0, metrics });
      await gh.listWorkflowRuns({
        owner: 'acme',
        repo: 'shop',
        branch: 'main',
        status: 'failure',
        perPage: 5,
      });
      await gh
        .listWorkflowRuns({ owner: 'acme', repo: 'nope', branch: 'main', perPage: 5 })
        .catch(() => undefined);
      const text = await metrics.registry.metrics();
      const { samples } = parseProm(text);
      const route = 'GET /repos/{owner}/{repo}/actions/runs';
      expect(
        sampleSum(samples, 'shipmate_external_call_seconds_count', {
          service: 'github',
          operation: route,
          outcome: 'ok',
        }),
      ).toBe(1);
      expect(
        sampleSum(samples, 'shipmate_external_call_seconds_count', { service: 'github', outcome: 'error' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sampleSum(samples, 'shipmate_external_call_seconds_count', { service: 'github' })).toBe(
        fake.requests.length,
      );
      expect(text).not.toMatch(/acme|shop|nope/);
    } finally {
      await fake.close();
    }
  });
});
