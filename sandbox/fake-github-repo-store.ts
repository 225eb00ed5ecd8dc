/**
 * The object store behind the fake GitHub repositories (fake-github-repo.ts): per repository, blobs,
 * flat trees, commits and branch heads in memory with git's blob shas, ref resolution, the files at a
 * commit and what changed between two, ancestry for fast-forwards, moving a branch (recorded in
 * `writes`, and `onPush` may register a run), and the JSON answers the repository routes share.
 */

import { createHash } from 'node:crypto';
import type { FakeRepo } from './fake-github.ts';
import type { FakePull, RepoRoute, RepoWrites } from './fake-github-repo.ts';

export interface Commit {
  tree: string;
  parents: string[];
  message: string;
}

/** One repository's objects: blobs, flat trees (path → blob sha), commits and branch heads. */
export interface Store {
  blobs: Map<string, string>;
  trees: Map<string, Map<string, string>>;
  commits: Map<string, Commit>;
  heads: Map<string, string>;
  pulls: FakePull[];
}

export const HTML = 'https://github.com';
export const ONE_MB = 1024 * 1024;
export const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
export const gitBlobSha = (text: string) => sha1(`blob ${Buffer.byteLength(text)}\0${text}`);

/** One fake's repository objects and the writes made to them. */
export function createRepoStore() {
  const stores = new WeakMap<FakeRepo, Store>();
  const writes: RepoWrites = { commits: [], refs: [], pulls: [] };
  let counter = 0;

  const putBlob = (s: Store, text: string) => {
    const sha = gitBlobSha(text);
    s.blobs.set(sha, text);
    return sha;
  };
  const putTree = (s: Store, entries: Map<string, string>) => {
    const sha = sha1(`tree ${[...entries].sort(([a], [b]) => (a < b ? -1 : 1)).join('\n')}`);
    s.trees.set(sha, entries);
    return sha;
  };
  const putCommit = (s: Store, c: Commit) => {
    const sha = sha1(`commit ${c.tree} ${c.parents.join(',')} ${c.message} ${++counter}`);
    s.commits.set(sha, c);
    return sha;
  };
  const treeOf = (s: Store, files: Record<string, string>) =>
    putTree(s, new Map(Object.entries(files).map(([p, t]) => [p, putBlob(s, t)])));

  const store = (repo: FakeRepo): Store => {
    let s = stores.get(repo);
    if (s) return s;
    s = {
      blobs: new Map(),
      trees: new Map(),
      commits: new Map(),
      heads: new Map(),
      pulls: [...(repo.pulls ?? [])],
    };
    const main = repo.defaultBranch ?? 'main';
    const root = putCommit(s, { tree: treeOf(s, repo.files ?? {}), parents: [], message: 'Initial commit' });
    s.heads.set(main, root);
    for (const [branch, files] of Object.entries(repo.branches ?? {})) {
      s.heads.set(
        branch,
        putCommit(s, { tree: treeOf(s, files), parents: [root], message: `Work on ${branch}` }),
      );
    }
    stores.set(repo, s);
    return s;
  };

  /** A branch name or a commit sha (full or abbreviated) → commit sha. */
  const resolve = (s: Store, ref: string): string | undefined => {
    const name = ref.replace(/^refs\/heads\/|^heads\//, '');
    if (s.heads.has(name)) return s.heads.get(name);
    if (/^[0-9a-f]{7,40}$/.test(ref)) return [...s.commits.keys()].find((k) => k.startsWith(ref));
    return undefined;
  };
  const filesOf = (s: Store, commitSha: string): Record<string, string> => {
    const tree = s.trees.get(s.commits.get(commitSha)?.tree ?? '') ?? new Map();
    return Object.fromEntries([...tree].map(([p, b]) => [p, s.blobs.get(b) ?? '']));
  };
  const changed = (s: Store, from: string | undefined, to: string): Record<string, string> => {
    const before = from ? filesOf(s, from) : {};
    return Object.fromEntries(Object.entries(filesOf(s, to)).filter(([p, t]) => before[p] !== t));
  };
  const isAncestor = (s: Store, ancestor: string, of: string): boolean => {
    const seen = new Set<string>();
    const todo = [of];
    while (todo.length) {
      const c = todo.pop() as string;
      if (c === ancestor) return true;
      if (seen.has(c)) continue;
      seen.add(c);
      todo.push(...(s.commits.get(c)?.parents ?? []));
    }
    return false;
  };

  const moveRef = (repo: FakeRepo, s: Store, branch: string, sha: string, created: boolean) => {
    const parent = s.commits.get(sha)?.parents[0];
    s.heads.set(branch, sha);
    writes.refs.push({ owner: repo.owner, repo: repo.name, branch, sha, created });
    const run = repo.onPush?.({
      owner: repo.owner,
      repo: repo.name,
      branch,
      sha,
      files: changed(s, parent, sha),
    });
    if (run) {
      run.headSha ??= sha;
      run.headBranch ??= branch;
      repo.runs ??= [];
      repo.runs.unshift(run);
    }
  };

  return { writes, putBlob, putTree, putCommit, store, resolve, filesOf, changed, isAncestor, moveRef };
}

export type RepoStore = ReturnType<typeof createRepoStore>;

export const reply = (r: RepoRoute, status: number, body: unknown): true => {
  r.send(r.res, status, body);
  return true;
};
export const unprocessable = (r: RepoRoute, message: string, errors?: unknown[]) =>
  reply(r, 422, {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: 'https://docs.github.com/rest',
  });
export const missing = (r: RepoRoute) =>
  reply(r, 404, {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
    status: '404',
  });
