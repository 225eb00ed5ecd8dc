import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, type FakeRun, start as startFakeGitHub } from '../../sandbox/fake-github.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../sandbox/fake-openai.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import {
  cleanRedis,
  fakesEnv,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';
import { blockAction, postSigned, slashCommand } from '../support/slack-requests.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'draft-tests');
const FILES = JSON.parse(readFileSync(join(FIX, 'jest-repo.json'), 'utf8')) as Record<string, string>;
const GOOD = readFileSync(join(FIX, 'jest-answer.md'), 'utf8');
/** The same draft with a wrong expectation: it parses and passes the checks, and fails in CI. */
const WRONG = GOOD.replace('toBe(7)', 'toBe(8)');
/** A draft far longer than a message shows (about 6,000 characters): it goes with the preview as a file. */
const EXTRA_CASES = Array.from(
  { length: 40 },
  (_, i) =>
    `  it('sums ${i + 1} single items', () => {\n    expect(total(Array.from({ length: ${i + 1} }, () => ({ price: 1, qty: 1 })))).toBe(${i + 1});\n  });`,
).join('\n');
const LONG = GOOD.replace('\n});\n```', `\n${EXTRA_CASES}\n});\n${'```'}`);

const TEAM = `
services:
  checkout:
    repo: acme/shop
    environments:
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE], approvers: [U2BOB] }
admins: [U9ADMIN]
`;

const blocksOf = (c: SlackCall | undefined) => JSON.stringify(c?.args.blocks ?? []);

/** A run for a pushed commit: it fails when the pushed test expects 8, with a Jest log naming the file. */
function ciFor(sha: string, code: string, id: number): FakeRun {
  const fails = code.includes('toBe(8)');
  return {
    id,
    name: 'CI',
    headBranch: 'shipmate/tests',
    headSha: sha,
    event: 'pull_request',
    conclusion: fails ? 'failure' : 'success',
    runNumber: id,
    jobs: [
      {
        id: id * 10,
        name: 'test',
        conclusion: fails ? 'failure' : 'success',
        steps: [
          { name: 'Set up job', conclusion: 'success' },
          { name: 'Run npm test', conclusion: fails ? 'failure' : 'success' },
        ],
        log: [
          '2026-12-02T10:00:00.0000000Z ##[group]Run npm test',
          '2026-12-02T10:00:00.0000000Z \x1b[36;1mnpm test\x1b[0m',
          '2026-12-02T10:00:00.0000000Z shell: /usr/bin/bash -e {0}',
          '2026-12-02T10:00:00.0000000Z ##[endgroup]',
          '2026-12-02T10:00:01.0000000Z > jest',
          fails
            ? '2026-12-02T10:00:02.0000000Z FAIL src/cart.test.ts'
            : '2026-12-02T10:00:02.0000000Z PASS src/cart.test.ts',
          ...(fails
            ? [
                '2026-12-02T10:00:02.0000000Z   ● total › sums price times quantity',
                '2026-12-02T10:00:02.0000000Z     expect(received).toBe(expected) // Object.is equality',
                '2026-12-02T10:00:02.0000000Z     Expected: 8',
                '2026-12-02T10:00:02.0000000Z     Received: 7',
                '2026-12-02T10:00:02.0000000Z       at Object.<anonymous> (src/cart.test.ts:5:72)',
                '2026-12-02T10:00:03.0000000Z Tests:       1 failed, 1 passed, 2 total',
                '2026-12-02T10:00:03.0000000Z ##[error]Process completed with exit code 1.',
              ]
            : ['2026-12-02T10:00:03.0000000Z Tests:       2 passed, 2 total']),
        ].join('\n'),
      },
    ],
  };
}

describe('/ops tests: draft, check, open a draft PR, watch its CI', () => {
  const prefix = uniquePrefix('tests-draft');
  let slack: FakeSlack;
  let github: FakeGitHub;
  let llm: FakeOpenAI;
  let app: ShipmateApp & { baseUrl: string };
  let trig = 0;
  let runId = 900;

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
            onPush: (push) => {
              const code = push.files['src/cart.test.ts'];
              return code === undefined ? undefined : ciFor(push.sha, code, ++runId);
            },
          },
        ],
      }),
    ]);
    app = await startApp(
      {
        ...fakesEnv({ slack, github, llm }),
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_CONFIG: teamFile(TEAM),
      },
      { tests: { firstPollMs: 50, maxPollMs: 200, limitMs: 30_000 } },
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

  const finalWith = (needle: string) =>
    slack.calls.find(
      (c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && blocksOf(c).includes(needle),
    );

  let draftId = '';
  let previewTs = '';

  it('drafts a checked test file and previews it with Open draft PR / Discard', async () => {
    // First answer has the wrong expectation: the checks pass it (CI will not).
    llm.script([{ content: WRONG }, { content: GOOD }]);
    const res = await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop src/cart.ts', { triggerId: `t-${++trig}` }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await slack.waitFor(() => finalWith('tests_open') !== undefined, 30_000, 'the preview');
    const preview = finalWith('tests_open') as SlackCall;
    const blocks = blocksOf(preview);
    expect(blocks).toContain('src/cart.test.ts');
    expect(blocks).toContain('Generated by gpt-test — review before merging');
    draftId = /\/ops tests open (td-[0-9a-f]{12})/.exec(blocks)?.[1] ?? '';
    previewTs = String(preview.args.ts ?? '');
    expect(draftId).toMatch(/^td-/);
    // The model saw the repository's own test as the style example.
    expect(JSON.stringify(llm.requests[0]?.body)).toContain('src/price.test.ts');
  });

  it('refuses an Open draft PR click from someone who may not, saying who can', async () => {
    const res = await postSigned(
      app.baseUrl,
      blockAction({
        actionId: 'tests_open',
        value: `/ops tests open ${draftId}`,
        user: 'U3EVE',
        messageTs: previewTs,
        responseUrl: slack.responseUrl(`r${++trig}`),
      }),
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await slack.waitFor(
      (calls) => calls.some((c) => JSON.stringify(c.args).includes("You can't open this pull request")),
      15_000,
      'the refusal',
    );
    const refusal = slack.calls.find((c) =>
      JSON.stringify(c.args).includes("You can't open this pull request"),
    );
    expect(JSON.stringify(refusal?.args)).toContain('Only the deployers of `checkout`');
    expect(github.writes.pulls).toHaveLength(0);
  });

  it('opens a draft PR with one commit, then reports the CI failure, pushes one revision and reports CI passing', async () => {
    await postSigned(
      app.baseUrl,
      blockAction({
        actionId: 'tests_open',
        value: `/ops tests open ${draftId}`,
        user: 'U1ALICE',
        messageTs: previewTs,
        responseUrl: slack.responseUrl(`r${++trig}`),
      }),
      SIGNING_SECRET,
    );
    await slack.waitFor(() => finalWith('Opened draft pull request') !== undefined, 30_000, 'the PR message');
    expect(github.writes.pulls).toHaveLength(1);
    expect(github.writes.pulls[0]).toMatchObject({ draft: true, base: 'main' });
    expect(github.writes.pulls[0]?.head).toMatch(/^shipmate\/tests\/cart-/);
    const first = github.writes.commits.filter((c) => c.repo === 'shop');
    expect(first).toHaveLength(1);
    expect(Object.keys(first[0]?.files ?? {})).toEqual(['src/cart.test.ts']);

    await slack.waitFor(() => finalWith('Pushed a revision') !== undefined, 30_000, 'the revision');
    expect(github.writes.commits.filter((c) => c.repo === 'shop')).toHaveLength(2);
    // The model's second request carried the triage of the failure.
    expect(JSON.stringify(llm.requests.at(-1)?.body)).toContain('Expected: 8');
    await slack.waitFor(() => finalWith('CI passed on') !== undefined, 30_000, 'CI passing');
    expect(blocksOf(finalWith('CI passed on'))).toContain('after 1 revision');
  });

  it('a second click on the same draft opens nothing more', async () => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand(`tests open ${draftId}`, { user: 'U9ADMIN', triggerId: `t-${++trig}` }),
      SIGNING_SECRET,
    );
    expect((res.json() as { text: string }).text).toContain('was already opened by <@U1ALICE>');
    expect(github.writes.pulls).toHaveLength(1);
  });

  it('a long draft goes into the thread as a file with the whole code; the preview keeps its buttons and says so', async () => {
    expect(LONG.length).toBeGreaterThan(5000);
    llm.script([{ content: LONG }]);
    await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop src/cart.ts', { triggerId: `t-${++trig}` }),
      SIGNING_SECRET,
    );
    await slack.waitFor(() => finalWith('attached in the thread') !== undefined, 30_000, 'the preview');
    const preview = finalWith('attached in the thread') as SlackCall;
    const blocks = blocksOf(preview);
    expect(blocks).toContain('tests_open');
    expect(blocks).toContain('tests_discard');
    expect(blocks).toContain('The full file (');
    expect(blocks).not.toContain('the whole file goes in the PR');
    expect(blocks).not.toContain('sums 40 single items');
    // One file, uploaded the files.uploadV2 way into the preview's thread, holding the whole draft.
    await slack.waitFor(() => slack.uploads.some((u) => u.completed), 10_000, 'the upload');
    const done = slack.uploads.filter((u) => u.completed);
    expect(done).toHaveLength(1);
    const file = done[0];
    expect(file).toMatchObject({
      filename: 'cart.test.ts',
      title: 'src/cart.test.ts',
      channel: 'C1OPS',
      threadTs: preview.args.ts,
    });
    expect(file?.content).toContain('sums price times quantity');
    expect(file?.content).toContain('sums 40 single items');
    expect(file?.content).not.toContain('…');
    expect(file?.length).toBe(Buffer.byteLength(file?.content ?? ''));
    expect(slack.of('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'cart.test.ts' });
    expect(slack.of('files.completeUploadExternal')[0]?.args).toMatchObject({
      channel_id: 'C1OPS',
      thread_ts: preview.args.ts,
    });
  });

  it('without the files:write scope the preview shows the code cut, says why naming the scope, and keeps its buttons', async () => {
    slack.failNext('files.getUploadURLExternal', 'missing_scope', 1, {
      needed: 'files:write',
      provided: 'commands,chat:write',
    });
    const before = slack.uploads.filter((u) => u.completed).length;
    llm.script([{ content: LONG }]);
    await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop src/cart.ts', { triggerId: `t-${++trig}` }),
      SIGNING_SECRET,
    );
    await slack.waitFor(() => finalWith('could not be attached') !== undefined, 30_000, 'the cut preview');
    const blocks = blocksOf(finalWith('could not be attached'));
    expect(blocks).toContain('lacks the `files:write` scope');
    expect(blocks).toContain('the whole file goes in the PR');
    expect(blocks).toContain('tests_open');
    expect(blocks).toContain('tests_discard');
    expect(slack.uploads.filter((u) => u.completed)).toHaveLength(before);
    // The preview's last word is the cut one: nothing edits it back.
    const last = slack
      .of('chat.update')
      .filter((c) => c.args.ts === finalWith('could not be attached')?.args.ts)
      .at(-1);
    expect(blocksOf(last)).toContain('could not be attached');
  });

  it('bad words get the usage line and change nothing', async () => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop', { triggerId: `t-${++trig}` }),
      SIGNING_SECRET,
    );
    const text = (res.json() as { text: string }).text;
    expect(text).toContain('Which file of acme/shop?');
    expect(text).toContain('Usage: `/ops tests');
  });
});

