/**
 * The real Octokit through createRepoPort against the fake GitHub API: resolving refs, the recursive
 * tree (and GitHub's truncation flag), file text (base64, and the blob fallback over 1 MB), a pull
 * request and its files, one commit per commitFiles through the Git data API (creating the branch,
 * then fast-forwarding it), draft pull requests and their refusal, the permission named in a 403,
 * runs of a pushed commit by head_sha, the App installation shared with the Actions port, and the
 * agent's read-only port.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, type FakePush, type FakeRepo, start } from '../../sandbox/fake-github.ts';
import { createGitHubPort } from '../../src/clients/github.ts';
import { createRepoPort, readOnlyRepo } from '../../src/clients/github-repo.ts';
import { createGitHubSession } from '../../src/clients/github-session.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type { RepoPort } from '../../tools/shared/repo-port.ts';

const TOKEN = 'ghp_fakeRepoTestToken00000000000000000000';
const shop = { owner: 'acme', repo: 'shop' };

const CART =
  'export function total(items: { price: number }[]): number {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n// café ✓\n';
const BIG = `${'// a generated table\n'.repeat(60_000)}export const last = 1;\n`; // ~1.2 MB

function repos(pushes: FakePush[]): FakeRepo[] {
  return [
    {
      owner: 'acme',
      name: 'shop',
      defaultBranch: 'main',
      installationId: 77,
      files: {
        'package.json': '{"devDependencies":{"jest":"29.7.0"}}\n',
        'src/cart.ts': CART,
        'src/deep/nested/util.ts': 'export const x = 1;\n',
        'test/cart.test.ts': "import { total } from '../src/cart.ts';\n",
        'src/big.ts': BIG,
      },
      branches: { 'feature/discounts': { 'src/cart.ts': CART, 'src/discount.ts': 'export const d = 2;\n' } },
      pulls: [
        {
          number: 7,
          title: 'Discounts',
          author: 'alice',
          head: 'feature/discounts',
          files: [
            { path: 'src/discount.ts', status: 'added', additions: 40, deletions: 0 },
            { path: 'src/cart.ts', status: 'modified', additions: 3, deletions: 1 },
          ],
        },
      ],
      onPush: (push) => {
        pushes.push(push);
        const fails = Object.values(push.files).some((t) => t.includes('FAIL'));
        return {
          id: 5000 + pushes.length,
          headBranch: push.branch,
          conclusion: fails ? 'failure' : 'success',
        };
      },
    },
    { owner: 'acme', name: 'closed', defaultBranch: 'main', files: { 'a.ts': 'x' }, draftsUnsupported: true },
    {
      owner: 'acme',
      name: 'huge',
      defaultBranch: 'main',
      files: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f/${i}.ts`, `${i}`])),
      truncatedTree: 10,
    },
  ];
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('GitHub repository client (token) against the fake API', () => {
  let fake: FakeGitHub;
  let port: RepoPort;
  let actions: GitHubPort;
  const pushes: FakePush[] = [];
  beforeAll(async () => {
    fake = await start({ repos: repos(pushes), tokens: [TOKEN] });
    const opts = { baseUrl: fake.url, token: TOKEN, retries: 0 };
    const session = createGitHubSession(opts);
    port = createRepoPort(opts, session);
    actions = createGitHubPort(opts, session);
  });
  afterAll(() => fake.close());

  it('resolves a branch, a branch with a slash and a sha; an unknown ref is github_ref_not_found', async () => {
    const main = await port.resolveRef({ ...shop, ref: 'main' });
    expect(main).toBe(fake.branchHead('acme', 'shop', 'main'));
    const feature = await port.resolveRef({ ...shop, ref: 'feature/discounts' });
    expect(feature).toBe(fake.branchHead('acme', 'shop', 'feature/discounts'));
    expect(feature).not.toBe(main);
    expect(await port.resolveRef({ ...shop, ref: main })).toBe(main);
    const e = await appError(port.resolveRef({ ...shop, ref: 'nope' }));
    expect(e.code).toBe('github_ref_not_found');
    expect(e.userMessage).toContain('`nope`');
    const r = await appError(port.resolveRef({ owner: 'acme', repo: 'ghost', ref: 'main' }));
    expect(r.code).toBe('github_repo_not_found');
  });

  it('reads the recursive tree with folders and sizes, and says when GitHub truncated it', async () => {
    const commitSha = await port.resolveRef({ ...shop, ref: 'main' });
    const tree = await port.getTree({ ...shop, commitSha });
    expect(tree.commitSha).toBe(commitSha);
    expect(tree.truncated).toBe(false);
    const paths = tree.entries.map((e) => `${e.type}:${e.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'tree:src',
        'tree:src/deep/nested',
        'blob:src/deep/nested/util.ts',
        'blob:test/cart.test.ts',
      ]),
    );
    expect(tree.entries.find((e) => e.path === 'src/cart.ts')?.size).toBe(Buffer.byteLength(CART));
    expect(fake.requestsTo(/\/git\/trees\//).at(-1)?.query.recursive).toBe('1');

    const huge = { owner: 'acme', repo: 'huge' };
    const cut = await port.getTree({ ...huge, commitSha: await port.resolveRef({ ...huge, ref: 'main' }) });
    expect(cut.truncated).toBe(true);
    expect(cut.entries).toHaveLength(10);
  });

  it("reads a file's UTF-8 text at a commit, a file over 1 MB through its blob, and undefined for none", async () => {
    const commitSha = await port.resolveRef({ ...shop, ref: 'main' });
    const file = await port.getFile({ ...shop, path: 'src/cart.ts', commitSha });
    expect(file?.text).toBe(CART);
    expect(file?.size).toBe(Buffer.byteLength(CART));
    expect(fake.requestsTo(/^\/repos\/acme\/shop\/contents\/src(\/|%2F)cart\.ts$/).at(-1)?.query.ref).toBe(
      commitSha,
    );

    const big = await port.getFile({ ...shop, path: 'src/big.ts', commitSha });
    expect(big?.text).toBe(BIG);
    expect(fake.requestsTo(`/repos/acme/shop/git/blobs/${big?.sha}`)).toHaveLength(1);

    expect(await port.getFile({ ...shop, path: 'src/missing.ts', commitSha })).toBeUndefined();
    expect(await port.getFile({ ...shop, path: 'src', commitSha })).toBeUndefined();
    const feature = await port.resolveRef({ ...shop, ref: 'feature/discounts' });
    expect((await port.getFile({ ...shop, path: 'src/discount.ts', commitSha: feature }))?.text).toBe(
      'export const d = 2;\n',
    );
  });

  it('reads a pull request and the files it changes', async () => {
    const pull = await port.getPull({ ...shop, number: 7 });
    expect(pull).toMatchObject({
      number: 7,
      title: 'Discounts',
      author: 'alice',
      headRef: 'feature/discounts',
      headRepo: 'acme/shop',
      baseRef: 'main',
      headSha: fake.branchHead('acme', 'shop', 'feature/discounts'),
      state: 'open',
      url: 'https://github.com/acme/shop/pull/7',
    });
    expect(await port.listPullFiles({ ...shop, number: 7 })).toEqual([
      { path: 'src/discount.ts', status: 'added', additions: 40, deletions: 0, changes: 40 },
      { path: 'src/cart.ts', status: 'modified', additions: 3, deletions: 1, changes: 4 },
    ]);
    const e = await appError(port.getPull({ ...shop, number: 404 }));
    expect(e.code).toBe('github_not_found');
    expect(e.userMessage).toContain('pull request #404');
  });

  it('commits files as one commit on a new branch, then fast-forwards it with a second; runs by head_sha', async () => {
    const base = await port.resolveRef({ ...shop, ref: 'main' });
    const first = await port.commitFiles({
      ...shop,
      branch: 'shipmate/tests/cart',
      baseSha: base,
      files: [{ path: 'test/cart.total.test.ts', text: "test('total', () => { /* FAIL */ });\n" }],
      message: 'Add tests for src/cart.ts',
    });
    expect(fake.branchHead('acme', 'shop', 'shipmate/tests/cart')).toBe(first.commitSha);
    expect(fake.parentsOf('acme', 'shop', first.commitSha)).toEqual([base]);
    expect(fake.writes.commits.map((c) => c.sha)).toEqual([first.commitSha]);
    expect(fake.writes.commits[0]).toMatchObject({
      message: 'Add tests for src/cart.ts',
      files: { 'test/cart.total.test.ts': "test('total', () => { /* FAIL */ });\n" },
    });
    expect(fake.writes.refs).toEqual([
      { owner: 'acme', repo: 'shop', branch: 'shipmate/tests/cart', sha: first.commitSha, created: true },
    ]);
    // The base tree was kept: the branch has every file of main plus the new one.
    const files = fake.filesAt('acme', 'shop', 'shipmate/tests/cart');
    expect(Object.keys(files ?? {}).sort()).toEqual(
      [...Object.keys(fake.filesAt('acme', 'shop', 'main') ?? {}), 'test/cart.total.test.ts'].sort(),
    );
    expect(fake.requestsTo('/repos/acme/shop/git/blobs')[0]?.body).toMatchObject({ encoding: 'utf-8' });

    const red = await actions.listWorkflowRuns({ ...shop, headSha: first.commitSha });
    expect(red.map((r) => [r.headSha, r.conclusion])).toEqual([[first.commitSha, 'failure']]);
    expect(fake.requestsTo('/repos/acme/shop/actions/runs').at(-1)?.query.head_sha).toBe(first.commitSha);

    const second = await port.commitFiles({
      ...shop,
      branch: 'shipmate/tests/cart',
      baseSha: base,
      files: [{ path: 'test/cart.total.test.ts', text: "test('total', () => { expect(1).toBe(1); });\n" }],
      message: 'Fix the drafted test',
    });
    expect(fake.parentsOf('acme', 'shop', second.commitSha)).toEqual([first.commitSha]);
    expect(fake.writes.refs.at(-1)).toEqual({
      owner: 'acme',
      repo: 'shop',
      branch: 'shipmate/tests/cart',
      sha: second.commitSha,
      created: false,
    });
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    expect(decodeURIComponent(patch?.path ?? '')).toBe('/repos/acme/shop/git/refs/heads/shipmate/tests/cart');
    expect(patch?.body).toMatchObject({ sha: second.commitSha, force: false });
    expect(pushes.map((p) => p.sha)).toEqual([first.commitSha, second.commitSha]);
    const green = await actions.listWorkflowRuns({ ...shop, headSha: second.commitSha });
    expect(green.map((r) => [r.headSha, r.headBranch, r.conclusion])).toEqual([
      [second.commitSha, 'shipmate/tests/cart', 'success'],
    ]);
  });

  it('opens a draft pull request', async () => {
    const pull = await port.createPull({
      ...shop,
      head: 'shipmate/tests/cart',
      base: 'main',
      title: 'Tests for src/cart.ts',
      body: 'Drafted by Shipmate',
      draft: true,
    });
    expect(pull).toEqual({ number: 8, url: 'https://github.com/acme/shop/pull/8', draft: true });
    expect(fake.writes.pulls).toEqual([
      {
        owner: 'acme',
        repo: 'shop',
        number: 8,
        title: 'Tests for src/cart.ts',
        body: 'Drafted by Shipmate',
        head: 'shipmate/tests/cart',
        base: 'main',
        draft: true,
      },
    ]);
    const again = await appError(
      port.createPull({
        ...shop,
        head: 'shipmate/tests/cart',
        base: 'main',
        title: 't',
        body: '',
        draft: true,
      }),
    );
    expect(again.code).toBe('github_error');
    expect(again.userMessage).toContain('A pull request already exists for acme:shipmate/tests/cart.');
  });

  it('turns the 422 for drafts into github_drafts_unsupported, and a normal pull request still opens', async () => {
    const closed = { owner: 'acme', repo: 'closed' };
    const baseSha = await port.resolveRef({ ...closed, ref: 'main' });
    await port.commitFiles({
      ...closed,
      branch: 'b',
      baseSha,
      files: [{ path: 'a.test.ts', text: 't' }],
      message: 'm',
    });
    const req = { ...closed, head: 'b', base: 'main', title: 'T', body: 'B' };
    const e = await appError(port.createPull({ ...req, draft: true }));
    expect(e.code).toBe('github_drafts_unsupported');
    expect(e.userMessage).toContain('Draft pull requests are not supported');
    expect(await port.createPull({ ...req, title: '[Draft] T', draft: false })).toMatchObject({
      draft: false,
    });
  });

  it('names the permission a 403 lacks: Pull requests: write to open, Contents: write to commit, reads', async () => {
    fake.fail({
      method: 'POST',
      path: '/repos/acme/shop/pulls',
      status: 403,
      body: { message: 'Resource not accessible by personal access token' },
    });
    const pr = await appError(
      port.createPull({
        ...shop,
        head: 'feature/discounts',
        base: 'main',
        title: 't',
        body: '',
        draft: true,
      }),
    );
    expect(pr.code).toBe('github_no_access');
    expect(pr.userMessage).toContain("'Pull requests: write'");
    expect(pr.userMessage).toContain("'repo' scope");

    fake.fail({
      method: 'POST',
      path: '/repos/acme/shop/git/blobs',
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    const base = await port.resolveRef({ ...shop, ref: 'main' });
    const commit = await appError(
      port.commitFiles({
        ...shop,
        branch: 'x',
        baseSha: base,
        files: [{ path: 'a', text: 'b' }],
        message: 'm',
      }),
    );
    expect(commit.code).toBe('github_no_access');
    expect(commit.userMessage).toContain("'Contents: write'");
    expect(fake.branchHead('acme', 'shop', 'x')).toBeUndefined();

    fake.fail({
      path: /\/git\/trees\//,
      status: 403,
      body: { message: 'Resource not accessible by personal access token' },
    });
    const read = await appError(port.getTree({ ...shop, commitSha: base }));
    expect(read.userMessage).toContain("'Contents: read'");
    expect(read.userMessage).toContain("'Pull requests: read'");
  });

  it('refuses to move a branch that is not a fast-forward', async () => {
    const base = await port.resolveRef({ ...shop, ref: 'main' });
    const { commitSha } = await port.commitFiles({
      ...shop,
      branch: 'race',
      baseSha: base,
      files: [{ path: 'r', text: '1' }],
      message: 'm',
    });
    // Someone else moves the branch between our read of its head and our update.
    fake.fail({
      method: 'PATCH',
      path: /\/git\/refs\/heads(\/|%2F)race$/,
      status: 422,
      body: { message: 'Update is not a fast forward' },
    });
    const e = await appError(
      port.commitFiles({
        ...shop,
        branch: 'race',
        baseSha: base,
        files: [{ path: 'r', text: '2' }],
        message: 'm',
      }),
    );
    expect(e.code).toBe('github_conflict');
    expect(e.userMessage).toContain('not a fast forward');
    expect(fake.branchHead('acme', 'shop', 'race')).toBe(commitSha);
  });

  it("gives the agent a read-only port: reads work, commits and pull requests need a person's click", async () => {
    const ro = readOnlyRepo(port);
    expect(await ro.resolveRef({ ...shop, ref: 'main' })).toBe(fake.branchHead('acme', 'shop', 'main'));
    const before = fake.requests.length;
    const c = await appError(ro.commitFiles({ ...shop, branch: 'y', baseSha: 'x', files: [], message: 'm' }));
    const p = await appError(
      ro.createPull({ ...shop, head: 'y', base: 'main', title: 't', body: '', draft: true }),
    );
    expect([c.code, p.code]).toEqual(['needs_approval', 'needs_approval']);
    expect(fake.requests.length).toBe(before);
  });
});

describe('GitHub repository client (App) against the fake API', () => {
  it('shares the installation look-up with the Actions port and writes with the installation token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fake = await start({ repos: repos([]), appId: '12345' });
    try {
      const opts = {
        baseUrl: fake.url,
        appId: '12345',
        privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        retries: 0,
      };
      const session = createGitHubSession(opts);
      const port = createRepoPort(opts, session);
      const actions = createGitHubPort(opts, session);
      await actions.getDefaultBranch(shop);
      const baseSha = await port.resolveRef({ ...shop, ref: 'main' });
      await port.commitFiles({
        ...shop,
        branch: 'app',
        baseSha,
        files: [{ path: 'a', text: 'b' }],
        message: 'm',
      });
      expect(fake.requestsTo('/repos/acme/shop/installation')).toHaveLength(1);
      expect(fake.requestsTo('/repos/acme/shop/git/commits').map((r) => r.credential)).toEqual([
        'installation:77',
      ]);
    } finally {
      await fake.close();
    }
  });
});
