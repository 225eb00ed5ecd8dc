import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { z } from 'zod';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { defineFeature } from '../../src/features/feature.ts';
import { defineJobSpec, handle } from '../../src/jobs/spec.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { testTempDir } from '../support/tmp.ts';

/**
 * The queue dashboard in a real headless Chromium (Debian's `chromium`, which .ci/run installs),
 * driven by playwright-core: it logs in with the ADMIN_TOKEN, sees the queue and a finished job,
 * and takes a screenshot.
 */
const CHROMIUM = '/usr/bin/chromium';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const spec = defineJobSpec({ name: 'test_board', payload: z.object({ n: z.number() }) });
const job = handle(spec, async (run) => ({ message: { text: `board job ${run.payload.n} done` } }));
const feature = defineFeature({ name: 'test_board', needs: [], build: () => ({ jobs: [job] }) });

const basic = (password: string, user = 'admin') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the queue dashboard at /admin/queues', () => {
  const prefix = uniquePrefix('admin-queues');
  let slack: FakeSlack;
  let web: ShipmateApp & { baseUrl: string };
  let writable: ShipmateApp & { baseUrl: string };
  let off: ShipmateApp & { baseUrl: string };
  let worker: ShipmateApp & { baseUrl: string };
  let browser: Browser;
  let jobId = '';
  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SHIPMATE_QUEUE_PREFIX: prefix,
  });

  beforeAll(async () => {
    slack = await startFakeSlack();
    // The web role with the dashboard; an `all` role runs the job (and has no token: no dashboard).
    web = await startApp({ ...env(), SHIPMATE_ROLE: 'web', ADMIN_TOKEN }, { features: [feature] });
    writable = await startApp(
      { ...env(), SHIPMATE_ROLE: 'web', ADMIN_TOKEN, ADMIN_WRITE: 'true' },
      { features: [feature] },
    );
    off = await startApp({ ...env(), SHIPMATE_ROLE: 'all' }, { features: [feature] });
    worker = await startApp({ ...env(), SHIPMATE_ROLE: 'worker', ADMIN_TOKEN }, { features: [feature] });
    const r = await off.jobs.enqueue({
      spec,
      payload: { n: 1 },
      jobId: 'board-1',
      requestedBy: 'U1ALICE',
      target: { kind: 'slack', channel: 'C1OPS' },
      traceId: 'trace-board',
      title: 'Board job',
    });
    jobId = r.jobId;
    await off.jobs.waitForJobs([jobId], 15_000);
    expect(await off.jobs.queue.getJobState(jobId)).toBe('completed');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([web?.stop(), writable?.stop(), off?.stop(), worker?.stop()]);
    await slack?.close();
    await cleanRedis(prefix);
  });

  it('answers 401 with a basic-auth challenge without the token, or with a wrong one', async () => {
    for (const authorization of [
      undefined,
      basic('wrong-token-0123456789abcdef'),
      basic(`${ADMIN_TOKEN}x`),
      `Bearer ${ADMIN_TOKEN}`,
    ]) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
        const res = await fetch(`${web.baseUrl}${path}`, { headers: authorization ? { authorization } : {} });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(await res.text()).not.toContain('ops');
      }
    }
  });

  it('is not served without ADMIN_TOKEN, nor by the worker role', async () => {
    expect((await fetch(`${off.baseUrl}/admin/queues`)).status).toBe(404);
    const auth = { authorization: basic(ADMIN_TOKEN) };
    expect((await fetch(`${worker.baseUrl}/admin/queues`, { headers: auth })).status).toBe(404);
  });

  it('logs in in Chromium, shows the queue and the finished job, and takes a screenshot', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
    });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${web.baseUrl}/admin/queues`);
      expect(res?.status()).toBe(200);
      await page.getByText('Shipmate queues').first().waitFor({ timeout: 20_000 });
      await page.getByText('ops', { exact: true }).first().waitFor({ timeout: 20_000 });
      await page.goto(`${web.baseUrl}/admin/queues/queue/ops?status=completed`);
      // The finished job: its id and kind, its data, on the Completed tab.
      await page.getByText(jobId, { exact: true }).first().waitFor({ timeout: 20_000 });
      await page.getByText('test_board', { exact: true }).first().waitFor({ timeout: 5_000 });
      await page.getByText('Finished at').first().waitFor({ timeout: 5_000 });
      // Read-only: no Retry / Clean / Remove buttons for the jobs.
      expect(await page.getByRole('button', { name: /^(Clean|Remove|Retry)/i }).count()).toBe(0);
      const dir = testTempDir('shipmate-board-');
      const shot = join(dir, 'admin-queues.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await context.close();
    }
  });

  it('serves the API read-only unless ADMIN_WRITE=true', async () => {
    const auth = { authorization: basic(ADMIN_TOKEN) };
    const api = await fetch(`${web.baseUrl}/admin/queues/api/queues?activeQueue=ops&status=completed`, {
      headers: auth,
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as {
      queues: { name: string; readOnlyMode: boolean; jobs: { id: string }[] }[];
    };
    const ops = body.queues.find((q) => q.name === 'ops');
    expect(ops?.readOnlyMode).toBe(true);
    expect(ops?.jobs.map((j) => j.id)).toContain(jobId);
    const clean = `/admin/queues/api/queues/ops/clean/completed`;
    const refused = await fetch(`${web.baseUrl}${clean}`, { method: 'PUT', headers: auth });
    expect(refused.status).toBe(403);
    expect(await off.jobs.queue.getJobState(jobId)).toBe('completed');
    const rw = await fetch(`${writable.baseUrl}/admin/queues/api/queues?activeQueue=ops`, { headers: auth });
    const rwBody = (await rw.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(rwBody.queues.find((q) => q.name === 'ops')?.readOnlyMode).toBe(false);
  });
});