describe('/ops tests without an LLM', () => {
  const prefix = uniquePrefix('tests-nollm');
  let slack: FakeSlack;
  let github: FakeGitHub;
  let app: ShipmateApp & { baseUrl: string };
  beforeAll(async () => {
    [slack, github] = await Promise.all([
      startFakeSlack(),
      startFakeGitHub({
        repos: [{ owner: 'acme', name: 'shop', defaultBranch: 'main', runs: [], files: FILES }],
      }),
    ]);
    app = await startApp({
      ...fakesEnv({ slack, github }),
      SHIPMATE_QUEUE_PREFIX: prefix,
      SHIPMATE_CONFIG: teamFile(TEAM),
    });
  });
  afterAll(async () => {
    try {
      await app?.stop();
    } finally {
      await Promise.all([slack?.close(), github?.close()]);
      await cleanRedis(prefix);
    }
  });

  it('answers from the rules: framework, where the test goes, untested exports, and that drafting needs OPENAI_*', async () => {
    await postSigned(
      app.baseUrl,
      slashCommand('tests acme/shop src/cart.ts', { triggerId: 'nollm-1' }),
      SIGNING_SECRET,
    );
    const done = () =>
      slack.calls.find((c) => c.method === 'chat.update' && blocksOf(c).includes('drafting needs one'));
    await slack.waitFor(() => done() !== undefined, 30_000, 'the rules-only answer');
    const b = blocksOf(done());
    expect(b).toContain('framework jest');
    expect(b).toContain('src/cart.test.ts');
    expect(b).toContain('no test references total, label');
    expect(b).not.toContain('tests_open');
  });
});
