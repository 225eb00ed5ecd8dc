import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type FakeKube, startFakeKube } from '../../sandbox/fake-kube.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { makeCluster } from '../../sandbox/kube-objects.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { OPS_QUEUE } from '../../src/jobs/queues.ts';
import { scheduledTimeOf } from '../../src/jobs/schedules.ts';
import {
  captureLog,
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { parseProm, sampleSum } from '../support/prom-text.ts';
import { runMain } from '../support/run-main.ts';
import { postSigned, slashCommand } from '../support/slack-requests.ts';

/** Every second (BullMQ's 6-field cron, seconds first), so a test sees several occurrences. */
const EVERY_SECOND = '* * * * * *';

const team = (cron: string, extra = '') => `
digests:
  - id: ops
    channel: C1OPS
    cron: "${cron}"
    timezone: Europe/Berlin
    sections: [cluster, deploys]
    mention: [U7ONCALL]
${extra}
admins: [U9ADMIN]
`;

const textOf = (c: SlackCall) => `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? [])}`;
const digestPosts = (slack: FakeSlack, from = 0) =>
  slack
    .of('chat.postMessage')
    .filter((c) => c.args.channel === 'C1OPS' && String(c.args.text ?? '').startsWith('Digest ops'))
    .slice(from);

describe('scheduled digests: change-only, on real BullMQ schedulers', () => {
  const prefix = uniquePrefix('digests');
  let slack: FakeSlack;
  let kube: FakeKube;
  let app: ShipmateApp & { baseUrl: string };
  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
    KUBECONFIG: kube.kubeconfigPath,
    SHIPMATE_CONFIG: teamFile(team(EVERY_SECOND)),
  });

  beforeAll(async () => {
    [slack, kube] = await Promise.all([
      startFakeSlack(),
      startFakeKube({ objects: makeCluster({ pods: 40, problems: { crashLoop: 1 } }) }),
    ]);
    app = await startApp(env(), { digests: { lateAfterMs: 60_000 } });
  });
  afterAll(async () => {
    try {
      await app?.stop();
    } finally {
      await Promise.all([slack?.close(), kube?.close()]);
      await cleanRedis(prefix);
    }
  });

  async function nthPost(n: number, what: string): Promise<SlackCall> {
    await slack.waitFor(() => digestPosts(slack).length >= n, 20_000, what);
    return digestPosts(slack)[n - 1] as SlackCall;
  }

  it('posts the full picture first, with the on-call pinged for what is new and severe', async () => {
    const first = textOf(await nthPost(1, 'the first digest'));
    expect(first).toContain('first digest: everything open is listed');
    expect(first).toContain('CrashLoopBackOff');
    expect(first).toContain('*New*');
    expect(first).toContain('<@U7ONCALL>');
  });

  it('says only "all quiet" when nothing changed, and pings nobody', async () => {
    const second = await nthPost(2, 'the second digest');
    const t = textOf(second);
    expect(t).toContain('all quiet');
    expect(t).toContain('1 still failing');
    expect(t).not.toContain('U7ONCALL');
    expect(second.args.blocks as unknown[]).toHaveLength(1);
  });

  it('shows a fault planted between runs as New and a fixed one as Resolved, once each', async () => {
    const before = digestPosts(slack).length;
    kube.setObjects(makeCluster({ pods: 40, problems: { imagePull: 1 } }));
    await slack.waitFor(
      () => digestPosts(slack, before).some((c) => textOf(c).includes('Resolved since last digest')),
      20_000,
      'a digest with the crash loop resolved',
    );
    await slack.waitFor(
      () => digestPosts(slack, before).some((c) => /\*New\*[^"]*ImagePullBackOff/.test(textOf(c))),
      20_000,
      'a digest with the image pull error new',
    );
    const changed = digestPosts(slack, before);
    const resolvedIn = changed.filter((c) => textOf(c).includes('Resolved since last digest'));
    const newIn = changed.filter((c) => /\*New\*[^"]*ImagePullBackOff/.test(textOf(c)));
    expect(resolvedIn).toHaveLength(1);
    expect(textOf(resolvedIn[0] as SlackCall)).toContain('CrashLoopBackOff');
    expect(newIn).toHaveLength(1);
    // And the one after is quiet again: the new fault is now "still failing".
    const quietFrom = digestPosts(slack).length;
    await slack.waitFor(() => digestPosts(slack, quietFrom).length >= 1, 20_000, 'the next digest');
    expect(textOf(digestPosts(slack, quietFrom)[0] as SlackCall)).toContain('all quiet');
  });

  it('/ops digest lists digests with the next run in their time zone and the last outcome', async () => {
    const res = await postSigned(app.baseUrl, slashCommand('digest', { user: 'U1ALICE' }), SIGNING_SECRET);
    const text = (res.json() as { text: string }).text;
    expect(text).toContain('*ops* → <#C1OPS>');
    expect(text).toMatch(/next: \w{3} \d{1,2} \w{3} \d\d:\d\d Europe\/Berlin/);
    expect(text).toMatch(/last: (posted|quiet)/);
  });

  it('/ops digest ops preview shows the digest only to the asker and remembers nothing', async () => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand('digest ops preview', { user: 'U1ALICE', triggerId: 'trig-preview-1' }),
      SIGNING_SECRET,
    );
    expect((res.json() as { text: string }).text).toContain('only you will see it');
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.postEphemeral' && c.args.user === 'U1ALICE'),
      20_000,
      'the preview',
    );
    const preview = slack.of('chat.postEphemeral').find((c) => c.args.user === 'U1ALICE') as SlackCall;
    expect(textOf(preview)).toContain('Preview — only you see this');
  });

  it('/ops digest ops now: refused for non-admins, posted for admins', async () => {
    const refused = await postSigned(
      app.baseUrl,
      slashCommand('digest ops now', { user: 'U1ALICE', triggerId: 'trig-now-1' }),
      SIGNING_SECRET,
    );
    expect((refused.json() as { text: string }).text).toContain('Only admins');
    const ok = await postSigned(
      app.baseUrl,
      slashCommand('digest ops now', { user: 'U9ADMIN', triggerId: 'trig-now-2' }),
      SIGNING_SECRET,
    );
    expect((ok.json() as { text: string }).text).toContain('Posting digest `ops` to <#C1OPS> now');
    await slack.waitFor(
      () => digestPosts(slack).some((c) => textOf(c).includes('Posted on request')),
      20_000,
      'the digest posted on request',
    );
  });

  it('bad words get a usage answer naming what to type', async () => {
    const ask = async (text: string) =>
      (
        (
          await postSigned(app.baseUrl, slashCommand(text, { triggerId: `trig-${text}` }), SIGNING_SECRET)
        ).json() as { text: string }
      ).text;
    expect(await ask('digest opz preview')).toMatch(/There is no digest "opz"\. Did you mean `ops`\?/);
    expect(await ask('digest ops')).toContain('`preview` (only you see it) or `now`');
    expect(await ask('digest ops later')).toContain('"later" is not something a digest does');
  });

  it('tells the admins when Slack refuses the digest (not_in_channel), and keeps posting later ones', async () => {
    const before = slack.of('chat.postMessage').length;
    slack.failNext('chat.postMessage', 'not_in_channel', 1);
    await slack.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'U9ADMIN'),
      20_000,
      'the DM to the admin',
    );
    const dm = slack.of('chat.postMessage').find((c) => c.args.channel === 'U9ADMIN') as SlackCall;
    expect(textOf(dm)).toContain('could not be posted');
    expect(textOf(dm)).toContain('/invite @Shipmate');
    const after = digestPosts(slack).length;
    await slack.waitFor(() => digestPosts(slack, after).length >= 1, 20_000, 'a later digest');
    expect(slack.of('chat.postMessage').length).toBeGreaterThan(before + 1);
    // Both outcomes are counted for /metrics, by the digest's id (the outcome is recorded just after the post).
    const counted = async (outcome: string) =>
      sampleSum(parseProm(await app.metrics.registry.metrics()).samples, 'shipmate_digests_total', {
        digest: 'ops',
        outcome,
      });
    const deadline = Date.now() + 10_000;
    while ((await counted('posted')) < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await counted('posted')).toBeGreaterThanOrEqual(1);
    expect(await counted('failed')).toBeGreaterThanOrEqual(1);
  });
});

