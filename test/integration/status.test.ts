import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeKube, startFakeKube } from '../../sandbox/fake-kube.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { makeCluster } from '../../sandbox/kube-objects.ts';
import type { ShipmateApp } from '../../src/app.ts';
import {
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { type MainResult, runMain } from '../support/run-main.ts';
import { postSigned, slashCommand } from '../support/slack-requests.ts';

describe('/ops status and /ops logs through the whole app', () => {
  const prefix = uniquePrefix('status');
  let slack: FakeSlack;
  let kube: FakeKube;
  let app: ShipmateApp & { baseUrl: string };
  let trig = 0;

  beforeAll(async () => {
    [slack, kube] = await Promise.all([
      startFakeSlack(),
      startFakeKube({
        objects: makeCluster({ pods: 300, problems: { crashLoop: 1, imagePull: 1, unschedulable: 1 } }),
      }),
    ]);
    app = await startApp({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
      KUBECONFIG: kube.kubeconfigPath,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), kube?.close()]);
    await cleanRedis(prefix);
  });

  /** Runs a slash command and resolves with the final edit of its progress message. */
  async function run(text: string): Promise<{ ack: string; final: SlackCall }> {
    const before = slack.calls.length;
    const res = await postSigned(
      app.baseUrl,
      slashCommand(text, { triggerId: `trig-status-${++trig}` }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    const post = () => slack.calls.slice(before).find((c) => c.method === 'chat.postMessage');
    await slack.waitFor(() => post() !== undefined, 10_000, 'progress message');
    const ts = post()?.response?.ts;
    const finalOf = () =>
      slack.calls
        .slice(before)
        .filter(
          (c) =>
            c.method === 'chat.update' &&
            c.args.ts === ts &&
            !JSON.stringify(c.args.blocks).includes('job_cancel'),
        );
    await slack.waitFor(() => finalOf().length > 0, 20_000, 'final message');
    return { ack: res.text, final: finalOf().at(-1) as SlackCall };
  }

  it('acks at once and ends the progress message with counts and the problems, worst first', async () => {
    const { ack, final } = await run('status');
    expect(ack).toBe('');
    const blocks = JSON.stringify(final.args.blocks);
    expect(blocks).toContain('Cluster status');
    expect(blocks).toContain('CrashLoopBackOff');
    expect(blocks).toContain('ImagePullBackOff');
    expect(blocks).toMatch(/Unschedulable|Insufficient/);
    expect((final.args.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    // The whole read went through paged lists.
    expect(kube.requests.some((r) => r.path.endsWith('/pods') && r.query.limit === '500')).toBe(true);
  });

  it('answers an unknown namespace with the closest names, and changes nothing', async () => {
    const { final } = await run('status chekout');
    expect(JSON.stringify(final.args.blocks)).toMatch(/chekout.*not found/);
    expect(JSON.stringify(final.args.blocks)).toContain('checkout');
    expect(kube.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('turns a 403 into which verb on which resource the bot lacks', async () => {
    kube.fail(/\/api\/v1\/pods/, 'forbidden', { times: 1 });
    const { final } = await run('status');
    const text = String(final.args.text);
    expect(text).toContain('Cluster status failed');
    expect(text).toContain('is not allowed to list pods cluster-wide');
    expect(text).toMatch(/ref [0-9A-F]{8}/);
  });

  it('refuses a bad argument at once, before anything is queued', async () => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand('status Bad_NS', { triggerId: 'trig-bad-ns' }),
      SIGNING_SECRET,
    );
    const body = res.json() as { text: string };
    expect(body.text).toContain('namespace');
    expect(body.text).toContain('Usage: `/ops status [namespace] [--cluster &lt;context&gt;]`');
    expect(await app.jobs.queue.getJob('status-trig-bad-ns')).toBeUndefined();
  });

  it("/ops logs shows the crash-looping container's previous instance, with secrets redacted", async () => {
    const objects = makeCluster({ pods: 300, problems: { crashLoop: 1, imagePull: 1, unschedulable: 1 } });
    const key = Object.keys(objects.logs).find((k) => k.endsWith('/app/previous')) ?? '';
    const [ns, pod] = key.split('/');
    const { final } = await run(`logs ${pod} ${ns}`);
    const text = JSON.stringify(final.args.blocks);
    expect(text).toContain('starting server on :8080');
    expect(text).toMatch(/previous/i);
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ');
    expect(text).toContain('[REDACTED]');
  });

  it('a Kubernetes API that accepts connections and never answers: one attempt, reported after the request timeout', async () => {
    const hung = await startFakeKube({ objects: makeCluster({ pods: 20 }) });
    hung.fail(/\/pods/, 'hang');
    try {
      const r = await runMain(
        {
          REDIS_URL,
          SHIPMATE_QUEUE_PREFIX: `${prefix}-hung`,
          SHIPMATE_CONFIG: teamFile('{}\n'),
          KUBECONFIG: hung.kubeconfigPath,
          KUBE_REQUEST_TIMEOUT_SECONDS: '1',
          LOG_LEVEL: 'warn',
        },
        '/ops status\n',
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /Cluster status failed: The Kubernetes API of cluster "fake-main" .* did not answer within 1 s/,
      );
      expect(r.stdout).not.toContain('retrying');
      expect(hung.requests.filter((q) => q.path.endsWith('/pods'))).toHaveLength(1);
    } finally {
      await hung.close();
      await cleanRedis(`${prefix}-hung`);
    }
  });

  it('works from the console too', async () => {
    let r: MainResult;
    try {
      r = await runMain(
        {
          REDIS_URL,
          SHIPMATE_QUEUE_PREFIX: `${prefix}-console`,
          SHIPMATE_CONFIG: teamFile('{}\n'),
          KUBECONFIG: kube.kubeconfigPath,
          LOG_LEVEL: 'warn',
        },
        '/ops status\n',
      );
    } finally {
      // Also when runMain timed out and killed the bot before it removed its console queue.
      await cleanRedis(`${prefix}-console`);
    }
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('== Cluster status');
    expect(r.stdout).toContain('CrashLoopBackOff');
    expect(r.stdout).toMatch(/\[Logs: [\w-]+\] → \/ops logs /);
  });
});
