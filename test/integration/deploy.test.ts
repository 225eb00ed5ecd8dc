import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deploymentObjects,
  emptyObjects,
  type FakeKube,
  type Json,
  startFakeKube,
} from '../../sandbox/fake-kube.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { createRequestStore } from '../../src/deploys/requests.ts';
import {
  cleanRedis,
  REDIS_URL,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { type RunningMain, startMain } from '../support/run-main.ts';
import { blockAction, postSigned, slashCommand } from '../support/slack-requests.ts';

const TEAM = `
services:
  checkout:
    repo: acme/shop
    environments:
      staging: { namespace: staging, deployment: checkout, deployers: [U1ALICE] }
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE, U2BOB], approvers: [U2BOB, U3CAROL] }
  cart:
    environments:
      prod: { namespace: prod, deployment: cart, deployers: [U1ALICE], approvers: [U2BOB] }
  search:
    environments:
      prod: { namespace: prod, deployment: search, deployers: [U1ALICE], approvers: [U2BOB] }
  ledger:
    environments:
      prod: { namespace: prod, deployment: ledger, deployers: [U1ALICE], approvers: [U2BOB] }
  vault:
    environments:
      prod: { namespace: prod, deployment: vault, deployers: [U1ALICE], approvers: [U2BOB] }
admins: [U9ADMIN]
`;
const IMAGE = (ns: string, name: string, tag: string) => `registry.example.com/${ns}/${name}:${tag}`;

function cluster() {
  const o = emptyObjects();
  deploymentObjects({ namespace: 'prod', name: 'checkout', replicas: 3 }, o);
  deploymentObjects({ namespace: 'staging', name: 'checkout', replicas: 2 }, o);
  deploymentObjects({ namespace: 'prod', name: 'cart', replicas: 2 }, o);
  deploymentObjects({ namespace: 'prod', name: 'search', replicas: 3 }, o);
  deploymentObjects({ namespace: 'prod', name: 'ledger', replicas: 2 }, o);
  deploymentObjects({ namespace: 'prod', name: 'vault', replicas: 2 }, o);
  return o;
}

describe('deploys: request, approve, roll out, roll back', () => {
  const prefix = uniquePrefix('deploy');
  let slack: FakeSlack;
  let kube: FakeKube;
  let app: ShipmateApp & { baseUrl: string };
  let trig = 0;
  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
    KUBECONFIG: kube.kubeconfigPath,
    SHIPMATE_CONFIG: teamFile(TEAM),
    JOB_LOCK_SECONDS: '1',
  });

  beforeAll(async () => {
    [slack, kube] = await Promise.all([
      startFakeSlack(),
      startFakeKube({ objects: cluster(), rolloutTickMs: 40, timeScale: 0.002 }),
    ]);
    app = await startApp(env(), { approvalTtlMs: 60_000 });
  });
  afterAll(async () => {
    try {
      await app?.stop();
    } finally {
      await Promise.all([slack?.close(), kube?.close()]);
      await cleanRedis(prefix);
    }
  });

  const imageOf = (ns: string, name: string) => {
    const d = kube.getObject('deployments', ns, name) as Json | undefined;
    return ((((d?.spec as Json)?.template as Json)?.spec as Json)?.containers as Json[])?.[0]?.image;
  };
  const writesTo = (name: string) => kube.writes.filter((w) => w.name === name);

  /** `/ops …` as `user`; resolves with the ack text and, for deploy/rollback, the request message and its id. */
  async function slash(text: string, user = 'U1ALICE') {
    const before = slack.calls.length;
    const res = await postSigned(
      app.baseUrl,
      slashCommand(text, { user, triggerId: `trig-deploy-${++trig}` }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    return { ack: res.text ? ((res.json() as { text: string }).text ?? '') : '', before };
  }

  async function requestFrom(before: number): Promise<{ id: string; message: SlackCall; ts: string }> {
    const find = () =>
      slack.calls
        .slice(before)
        .find(
          (c) => c.method === 'chat.update' && JSON.stringify(c.args.blocks ?? '').includes('change_approve'),
        );
    await slack.waitFor(() => find() !== undefined, 15_000, 'the request message');
    const message = find() as SlackCall;
    const id = /\/ops approve (req-[A-Za-z0-9]+)/.exec(JSON.stringify(message.args.blocks))?.[1] ?? '';
    return { id, message, ts: String(message.args.ts) };
  }

  async function click(actionId: string, value: string, user: string, messageTs: string): Promise<string> {
    const rid = `r${++trig}`;
    const res = await postSigned(
      app.baseUrl,
      blockAction({ actionId, value, user, messageTs, responseUrl: slack.responseUrl(rid) }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await slack.waitFor(
      (c) => c.some((x) => x.method === 'response_url' && x.args.id === rid),
      10_000,
      `reply to ${user}'s click`,
    );
    return String(slack.of('response_url').find((x) => x.args.id === rid)?.args.text);
  }

  const outcome = (id: string, word: 'succeeded' | 'failed') => async () => {
    const find = () =>
      slack
        .of('chat.update')
        .find((c) => String(c.args.text).includes(word) && JSON.stringify(c.args.blocks ?? '').includes(id));
    await slack.waitFor(() => find() !== undefined, 20_000, `${id} ${word}`);
    return find() as SlackCall;
  };

  it('a full approved deploy: preview with dry run, approval by someone else, watched to the end, audited', async () => {
    const { ack, before } = await slash('deploy checkout 1.5.0 to prod');
    expect(ack).toBe('');
    const req = await requestFrom(before);
    const preview = JSON.stringify(req.message.args.blocks);
    expect(preview).toContain(IMAGE('prod', 'checkout', '1.4.2'));
    expect(preview).toContain(IMAGE('prod', 'checkout', '1.5.0'));
    expect(preview).toContain('Dry run');
    expect(preview).toContain('Needs approval by <@U2BOB>, <@U3CAROL>');
    expect(kube.requests.some((r) => r.method === 'PATCH' && r.query.dryRun === 'All')).toBe(true);
    expect(writesTo('checkout')).toEqual([]);

    const self = await click('change_approve', `/ops approve ${req.id}`, 'U1ALICE', req.ts);
    expect(self).toContain('someone else must approve it');
    expect(writesTo('checkout')).toEqual([]);

    const bob = await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts);
    expect(bob).toContain(`Approved \`${req.id}\``);
    const done = await outcome(req.id, 'succeeded')();
    expect(String(done.args.text)).toContain(IMAGE('prod', 'checkout', '1.5.0'));
    expect(done.args.thread_ts ?? done.args.ts).toBeDefined();
    expect(imageOf('prod', 'checkout')).toBe(IMAGE('prod', 'checkout', '1.5.0'));
    expect(writesTo('checkout')).toHaveLength(1);
    // progress went into the request message's thread
    expect(
      slack
        .of('chat.postMessage')
        .some((c) => c.args.thread_ts === req.ts && String(c.args.text).startsWith('Deploy of checkout')),
    ).toBe(true);
    // the request message now says who approved it, without buttons
    const edited = slack
      .of('chat.update')
      .filter((c) => c.args.ts === req.ts)
      .at(-1);
    expect(JSON.stringify(edited?.args.blocks)).toContain('Approved by <@U2BOB>');
    expect(JSON.stringify(edited?.args.blocks)).not.toContain('change_approve');

    const audit = await slash('audit checkout');
    for (const t of ['requested', 'approved', 'started', 'succeeded']) expect(audit.ack).toContain(`*${t}*`);
    const history = await slash('history checkout prod');
    expect(history.ack).toContain('succeeded');
  });

  it('a re-run of a finished change (its completion lost, as to a Redis restart) leaves its final message alone', async () => {
    const { before } = await slash('deploy ledger 2.0.0 to prod');
    const req = await requestFrom(before);
    await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts);
    const done = await outcome(req.id, 'succeeded')();
    const finalTs = String(done.args.ts);
    const jobId = `change-${req.id}`;
    await app.jobs.waitForJobs([jobId], 15_000);
    const job = await app.jobs.queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    const callsBefore = slack.calls.length;
    // BullMQ runs the job again with the same data, as after a completion Redis did not keep —
    // once as it was, once without the outcome the worker saved (the processor itself runs again).
    for (const edit of [
      (d: Record<string, unknown>) => d,
      ({ outcome: _o, ...d }: Record<string, unknown>) => d,
    ]) {
      const j0 = await app.jobs.queue.getJob(jobId);
      await j0?.updateData(edit(j0.data as Record<string, unknown>));
      await j0?.retry('completed');
      const finishedAgain = async () => {
        const j = await app.jobs.queue.getJob(jobId);
        return j?.finishedOn !== undefined && j.finishedOn !== j0?.finishedOn;
      };
      const deadline = Date.now() + 15_000;
      while (!(await finishedAgain()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await (await app.jobs.queue.getJob(jobId))?.getState()).toBe('completed');
    }
    const after = slack.calls.slice(callsBefore).filter((c) => c.method.startsWith('chat.'));
    expect(after.map((c) => String(c.args.text))).not.toContainEqual(
      expect.stringContaining('nothing was done'),
    );
    const last = slack
      .of('chat.update')
      .filter((c) => c.args.ts === finalTs)
      .at(-1);
    expect(String(last?.args.text)).toBe(String(done.args.text));
    expect(JSON.stringify(last?.args.blocks)).toBe(JSON.stringify(done.args.blocks));
    expect(writesTo('ledger')).toHaveLength(1);
  }, 30_000);

  it('the proposal’s job run again after its request was approved makes no second request and leaves the message alone', async () => {
    const { before } = await slash('deploy vault 2.0.0 to prod');
    const proposeId = `propose-trig-deploy-${trig}`;
    const req = await requestFrom(before);
    await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts);
    await outcome(req.id, 'succeeded')();
    await app.jobs.waitForJobs([proposeId], 10_000);
    const rerun = async (edit: (data: Record<string, unknown>) => Record<string, unknown>) => {
      const job = await app.jobs.queue.getJob(proposeId);
      expect(await job?.getState()).toBe('completed');
      await job?.updateData(edit(job.data as Record<string, unknown>));
      await job?.retry('completed');
      const deadline = Date.now() + 15_000;
      const again = async () => {
        const j = await app.jobs.queue.getJob(proposeId);
        return j?.finishedOn !== undefined && j.finishedOn !== job?.finishedOn;
      };
      while (!(await again()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await (await app.jobs.queue.getJob(proposeId))?.getState()).toBe('completed');
    };
    const lastOfRequest = () =>
      JSON.stringify(
        slack
          .of('chat.update')
          .filter((c) => c.args.ts === req.ts)
          .at(-1)?.args.blocks,
      );
    const callsBefore = slack.calls.length;
    // As after a lost completion: the job's data says its outcome was posted.
    await rerun((d) => d);
    // As after a stall, before the outcome was recorded: the processor runs again.
    await rerun(({ outcome: _outcome, ...d }) => d);
    expect(lastOfRequest()).toContain('Approved by <@U2BOB>');
    expect(lastOfRequest()).not.toContain('change_approve');
    const later = JSON.stringify(slack.calls.slice(callsBefore).map((c) => c.args));
    expect(later.match(/req-[a-f0-9]{12}/g)?.filter((id) => id !== req.id) ?? []).toEqual([]);
    expect(writesTo('vault')).toHaveLength(1);
  }, 40_000);

  it('refuses a requester who may not deploy there, saying who can; nothing is queued', async () => {
    const { ack } = await slash('deploy checkout 1.6.0 to prod', 'U7EVE');
    expect(ack).toContain("You can't deploy checkout in prod. Ask <@U1ALICE>, <@U2BOB>, <@U9ADMIN>.");
    expect(await app.jobs.queue.getJob(`propose-trig-deploy-${trig}`)).toBeUndefined();
  });

  it('a rejected request does nothing, and cannot be approved afterwards', async () => {
    const { before } = await slash('deploy cart 2.0.0 to prod');
    const req = await requestFrom(before);
    expect(await click('change_reject', `/ops reject ${req.id}`, 'U2BOB', req.ts)).toContain('Rejected');
    expect(await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts)).toContain('is rejected');
    expect(writesTo('cart')).toEqual([]);
  });

  it('a retried or double-clicked approval deploys once', async () => {
    const { before } = await slash('deploy cart 2.1.0 to prod');
    const req = await requestFrom(before);
    const replies = await Promise.all([
      click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts),
      click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts),
    ]);
    expect(replies.filter((r) => r.startsWith('Approved'))).toHaveLength(1);
    expect(replies.find((r) => !r.startsWith('Approved'))).toContain('already approved');
    await outcome(req.id, 'succeeded')();
    expect(writesTo('cart')).toHaveLength(1);
  });

  it('one change at a time per service environment: a second says what is running, and starts after it', async () => {
    const store = createRequestStore(app.redis, prefix);
    expect(await store.lock('cart', 'prod', 'req-holder0001', 60_000)).toBeUndefined();
    const { before } = await slash('deploy cart 3.0.0 to prod');
    const req = await requestFrom(before);
    expect(JSON.stringify(req.message.args.blocks)).toContain(
      'Change `req-holder0001` to cart prod is running — if approved, this one starts after it',
    );
    const writesBefore = writesTo('cart').length;
    await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts);
    await slack.waitFor(
      (c) =>
        c.some(
          (x) =>
            x.method === 'chat.update' && String(x.args.text).includes('waiting for change req-holder0001'),
        ),
      10_000,
      'the waiting message',
    );
    expect(writesTo('cart')).toHaveLength(writesBefore);
    await store.unlock('cart', 'prod', 'req-holder0001');
    await outcome(req.id, 'succeeded')();
    expect(writesTo('cart')).toHaveLength(writesBefore + 1);
    expect(imageOf('prod', 'cart')).toBe(IMAGE('prod', 'cart', '3.0.0'));
  }, 30_000);

  it('a dry run the cluster refuses stops before anyone can approve, saying why', async () => {
    // Only the server-side dry run (PATCH …?dryRun=All) is refused: the read before it succeeds.
    kube.fail(/dryRun=All/, 'forbidden', { times: 1 });
    const before0 = kube.requests.length;
    const { before } = await slash('deploy checkout 1.7.0 to staging');
    await slack.waitFor(
      (c) =>
        c.slice(before).some((x) => x.method === 'chat.update' && String(x.args.text).includes('failed')),
      10_000,
      'the failure',
    );
    const failure = slack.calls
      .slice(before)
      .find((x) => x.method === 'chat.update' && String(x.args.text).includes('failed'));
    expect(kube.requests.slice(before0).some((r) => r.method === 'PATCH' && r.query.dryRun === 'All')).toBe(
      true,
    );
    expect(String(failure?.args.text)).toContain('not allowed to patch deployments');
    expect(JSON.stringify(failure?.args.blocks)).not.toContain('change_approve');
    expect(writesTo('checkout').filter((w) => w.namespace === 'staging')).toEqual([]);
  });

  it('a failed rollout is reported with the pods’ reasons and a Rollback button that restores the old image', async () => {
    const { before } = await slash('deploy search broken to prod');
    const req = await requestFrom(before);
    await click('change_approve', `/ops approve ${req.id}`, 'U2BOB', req.ts);
    const failed = await outcome(req.id, 'failed')();
    const text = JSON.stringify(failed.args.blocks);
    expect(text).toContain('ProgressDeadlineExceeded');
    expect(text).toMatch(/CrashLoopBackOff|ImagePullBackOff/);
    expect(text).toContain('/ops rollback search prod');
    expect(imageOf('prod', 'search')).toBe(IMAGE('prod', 'search', 'broken'));

    const rb = slack.calls.length;
    const reply = await click(
      'change_rollback',
      '/ops rollback search prod',
      'U1ALICE',
      String(failed.args.ts),
    );
    expect(reply).toBe('');
    const rollback = await requestFrom(rb);
    expect(JSON.stringify(rollback.message.args.blocks)).toContain('Rollback request');
    await click('change_approve', `/ops approve ${rollback.id}`, 'U2BOB', rollback.ts);
    await outcome(rollback.id, 'succeeded')();
    expect(imageOf('prod', 'search')).toBe(IMAGE('prod', 'search', '1.4.2'));
  });

  it('a request nobody decides expires and can no longer be approved', async () => {
    // Its own queue: whichever worker runs the proposal sets the approval window.
    const short = await startApp(
      { ...env(), SHIPMATE_QUEUE_PREFIX: `${prefix}-expiry` },
      { approvalTtlMs: 300 },
    );
    try {
      const before = slack.calls.length;
      await postSigned(
        short.baseUrl,
        slashCommand('deploy checkout 1.8.0 to staging', { triggerId: 'trig-expire' }),
        SIGNING_SECRET,
      );
      const req = await requestFrom(before);
      await slack.waitFor(
        (c) =>
          c.some(
            (x) =>
              x.method === 'chat.update' &&
              x.args.ts === req.ts &&
              JSON.stringify(x.args.blocks).includes('Expired'),
          ),
        10_000,
        'the expiry',
      );
      const res = await postSigned(
        short.baseUrl,
        blockAction({
          actionId: 'change_approve',
          value: `/ops approve ${req.id}`,
          user: 'U1ALICE',
          messageTs: req.ts,
          responseUrl: slack.responseUrl('late'),
        }),
        SIGNING_SECRET,
      );
      expect(res.status).toBe(200);
      await slack.waitFor(
        (c) => c.some((x) => x.method === 'response_url' && x.args.id === 'late'),
        10_000,
        'refusal',
      );
      expect(String(slack.of('response_url').find((x) => x.args.id === 'late')?.args.text)).toContain(
        'is expired',
      );
      expect(writesTo('checkout').filter((w) => w.namespace === 'staging')).toEqual([]);
    } finally {
      await short.stop();
      await cleanRedis(`${prefix}-expiry`);
    }
  });

  it('a worker killed during the watch: another worker finishes the job without patching again', async () => {
    // A separate worker process runs the job; the test kills it mid-rollout.
    const slow = await startFakeKube({ objects: cluster(), rolloutTickMs: 400, timeScale: 0.002 });
    const slowPrefix = `${prefix}-kill`;
    const common = {
      ...env(),
      // startApp adds REDIS_URL itself; the child gets only what is passed here.
      REDIS_URL,
      KUBECONFIG: slow.kubeconfigPath,
      SHIPMATE_QUEUE_PREFIX: slowPrefix,
      LOG_LEVEL: 'warn',
    };
    let web: (ShipmateApp & { baseUrl: string }) | undefined;
    let child: RunningMain | undefined;
    let second: (ShipmateApp & { baseUrl: string }) | undefined;
    try {
      web = await startApp({ ...common, SHIPMATE_ROLE: 'web' });
      child = startMain({ ...common, PORT: '0', SHIPMATE_ROLE: 'worker' });
      const before = slack.calls.length;
      await postSigned(
        web.baseUrl,
        slashCommand('deploy checkout 1.9.0 to prod', { triggerId: 'trig-kill' }),
        SIGNING_SECRET,
      );
      const req = await requestFrom(before);
      await postSigned(
        web.baseUrl,
        blockAction({
          actionId: 'change_approve',
          value: `/ops approve ${req.id}`,
          user: 'U3CAROL',
          messageTs: req.ts,
        }),
        SIGNING_SECRET,
      );
      // Wait until the patch happened and the watch is running, then kill -9 the worker.
      const deadline = Date.now() + 15_000;
      while (
        !slow.writes.some((w) => w.name === 'checkout' && w.namespace === 'prod') &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 20));
      expect(slow.writes.filter((w) => w.name === 'checkout' && w.namespace === 'prod')).toHaveLength(1);
      await child.stop('SIGKILL');
      second = await startApp({ ...common, SHIPMATE_ROLE: 'worker' });
      await outcome(req.id, 'succeeded')();
      expect(slow.writes.filter((w) => w.name === 'checkout' && w.namespace === 'prod')).toHaveLength(1);
    } finally {
      // Whatever failed above: no process, connection or key outlives the test.
      await child?.stop('SIGKILL');
      await second?.stop();
      await web?.stop();
      await slow.close();
      await cleanRedis(slowPrefix);
    }
  }, 60_000);
});