describe('digests after downtime and with two workers', () => {
  const prefix = uniquePrefix('digests-ha');
  let slack: FakeSlack;
  let kube: FakeKube;
  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
    KUBECONFIG: kube.kubeconfigPath,
    SHIPMATE_CONFIG: teamFile(team(EVERY_SECOND)),
  });
  let queue: Queue;
  let redis: Redis;

  beforeAll(async () => {
    [slack, kube] = await Promise.all([
      startFakeSlack(),
      startFakeKube({ objects: makeCluster({ pods: 20 }) }),
    ]);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(OPS_QUEUE, { connection: redis, prefix });
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await Promise.all([slack?.close(), kube?.close()]);
    await cleanRedis(prefix);
  });

  const occurrences = async () =>
    (await queue.getJobs(['completed', 'failed'], 0, -1))
      .map((j) => scheduledTimeOf(j.id ?? ''))
      .filter((t): t is number => t !== undefined);

  it('two workers on one Redis post each occurrence once', async () => {
    const logs = [captureLog(), captureLog()];
    const apps = await Promise.all(logs.map((l) => startApp(env(), { log: l.log })));
    try {
      await slack.waitFor(() => digestPosts(slack).length >= 4, 30_000, 'four digests');
    } finally {
      await Promise.all(apps.map((a) => a.stop()));
    }
    const posted = logs.flatMap((l) => l.lines.filter((x) => x.msg === 'digest posted'));
    const byJob = new Map<string, number>();
    for (const p of posted) byJob.set(String(p.jobId), (byJob.get(String(p.jobId)) ?? 0) + 1);
    expect([...byJob.values()].every((n) => n === 1)).toBe(true);
    // Both workers took part in reconciling; every post is one distinct occurrence.
    const times = await occurrences();
    expect(new Set(times).size).toBe(times.length);
    expect(digestPosts(slack)).toHaveLength(posted.length);
    expect(posted.length).toBe(new Set(times).size);
    expect(logs.every((l) => l.lines.some((x) => x.msg === 'job schedulers reconciled'))).toBe(true);
  });

  it('a run missed while no worker was up is posted once, labelled late; the others are not stacked', async () => {
    const scheduler = await queue.getJobScheduler('digest:ops');
    const due = scheduler?.next ?? 0;
    expect(due).toBeGreaterThan(0);
    // No worker runs now: wait until at least two more occurrences have passed.
    while (Date.now() < due + 2500) await new Promise((r) => setTimeout(r, 200));
    const restartAt = Date.now();
    const before = digestPosts(slack).length;
    const app = await startApp(env(), { digests: { lateAfterMs: 1000 } });
    try {
      await slack.waitFor(() => digestPosts(slack, before).length >= 1, 20_000, 'the late digest');
    } finally {
      await app.stop();
    }
    expect(textOf(digestPosts(slack, before)[0] as SlackCall)).toContain('Late: due');
    const missed = (await occurrences()).filter((t) => t > due - 1 && t < restartAt);
    expect(missed).toEqual([due]);
  });

  it('a run missed by more than the grace window is skipped and logged, not posted', async () => {
    const due = (await queue.getJobScheduler('digest:ops'))?.next ?? 0;
    while (Date.now() < due + 2500) await new Promise((r) => setTimeout(r, 200));
    const { log, lines } = captureLog();
    const before = digestPosts(slack).length;
    const app = await startApp(env(), { log, digests: { graceMs: 1000, lateAfterMs: 500 } });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (lines.some((l) => String(l.msg).includes('missed by more than the grace window'))) {
            clearInterval(t);
            resolve();
          }
        }, 50);
        setTimeout(() => {
          clearInterval(t);
          reject(new Error('no skip logged'));
        }, 20_000);
      });
    } finally {
      await app.stop();
    }
    const skipped = lines.find((l) => String(l.msg).includes('missed by more than the grace window'));
    expect(skipped?.digest).toBe('ops');
    expect(digestPosts(slack, before).filter((c) => textOf(c).includes('Late: due'))).toHaveLength(0);
    expect(
      lines.filter((l) => l.msg === 'digest posted' && String(l.jobId).endsWith(`:${due}`)),
    ).toHaveLength(0);
  });

  it('a changed cron updates the scheduler; a digest removed from the file loses its scheduler', async () => {
    const other = `
  - id: weekly
    channel: C2TEAM
    cron: "0 8 * * 1"
    timezone: UTC
    sections: [deploys]`;
    const a = await startApp({ ...env(), SHIPMATE_CONFIG: teamFile(team('0 9 * * 1-5', other)) });
    await a.stop();
    expect((await queue.getJobScheduler('digest:ops'))?.pattern).toBe('0 9 * * 1-5');
    expect((await queue.getJobScheduler('digest:weekly'))?.pattern).toBe('0 8 * * 1');
    const b = await startApp({ ...env(), SHIPMATE_CONFIG: teamFile(team('0 9 * * 1-5')) });
    await b.stop();
    expect(await queue.getJobScheduler('digest:weekly')).toBeUndefined();
    expect((await queue.getJobScheduler('digest:ops'))?.tz).toBe('Europe/Berlin');
  });
});

describe('digest configuration errors stop the start with exit code 2, naming the key', () => {
  const run = (yaml: string) =>
    runMain({ REDIS_URL, SHIPMATE_CONFIG: teamFile(yaml), SHIPMATE_QUEUE_PREFIX: uniquePrefix('dcfg') }, '');
  const digest = (o: string) => `digests:\n  - { id: morning, channel: C1OPS, sections: [cluster], ${o} }\n`;

  it.each([
    [
      digest('cron: "0 9 * * 1-5", timezone: Mars/Olympus'),
      'digests[0].timezone: "Mars/Olympus" is not a time zone; e.g. Europe/Berlin',
    ],
    [digest('cron: "0 25 * * *"'), 'digests[0].cron: "0 25 * * *" is not a valid cron'],
    [digest('cron: "* * * *"'), 'digests[0].cron: "* * * *" has 4 fields'],
    [
      digest('cron: "0 9 * * *", sections: [weather]').replace('sections: [cluster], ', ''),
      'digests[0].sections[0]: there is no section "weather"',
    ],
  ])('%#: %s', async (yaml, problem) => {
    const r = await run(yaml);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(problem);
  });
});
