import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { z } from 'zod';
import { type FakeKube, startFakeKube } from '../../sandbox/fake-kube.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { makeCluster } from '../../sandbox/kube-objects.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { createAuditLog } from '../../src/audit/audit.ts';
import { type ChangeRequest, createRequestStore } from '../../src/deploys/requests.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import {
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { eventCallback, postSigned, type SignedRequest } from '../support/slack-requests.ts';

/** The App Home through the real Bolt receiver and the loopback Slack: what views.publish gets. */
const TEAM = `services:
  checkout:
    environments:
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE], approvers: [U2BOB] }
digests:
  - { id: morning, channel: C1OPS, cron: "0 9 * * 1-5", timezone: Europe/Berlin, sections: [deploys] }
`;
const spec = defineJobSpec({ name: 'test_home', payload: z.object({}) });
const feature = defineFeature({
  name: 'test_home',
  needs: [],
  build: () => ({ jobs: [handle(spec, async () => ({ message: { text: 'done' } }))] }),
});

/** A button click in the Home tab: no channel, no message, no response_url — a view container. */
function homeClick(user: string, actionId: string, value: string): SignedRequest {
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    container: { type: 'view', view_id: 'V1HOME' },
    trigger_id: `trig.${Math.random().toString(36).slice(2)}`,
    view: { id: 'V1HOME', type: 'home', blocks: [] },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Button' },
        value,
        action_ts: `${Math.floor(Date.now() / 1000)}.000300`,
      },
    ],
  };
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

const textOf = (c: SlackCall) => JSON.stringify(c.args.view ?? c.args);
/** The buttons of a published view: action id → command value. */
const buttonsOf = (c: SlackCall) =>
  (
    (c.args.view as { blocks: { type: string; elements?: { action_id?: string; value?: string }[] }[] })
      .blocks ?? []
  )
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => `${e.action_id} ${e.value}`);

