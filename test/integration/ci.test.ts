/**
 * CI triage through the whole app: signed Slack requests and GitHub webhook deliveries into the real
 * HTTP receiver, BullMQ on Redis, and Slack, GitHub and OpenAI as loopback fakes driven by the real SDKs.
 */

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, type FakeJob, start as startFakeGitHub } from '../../sandbox/fake-github.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../sandbox/fake-openai.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { triageJobId } from '../../tools/shared/ci/workflow-run.ts';
import {
  captureLog,
  cleanRedis,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { postGitHubWebhook, signGitHub, workflowRunEvent } from '../support/github-webhooks.ts';
import { blockAction, postSigned, slashCommand } from '../support/slack-requests.ts';

const FIX = join(import.meta.dirname, '../fixtures/gha-logs');
const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
const GH_TOKEN_IN_LOG = `ghp_${'Zy9Xw8Vu7T'.repeat(3)}abcdef`;
const NPM_TOKEN_IN_LOG = `npm_${'Q1w2E3r4T5'.repeat(3)}y6U7i8`;
/** A line of the log far from the failure: it must never reach the LLM. */
const OUTSIDE_LINE = 'payment provider unavailable (expected in this test)';
const EXPLANATION =
  'The test "Cart › adds an item" expects 2 items but the cart holds 1. Check that cart.add() increments the count. Run the test locally to confirm.';

/**
 * The Jest fixture, with an unmasked token in the checkout step (outside the excerpt) and another one
 * right inside the failure (in the excerpt, so it must be redacted there).
 */
function jestLogWithSecrets(): string {
  const lines = readFileSync(join(FIX, 'jest.txt'), 'utf8').split('\n');
  const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
  const token = at('  token: ***');
  lines[token] = (lines[token] as string).replace('***', GH_TOKEN_IN_LOG);
  const received = at('    Received: 1');
  lines.splice(
    received + 1,
    0,
    `2025-01-14T09:30:16.7000000Z     (debug) registry auth NPM_TOKEN=${NPM_TOKEN_IN_LOG}`,
  );
  return lines.join('\n');
}

const steps = (failing: string) => [
  { name: 'Set up job', conclusion: 'success' as const },
  { name: 'Run actions/checkout@v4', conclusion: 'success' as const },
  { name: 'Run actions/setup-node@v4', conclusion: 'success' as const },
  { name: 'Run npm ci', conclusion: 'success' as const },
  { name: failing, conclusion: 'failure' as const },
  { name: 'Complete job', conclusion: 'success' as const },
];

const jestJob = (id: number): FakeJob => ({
  id,
  name: 'test',
  conclusion: 'failure',
  steps: steps('Run npm test'),
  log: jestLogWithSecrets(),
});
const tscJob = (id: number): FakeJob => ({
  id,
  name: 'typecheck',
  conclusion: 'failure',
  steps: steps('Run npx tsc -p . --noEmit'),
  log: readFileSync(join(FIX, 'tsc.txt'), 'utf8'),
});

const TEAM = `
services:
  checkout:
    repo: acme/shop
    environments:
      prod:
        namespace: prod
        deployment: checkout
        deployers: [U1ALICE]
ci:
  channels:
    acme/shop: C2CI
admins: [U9ADMIN]
`;

const blocksOf = (c: SlackCall) => JSON.stringify(c.args.blocks ?? []);
const hasRerunButton = (c: SlackCall, runId: number) => blocksOf(c).includes(`/ops rerun acme/shop ${runId}`);

describe('CI triage', () => {
  const prefix = uniquePrefix('ci');
  let slack: FakeSlack;
  let github: FakeGitHub;
  let llm: FakeOpenAI;
  let app: ShipmateApp & { baseUrl: string };
  const captured = captureLog();
  /** ts of the first automatic triage message in C2CI. */
  let firstTs = '';
  let firstDelivery = '';

  beforeAll(async () => {
    [slack, llm, github] = await Promise.all([
      startFakeSlack(),
      startFakeOpenAI(),
      startFakeGitHub({
        repos: [
          {
            owner: 'acme',
            name: 'shop',
            defaultBranch: 'main',
            runs: [
              { id: 501, headBranch: 'main', conclusion: 'failure', jobs: [jestJob(5011)] },
              { id: 502, headBranch: 'main', conclusion: 'failure', jobs: [jestJob(5021)] },
              { id: 503, headBranch: 'main', conclusion: 'failure', jobs: [tscJob(5031)] },
              { id: 504, headBranch: 'main', conclusion: 'failure', jobs: [tscJob(5041)] },
            ],
          },
        ],
      }),
    ]);
    app = await startApp(
      {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_CONFIG: teamFile(TEAM),
        GITHUB_TOKEN: 'ghp_fakeTestToken000000000000000000000000',
        GITHUB_API_URL: github.url,
        GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        OPENAI_API_KEY: 'sk-test-key-for-the-fake-server',
        OPENAI_BASE_URL: llm.baseUrl,
        OPENAI_MODEL: 'gpt-test',
      },
      { log: captured.log },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), llm?.close(), github?.close()]);
    await cleanRedis(prefix);
  });

  const webhook = (body: string, o: Partial<Parameters<typeof postGitHubWebhook>[2]> = {}) =>
    postGitHubWebhook(app.baseUrl, body, { secret: WEBHOOK_SECRET, ...o });

  /** Runs `/ops triage acme/shop <run>` from C1OPS and resolves with the final edit of its message. */
  async function triageCommand(runId: number): Promise<SlackCall> {
    const res = await postSigned(app.baseUrl, slashCommand(`triage acme/shop ${runId}`), SIGNING_SECRET);
    expect(res.status).toBe(200);
    const final = () =>
      slack.of('chat.update').find((c) => c.args.channel === 'C1OPS' && hasRerunButton(c, runId));
    await slack.waitFor(() => final() !== undefined, 15_000, `the triage of run ${runId}`);
    return final() as SlackCall;
  }

  it('/ops triage posts the excerpt, an LLM explanation labelled as generated, and the Re-run button', async () => {
    llm.script([{ content: EXPLANATION }]);
    const final = await triageCommand(501);
    const blocks = blocksOf(final);
    expect(blocks).toContain('CI failure: acme/shop');
    expect(blocks).toContain('Expected: 2');
    expect(blocks).toContain('Received: 1');
    expect(blocks).toContain('Cart › adds an item');
    expect(blocks).toContain('cart.add() increments the count');
    expect(blocks).toContain('Generated by gpt-test — check before acting');
    const list = final.args.blocks as Array<{
      type: string;
      elements?: Array<{ action_id?: string; value?: string }>;
    }>;
    const last = list.at(-1);
    expect(last?.type).toBe('actions');
    expect(last?.elements?.[0]).toMatchObject({ action_id: 'ci_rerun', value: '/ops rerun acme/shop 501' });
    // The explanation sits above the buttons.
    expect(list.findIndex((b) => JSON.stringify(b).includes('Generated by'))).toBe(list.length - 2);
    for (const secret of [GH_TOKEN_IN_LOG, NPM_TOKEN_IN_LOG])
      expect(JSON.stringify(slack.calls)).not.toContain(secret);

    // The model got the excerpt and job metadata only: no line from outside the excerpt, no secret.
    expect(llm.requests).toHaveLength(1);
    const sent = JSON.stringify(llm.requests[0]?.body);
    expect(sent).toContain('Expected: 2');
    expect(sent).toContain('Failed step: Run npm test');
    expect(sent).toContain('(debug) registry auth NPM_TOKEN=[REDACTED]');
    expect(sent).not.toContain(OUTSIDE_LINE);
    expect(sent).not.toContain('Download action repository');
    expect(sent).not.toContain(GH_TOKEN_IN_LOG);
    expect(sent).not.toContain(NPM_TOKEN_IN_LOG);
    expect(sent).not.toContain('NPM_TOKEN=npm_');
  });

  it('/ops triage still posts the triage when the LLM is down', async () => {
    llm.requests.length = 0;
    llm.script([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const final = await triageCommand(503);
    const blocks = blocksOf(final);
    expect(blocks).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(blocks).not.toContain('Generated by');
    expect(llm.requests.length).toBeGreaterThan(0);
    expect(
      captured.lines.some((l) => l.level === 40 && String(l.msg).includes('CI failure explanation failed')),
    ).toBe(true);
  });

  it('triages a signed workflow_run delivery into the mapped channel', async () => {
    llm.requests.length = 0;
    llm.script([{ content: EXPLANATION }]);
    firstDelivery = 'delivery-501-1';
    const res = await webhook(workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 501 }), {
      deliveryId: firstDelivery,
    });
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({
      jobId: triageJobId({ owner: 'acme', repo: 'shop', runId: 501 }),
      created: true,
    });
    const posted = () =>
      slack.of('chat.postMessage').find((c) => c.args.channel === 'C2CI' && hasRerunButton(c, 501));
    await slack.waitFor(() => posted() !== undefined, 15_000, 'the automatic triage');
    const msg = posted() as SlackCall;
    expect(msg.args.thread_ts).toBeUndefined();
    expect(blocksOf(msg)).toContain('Expected: 2');
    expect(blocksOf(msg)).toContain('Generated by gpt-test — check before acting');
    expect(JSON.stringify(msg.args)).not.toContain(GH_TOKEN_IN_LOG);
    // No progress message: nobody asked in that channel.
    expect(slack.of('chat.postMessage').filter((c) => c.args.channel === 'C2CI')).toHaveLength(1);
    firstTs = String(msg.response?.ts);
  });

  it('adds the same failure in another run to the first message’s thread', async () => {
    const llmCalls = llm.requests.length;
    const res = await webhook(workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 502 }));
    expect(res.status).toBe(202);
    const reply = () =>
      slack.of('chat.postMessage').find((c) => c.args.channel === 'C2CI' && hasRerunButton(c, 502));
    await slack.waitFor(() => reply() !== undefined, 15_000, 'the repeat in the thread');
    const msg = reply() as SlackCall;
    expect(msg.args.thread_ts).toBe(firstTs);
    expect(String(msg.args.text)).toContain('Same failure again: run #502');
    expect(
      slack.of('chat.postMessage').filter((c) => c.args.channel === 'C2CI' && !c.args.thread_ts),
    ).toHaveLength(1);
    // A repeat is not explained again.
    expect(llm.requests.length).toBe(llmCalls);
  });

  it('treats a redelivered delivery as a no-op', async () => {
    const jobsListed = github.requestsTo('/repos/acme/shop/actions/runs/501/jobs').length;
    const res = await webhook(workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 501 }), {
      deliveryId: firstDelivery,
    });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ created: false });
    expect(github.requestsTo('/repos/acme/shop/actions/runs/501/jobs')).toHaveLength(jobsListed);
    expect(
      slack.of('chat.postMessage').filter((c) => c.args.channel === 'C2CI' && hasRerunButton(c, 501)),
    ).toHaveLength(1);
  });

  it('refuses a delivery with a bad or missing signature with 401 and queues nothing', async () => {
    const body = workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 504 });
    const forged = await webhook(body, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const unsigned = await webhook(body, { signature: null });
    expect(unsigned.status).toBe(401);
    const malformed = await webhook(body, { signature: 'sha1=abc' });
    expect(malformed.status).toBe(401);
    // Signed for another body: the signature covers the bytes received.
    const tampered = await webhook(body, {
      signature: signGitHub(body.replace('504', '503'), WEBHOOK_SECRET),
    });
    expect(tampered.status).toBe(401);
    expect(
      await app.jobs.queue.getJob(triageJobId({ owner: 'acme', repo: 'shop', runId: 504 })),
    ).toBeUndefined();
    expect(github.requestsTo('/repos/acme/shop/actions/runs/504')).toHaveLength(0);
  });

  it('answers 204 to other events, runs that did not fail and unmapped repositories', async () => {
    expect(
      (await webhook('{"zen":"Keep it logically awesome.","hook_id":1}', { event: 'ping' })).status,
    ).toBe(204);
    const passed = workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 504, conclusion: 'success' });
    expect((await webhook(passed)).status).toBe(204);
    const running = workflowRunEvent({
      owner: 'acme',
      repo: 'shop',
      runId: 504,
      action: 'in_progress',
      conclusion: null,
    });
    expect((await webhook(running)).status).toBe(204);
    expect((await webhook(workflowRunEvent({ owner: 'acme', repo: 'other', runId: 9 }))).status).toBe(204);
    expect(
      await app.jobs.queue.getJob(triageJobId({ owner: 'acme', repo: 'shop', runId: 504 })),
    ).toBeUndefined();
  });

  it('refuses a body larger than GitHub sends (413) without reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.baseUrl}/github/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(26 * 1024 * 1024),
          'x-github-event': 'workflow_run',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"action":');
    });
    expect(status).toBe(413);
  });

  it('re-runs once on a double click of Re-run by a deployer, and records it in the audit log', async () => {
    const click = () =>
      postSigned(
        app.baseUrl,
        blockAction({
          actionId: 'ci_rerun',
          value: '/ops rerun acme/shop 501',
          user: 'U1ALICE',
          channel: 'C2CI',
          messageTs: firstTs,
          responseUrl: slack.responseUrl('rerun-alice'),
        }),
        SIGNING_SECRET,
      );
    const [a, b] = await Promise.all([click(), click()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const done = () =>
      slack
        .of('chat.update')
        .find(
          (c) => c.args.channel === 'C2CI' && String(c.args.text).startsWith('Re-running the failed jobs'),
        );
    await slack.waitFor(() => done() !== undefined, 15_000, 'the re-run result');
    expect(String(done()?.args.text)).toContain('acme/shop run 501 (attempt 2)');
    await slack.waitFor(
      (calls) => calls.filter((c) => c.method === 'response_url' && c.args.id === 'rerun-alice').length === 2,
      10_000,
      'both clicks answered',
    );
    expect(github.reruns).toEqual([{ owner: 'acme', repo: 'shop', runId: 501 }]);
    // The progress message went into the triage message's thread.
    const progress = slack
      .of('chat.postMessage')
      .find(
        (c) => c.args.channel === 'C2CI' && String(c.args.text).startsWith('Re-run of acme/shop run 501'),
      );
    expect(progress?.args.thread_ts).toBe(firstTs);
    const audit = await app.redis.xrange(`${prefix}:audit`, '-', '+');
    const entries = audit.map(([, f]) =>
      Object.fromEntries(f.map((v, i) => (i % 2 ? [] : [v, f[i + 1]])).filter((x) => x.length)),
    );
    expect(entries.filter((e) => e.type === 'rerun')).toEqual([
      expect.objectContaining({
        type: 'rerun',
        actor: 'U1ALICE',
        detail: 'acme/shop#501',
        service: 'checkout',
      }),
    ]);
  });

  it('refuses Re-run to someone who may not, saying who can', async () => {
    const res = await postSigned(
      app.baseUrl,
      blockAction({
        actionId: 'ci_rerun',
        value: '/ops rerun acme/shop 502',
        user: 'U7MALLORY',
        channel: 'C2CI',
        messageTs: '1700000000.000900',
        responseUrl: slack.responseUrl('rerun-mallory'),
      }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    const answer = () => slack.of('response_url').find((c) => c.args.id === 'rerun-mallory');
    await slack.waitFor(() => answer() !== undefined, 10_000, 'the refusal');
    const text = String(answer()?.args.text);
    expect(text).toContain("You can't re-run this");
    expect(text).toContain('<@U1ALICE>');
    expect(text).toContain('<@U9ADMIN>');
    expect(answer()?.args.response_type).toBe('ephemeral');
    expect(github.reruns).toHaveLength(1);
  });

  it('after the re-run has finished, a new click by a permitted person starts a new one', async () => {
    const click = (id: string) =>
      postSigned(
        app.baseUrl,
        blockAction({
          actionId: 'ci_rerun',
          value: '/ops rerun acme/shop 501',
          user: 'U1ALICE',
          channel: 'C2CI',
          messageTs: firstTs,
          responseUrl: slack.responseUrl(id),
        }),
        SIGNING_SECRET,
      );
    const answer = (id: string) => slack.of('response_url').find((c) => c.args.id === id);
    // Attempt 2 (the re-run above) is still queued: nothing to re-run yet, and GitHub is not asked.
    await click('rerun-while-running');
    await slack.waitFor(() => answer('rerun-while-running') !== undefined, 10_000, 'the answer');
    expect(String(answer('rerun-while-running')?.args.text)).toContain(
      'acme/shop run 501 is queued (attempt 2); nothing to re-run until it has finished',
    );
    expect(github.reruns).toHaveLength(1);
    // Attempt 2 fails too; the same button, clicked again, re-runs it.
    const run = github.repos[0]?.runs?.find((r) => r.id === 501);
    if (!run) throw new Error('run 501 is in the fixture');
    Object.assign(run, { status: 'completed', conclusion: 'failure' });
    await click('rerun-again');
    await slack.waitFor(() => github.reruns.length === 2, 15_000, 'the second re-run');
    expect(github.reruns).toEqual([
      { owner: 'acme', repo: 'shop', runId: 501 },
      { owner: 'acme', repo: 'shop', runId: 501 },
    ]);
    const done = () =>
      slack
        .of('chat.update')
        .find(
          (c) => c.args.channel === 'C2CI' && String(c.args.text).includes('acme/shop run 501 (attempt 3)'),
        );
    await slack.waitFor(() => done() !== undefined, 15_000, 'the second re-run result');
    expect(String(answer('rerun-again')?.args.text ?? '')).not.toContain('Already re-running');
  });
});