describe('deploys from the console, approved by a second person with /as', () => {
  it('runs the whole flow', async () => {
    const kube = await startFakeKube({ objects: cluster(), rolloutTickMs: 20, timeScale: 0.002 });
    const prefix = uniquePrefix('deploy-console');
    let child: RunningMain | undefined;
    try {
      child = startMain({
        REDIS_URL,
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_CONFIG: teamFile(TEAM),
        KUBECONFIG: kube.kubeconfigPath,
        SHIPMATE_CONSOLE_USER: 'U1ALICE',
        LOG_LEVEL: 'warn',
      });
      child.write('/ops deploy checkout 2.0.0 to prod\n');
      const id = await child.waitForOutput(/\[Approve\] → \/ops approve (req-[A-Za-z0-9]+)/);
      child.write(`/ops approve ${id}\n`);
      await child.waitForOutput(/someone else must approve it/);
      expect(kube.writes).toEqual([]);
      child.write(`/as U2BOB /ops approve ${id}\n`);
      await child.waitForOutput(/Deploy of checkout to prod succeeded/);
      child.end();
      const r = await child.done;
      expect(r.code).toBe(0);
      expect(kube.writes.filter((w) => w.name === 'checkout' && w.namespace === 'prod')).toHaveLength(1);
    } finally {
      // A failed wait above leaves the console reading stdin forever: kill it, and drop its own queue's keys.
      await child?.stop('SIGKILL');
      await kube.close();
      await cleanRedis(prefix);
    }
  }, 60_000);
});
