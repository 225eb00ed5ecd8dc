import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, start as startFakeGitHub } from '../../sandbox/fake-github.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../sandbox/fake-openai.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { watchJobId } from '../../src/jobs/processors/tests-watch.ts';
import {
  cleanRedis,
  fakesEnv,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { postGitHubWebhook, workflowRunEvent } from '../support/github-webhooks.ts';
import { blockAction, postSigned, slashCommand } from '../support/slack-requests.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'draft-tests');
const FILES = JSON.parse(readFileSync(join(FIX, 'jest-repo.json'), 'utf8')) as Record<string, string>;
const GOOD = readFileSync(join(FIX, 'jest-answer.md'), 'utf8');
const SECRET = 'whsec-tests-watch-0123456789abcdef';
const TEAM = `
services:
  checkout:
    repo: acme/shop
    environments:
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE], approvers: [U2BOB] }
admins: [U9ADMIN]
`;
/** Ten minutes: no poll comes within a test's life, so only a delivery can make the watch look. */
const POLL_MS = 10 * 60_000;

const blocksOf = (c: SlackCall | undefined) => JSON.stringify(c?.args.blocks ?? []);

/** A workflow_run delivery for `sha` on `branch` of acme/shop. */
function delivery(sha: string, branch: string, action: 'completed' | 'in_progress' = 'completed'): string {
  const body = JSON.parse(
    workflowRunEvent({ owner: 'acme', repo: 'shop', runId: 4242, branch, action, conclusion: 'success' }),
  ) as { workflow_run: Record<string, unknown> };
  body.workflow_run.head_sha = sha;
  if (action !== 'completed') body.workflow_run.conclusion = null;
  return JSON.stringify(body);
}

describe('the CI of a drafted tests PR, woken by the workflow_run webhook', () => {
  const prefix = uniquePrefix('tests-webhook');
  let slack: FakeSlack;
  let github: FakeGitHub;
  let llm: FakeOpenAI;
  let app: ShipmateApp & { baseUrl: string };
  let runId = 500;

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
            runs: [],
            files: FILES,
            // CI appears with the push, already finished and green.
            onPush: (push) => ({
              id: ++runId,
              name: 'CI',
              headSha: push.sha,
              headBranch: push.branch,
              event: 'pull_request',
              conclusion: 'success',
              runNumber: runId,
              jobs: [
                {
                  id: runId * 10,
                  name: 'test',
                  conclusion: 'success',
                  steps: [{ name: 'Run npm test', conclusion: 'success' }],
                  log: '2026-12-02T10:00:03.0000000Z Tests:       2 passed, 2 total',
                },
              ],
            }),
          },
        ],
      }),
    ]);
    app = await startApp(
      {
        ...fakesEnv({ slack, github, llm }),
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_CONFIG: teamFile(TEAM),
        GITHUB_WEBHOOK_SECRET: SECRET,
      },
      { tests: { firstPollMs: POLL_MS, maxPollMs: POLL_MS, limitMs: 60 * 60_000 } },
    );
  });
  afterAll(async () => {
    try {
      await app?.stop();
    } finally {
      await Promise.all([slack?.close(), github?.close(), llm?.close()]);
      await cleanRedis(prefix);
    }
  });

  const finals = (needle: string) =>
    slack.calls.filter(
      (c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && blocksOf(c).includes(needle),
    );
  const hook = (body: string, signature?: string) =>
    postGitHubWebhook(app.baseUrl, body, { secret: SECRET, ...(signature ? { signature } : {}) });

  let jobId = '';
  let sha = '';
  let branch = '';

  it('opens the draft PR; its watch waits for a poll ten minutes away', async () => {
    llm.script([{ content: GOOD }]);
    await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop src/cart.ts', { triggerId: 'w-1' }),
      SIGNING_SECRET,
    );
    await slack.waitFor(() => finals('tests_open').length > 0, 30_000, 'the preview');
    const preview = finals('tests_open')[0];
    const draftId = /\/ops tests open (td-[0-9a-f]{12})/.exec(blocksOf(preview))?.[1] ?? '';
    await postSigned(
      app.baseUrl,
      blockAction({
        actionId: 'tests_open',
        value: `/ops tests open ${draftId}`,
        user: 'U1ALICE',
        messageTs: String(preview?.args.ts),
        responseUrl: slack.responseUrl('w-open'),
      }),
      SIGNING_SECRET,
    );
    await slack.waitFor(() => finals('Opened draft pull request').length > 0, 30_000, 'the PR message');
    const ref = github.writes.refs.find((r) => r.repo === 'shop' && r.branch.startsWith('shipmate/tests/'));
    sha = ref?.sha ?? '';
    branch = ref?.branch ?? '';
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    jobId = watchJobId({ draftId, round: 1 });
    expect(await app.jobs.queue.getJobState(jobId)).toBe('delayed');
  });

  it('a delivery for another commit or branch, a run still in progress, or a bad signature changes nothing', async () => {
    expect((await hook(delivery('0'.repeat(40), branch))).status).toBe(204);
    expect((await hook(delivery(sha, 'main'))).status).toBe(204);
    expect((await hook(delivery(sha, branch, 'in_progress'))).status).toBe(204);
    expect((await hook(delivery(sha, branch), `sha256=${'0'.repeat(64)}`)).status).toBe(401);
    expect(await app.jobs.queue.getJobState(jobId)).toBe('delayed');
    expect(finals('CI passed on')).toHaveLength(0);
  });

  it('a completed run of the PR head makes the watch look now: CI passing is reported without waiting for the poll', async () => {
    const res = await hook(delivery(sha, branch));
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({ jobId, promoted: true });
    await slack.waitFor(() => finals('CI passed on').length > 0, 15_000, 'the CI report');
    await app.jobs.waitForJobs([jobId], 15_000);
    expect(await app.jobs.queue.getJobState(jobId)).toBe('completed');
  });

  it('GitHub delivering it again (or a second workflow) reports nothing more', async () => {
    const res = await hook(delivery(sha, branch));
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({ jobId, promoted: false });
    await app.jobs.waitForJobs([jobId], 15_000);
    expect(finals('CI passed on')).toHaveLength(1);
  });
});