describe('App Home', () => {
  const prefix = uniquePrefix('app-home');
  let slack: FakeSlack;
  let kube: FakeKube;
  let app: ShipmateApp & { baseUrl: string };
  let seq = 0;
  const request: ChangeRequest = {
    id: 'req-home0001',
    kind: 'deploy',
    service: 'checkout',
    environment: 'prod',
    namespace: 'prod',
    deployment: 'checkout',
    container: 'checkout',
    fromImage: 'registry/checkout:1.4.2',
    toImage: 'registry/checkout:1.5.0',
    fromRevision: 3,
    replicas: 2,
    requestedBy: 'U1ALICE',
    createdAt: Date.now(),
    expiresAt: Date.now() + 30 * 60_000,
    state: 'pending',
    traceId: 'trace-home',
  };

  beforeAll(async () => {
    [slack, kube] = await Promise.all([
      startFakeSlack(),
      startFakeKube({ objects: makeCluster({ pods: 3 }) }),
    ]);
    // The web role only: the job below stays queued, as if every worker were busy.
    app = await startApp(
      {
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_ROLE: 'web',
        KUBECONFIG: kube.kubeconfigPath,
        SHIPMATE_CONFIG: teamFile(TEAM),
      },
      { features: [feature] },
    );
    const redis = new Redis(REDIS_URL);
    try {
      await createRequestStore(redis, prefix).create(request);
      const audit = createAuditLog({
        redis,
        prefix,
        retentionMs: 86_400_000,
        log: pino({ level: 'silent' }),
      });
      const base = { service: 'checkout', environment: 'prod', kind: 'deploy', traceId: 't' };
      await audit.record({ ...base, type: 'requested', actor: 'U1ALICE', requestId: request.id });
      await audit.record({
        ...base,
        type: 'succeeded',
        actor: 'U2BOB',
        requestId: 'req-old',
        detail: '1.4.1 → 1.4.2',
      });
    } finally {
      redis.disconnect();
    }
    await app.jobs.enqueue({
      spec,
      payload: {},
      jobId: 'home-job-1',
      requestedBy: 'U2BOB',
      target: { kind: 'slack', channel: 'C1OPS' },
      traceId: 'trace-job',
      title: 'Cluster status (prod) <!channel>',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), kube?.close()]);
    await cleanRedis(prefix);
  });

  /** Opens `user`'s Home tab and resolves with the views.publish it caused. */
  async function openHome(user: string): Promise<SlackCall> {
    const before = slack.of('views.publish').length;
    const ev = eventCallback(
      { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
      `EvHome${++seq}`,
    );
    expect((await postSigned(app.baseUrl, ev, SIGNING_SECRET)).status).toBe(200);
    await slack.waitFor(
      (c) => c.filter((x) => x.method === 'views.publish').length > before,
      10_000,
      'views.publish',
    );
    const call = slack.of('views.publish').at(-1) as SlackCall;
    expect(call.args.user_id).toBe(user);
    return call;
  }

  it('shows the approver the pending request with Approve/Reject, their queued job with Cancel, digests and integrations', async () => {
    const home = await openHome('U2BOB');
    const view = home.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = textOf(home);
    expect(text).toContain('registry/checkout:1.5.0');
    expect(text).toContain('<@U1ALICE>');
    expect(buttonsOf(home)).toEqual(
      expect.arrayContaining([
        `change_approve /ops approve ${request.id}`,
        `change_reject /ops reject ${request.id}`,
        'job_cancel /ops cancel home-job-1',
      ]),
    );
    // The job's title is shown, its crowd ping escaped.
    expect(text).toContain('Cluster status (prod)');
    expect(text).not.toContain('<!channel>');
    // U2BOB approves but does not deploy checkout: its deploys are not his to see here.
    expect(text).toContain('No recent deploys of services you may deploy');
    // The next morning digest, in its time zone; integrations configured and missing.
    expect(text).toMatch(/\*morning\* in <#C1OPS>: \w{3} \d+ \w{3} 09:00/);
    expect(text).toContain('Kubernetes: `fake-main`');
    expect(text).toContain('GitHub: not configured');
    expect(text).toContain('LLM: not configured');
  });

  it('shows the requester no approval (they may not approve their own), and the deploys of their service', async () => {
    const home = await openHome('U1ALICE');
    expect(buttonsOf(home).filter((b) => b.startsWith('change_'))).toEqual([]);
    expect(textOf(home)).toContain('Nothing waits for your approval');
    expect(textOf(home)).toContain('deploy checkout → prod: 1.4.1 → 1.4.2');
    expect(textOf(home)).toContain('No jobs of yours are running');
  });

  it('a Reject clicked in the Home runs /ops reject as the clicker, answers in their DM and refreshes the Home', async () => {
    const before = slack.of('views.publish').length;
    const aliceBefore = slack.of('views.publish').filter((c) => c.args.user_id === 'U1ALICE').length;
    const res = await postSigned(
      app.baseUrl,
      homeClick('U2BOB', 'change_reject', `/ops reject ${request.id}`),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await slack.waitFor(
      (c) => c.filter((x) => x.method === 'views.publish').length > before,
      10_000,
      'the refresh',
    );
    const redis = new Redis(REDIS_URL);
    try {
      expect((await createRequestStore(redis, prefix).get(request.id))?.state).toBe('rejected');
    } finally {
      redis.disconnect();
    }
    const dm = slack.of('chat.postMessage').find((c) => c.args.channel === 'U2BOB');
    expect(String(dm?.args.text)).toContain(`Rejected \`${request.id}\``);
    const refreshed = slack
      .of('views.publish')
      .filter((c) => c.args.user_id === 'U2BOB')
      .at(-1) as SlackCall;
    expect(refreshed.args.user_id).toBe('U2BOB');
    expect(buttonsOf(refreshed).filter((b) => b.startsWith('change_'))).toEqual([]);
    expect(buttonsOf(refreshed)).toContain('job_cancel /ops cancel home-job-1');
    // The request changed: its requester's Home is republished too, without being opened.
    await slack.waitFor(
      (c) =>
        c.filter((x) => x.method === 'views.publish' && x.args.user_id === 'U1ALICE').length > aliceBefore,
      10_000,
      "the requester's refresh",
    );
  });
});
