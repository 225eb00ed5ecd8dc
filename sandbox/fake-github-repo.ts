/**
 * The repository side of the fake GitHub API (fake-github.ts): file maps per branch become commits,
 * trees and blobs in memory, served through the endpoints drafting tests uses — refs and commits for
 * resolving, recursive trees (optionally truncated), contents (base64; over 1 MB without content, as
 * GitHub does, so the client must read the blob), the Git data API (blobs, trees with `base_tree`,
 * commits, refs created or fast-forwarded), pull requests and their files, and opening pull requests
 * (422 for drafts on a repository that says `draftsUnsupported`). Everything written is recorded for
 * assertions, and a push can register a workflow run for the new head commit (`onPush`).
 */

import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FakeRepo, FakeRun } from './fake-github.ts';

export interface FakePullFile {
  path: string;
  status?: string;
  additions?: number;
  deletions?: number;
}

export interface FakePull {
  number: number;
  title?: string;
  author?: string;
  /** The head branch (one of the repository's `branches`, or any name with `headSha`). */
  head: string;
  base?: string;
  headSha?: string;
  /** Another repository's full name when the head lives in a fork. */
  headRepo?: string;
  state?: string;
  draft?: boolean;
  body?: string;
  /** The files it changes; for a pull without them, the difference between head and base. */
  files?: FakePullFile[];
}

/** What a repository holds besides its runs (all optional). */
export interface FakeRepoContent {
  /** The files at the default branch's head (path → UTF-8 text). */
  files?: Record<string, string>;
  /** Other branches, each a commit on top of the default branch holding these files (the whole tree). */
  branches?: Record<string, Record<string, string>>;
  /** Answer recursive trees with `truncated: true`; a number also cuts the listing to that many entries. */
  truncatedTree?: boolean | number;
  /** POST /pulls with `draft: true` answers 422 "Draft pull requests are not supported in this repository." */
  draftsUnsupported?: boolean;
  pulls?: FakePull[];
  /** Called after a ref is created or moved; a run returned is listed first for the new head sha. */
  onPush?: (push: FakePush) => FakeRun | undefined;
}

export interface FakePush {
  owner: string;
  repo: string;
  branch: string;
  sha: string;
  /** Files the pushed commit changed against its parent (path → text). */
  files: Record<string, string>;
}

export interface FakeCommitRecord {
  owner: string;
  repo: string;
  sha: string;
  parents: string[];
  message: string;
  /** Files changed against the first parent (path → text). */
  files: Record<string, string>;
}

export interface FakeRefRecord {
  owner: string;
  repo: string;
  branch: string;
  sha: string;
  created: boolean;
}

export interface FakePullRecord {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

export interface RepoWrites {
  commits: FakeCommitRecord[];
  refs: FakeRefRecord[];
  pulls: FakePullRecord[];
}

interface Commit {
  tree: string;
  parents: string[];
  message: string;
}

/** One repository's objects: blobs, flat trees (path → blob sha), commits and branch heads. */
interface Store {
  blobs: Map<string, string>;
  trees: Map<string, Map<string, string>>;
  commits: Map<string, Commit>;
  heads: Map<string, string>;
  pulls: FakePull[];
}

const HTML = 'https://github.com';
const ONE_MB = 1024 * 1024;
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const gitBlobSha = (text: string) => sha1(`blob ${Buffer.byteLength(text)}\0${text}`);

export interface RepoRoute {
  repo: FakeRepo;
  /** The path after `/repos/{owner}/{repo}`. */
  rest: string;
  method: string;
  query: URLSearchParams;
  body: unknown;
  accept: string;
  res: ServerResponse;
  send: (res: ServerResponse, status: number, body?: unknown) => void;
}

/** The repository endpoints over one fake's repositories; `handle` answers false when a route is not its. */
export function createRepoContent() {
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

  const pullJson = (repo: FakeRepo, s: Store, p: FakePull) => {
    const base = p.base ?? repo.defaultBranch ?? 'main';
    return {
      number: p.number,
      title: p.title ?? `Pull request ${p.number}`,
      body: p.body ?? '',
      user: { login: p.author ?? 'octocat' },
      state: p.state ?? 'open',
      draft: p.draft ?? false,
      html_url: `${HTML}/${repo.owner}/${repo.name}/pull/${p.number}`,
      head: {
        ref: p.head,
        sha: p.headSha ?? s.heads.get(p.head) ?? '0000000000000000000000000000000000000000',
        repo: { full_name: p.headRepo ?? `${repo.owner}/${repo.name}` },
      },
      base: { ref: base, sha: s.heads.get(base) ?? '', repo: { full_name: `${repo.owner}/${repo.name}` } },
    };
  };
  const pullFiles = (repo: FakeRepo, s: Store, p: FakePull): FakePullFile[] => {
    if (p.files) return p.files;
    const head = p.headSha ?? s.heads.get(p.head);
    const base = s.heads.get(p.base ?? repo.defaultBranch ?? 'main');
    if (!head) return [];
    const before = base ? filesOf(s, base) : {};
    return Object.entries(changed(s, base, head)).map(([path, text]) => ({
      path,
      status: path in before ? 'modified' : 'added',
      additions: text.split('\n').length,
      deletions: 0,
    }));
  };

  const reply = (r: RepoRoute, status: number, body: unknown): true => {
    r.send(r.res, status, body);
    return true;
  };
  const unprocessable = (r: RepoRoute, message: string, errors?: unknown[]) =>
    reply(r, 422, {
      message,
      ...(errors ? { errors } : {}),
      documentation_url: 'https://docs.github.com/rest',
    });
  const missing = (r: RepoRoute) =>
    reply(r, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });

  const handle = (r: RepoRoute): boolean => {
    const { repo, method, query } = r;
    // Octokit sends `/` inside a path parameter (a ref, a file path) as %2F; GitHub accepts both.
    const rest = decodeURIComponent(r.rest);
    const s = store(repo);
    const body = (r.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    m = /^\/commits\/(.+)$/.exec(rest);
    if (m && method === 'GET') {
      const ref = m[1] as string;
      const sha = resolve(s, ref);
      if (!sha) return unprocessable(r, `No commit found for SHA: ${ref}`);
      if (/vnd\.github(\.v3)?\.sha/.test(r.accept)) {
        r.res.writeHead(200, { 'content-type': 'application/vnd.github.sha; charset=utf-8' });
        r.res.end(sha);
        return true;
      }
      const c = s.commits.get(sha) as Commit;
      return reply(r, 200, {
        sha,
        commit: { message: c.message, tree: { sha: c.tree } },
        parents: c.parents.map((p) => ({ sha: p })),
      });
    }
    m = /^\/git\/refs?\/heads\/(.+)$/.exec(rest);
    if (m) {
      const branch = m[1] as string;
      const head = s.heads.get(branch);
      if (method === 'GET') {
        if (!head) return missing(r);
        return reply(r, 200, { ref: `refs/heads/${branch}`, object: { sha: head, type: 'commit' } });
      }
      if (method === 'PATCH') {
        const sha = String(body.sha ?? '');
        if (!head) return unprocessable(r, 'Reference does not exist');
        if (!s.commits.has(sha)) return unprocessable(r, 'Object does not exist');
        if (body.force !== true && !isAncestor(s, head, sha))
          return unprocessable(r, 'Update is not a fast forward');
        moveRef(repo, s, branch, sha, false);
        return reply(r, 200, { ref: `refs/heads/${branch}`, object: { sha, type: 'commit' } });
      }
    }
    if (rest === '/git/refs' && method === 'POST') {
      const ref = String(body.ref ?? '');
      const sha = String(body.sha ?? '');
      if (!/^refs\/heads\/./.test(ref)) return unprocessable(r, 'Reference name must start with refs/');
      const branch = ref.slice('refs/heads/'.length);
      if (s.heads.has(branch)) return unprocessable(r, 'Reference already exists');
      if (!s.commits.has(sha)) return unprocessable(r, 'Object does not exist');
      moveRef(repo, s, branch, sha, true);
      return reply(r, 201, { ref, object: { sha, type: 'commit' } });
    }
    m = /^\/git\/commits\/([0-9a-f]{40})$/.exec(rest);
    if (m && method === 'GET') {
      const c = s.commits.get(m[1] as string);
      if (!c) return missing(r);
      return reply(r, 200, {
        sha: m[1],
        message: c.message,
        tree: { sha: c.tree },
        parents: c.parents.map((p) => ({ sha: p })),
      });
    }
    if (rest === '/git/commits' && method === 'POST') {
      const tree = String(body.tree ?? '');
      const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
      if (!s.trees.has(tree)) return unprocessable(r, 'Tree SHA does not exist');
      if (parents.some((p) => !s.commits.has(p)))
        return unprocessable(r, 'Parent SHA does not exist or is not a commit object');
      const message = String(body.message ?? '');
      const sha = putCommit(s, { tree, parents, message });
      writes.commits.push({
        owner: repo.owner,
        repo: repo.name,
        sha,
        parents,
        message,
        files: changed(s, parents[0], sha),
      });
      return reply(r, 201, { sha, message, tree: { sha: tree }, parents: parents.map((p) => ({ sha: p })) });
    }
    if (rest === '/git/blobs' && method === 'POST') {
      const content = String(body.content ?? '');
      const text = body.encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content;
      const sha = putBlob(s, text);
      return reply(r, 201, { sha, url: `/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` });
    }
    m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest);
    if (m && method === 'GET') {
      const text = s.blobs.get(m[1] as string);
      if (text === undefined) return missing(r);
      return reply(r, 200, {
        sha: m[1],
        size: Buffer.byteLength(text),
        encoding: 'base64',
        content: Buffer.from(text).toString('base64'),
      });
    }
    if (rest === '/git/trees' && method === 'POST') {
      const baseTree = body.base_tree === undefined ? undefined : String(body.base_tree);
      if (baseTree !== undefined && !s.trees.has(baseTree))
        return unprocessable(r, 'base_tree is not a valid tree oid');
      const entries = new Map(baseTree ? s.trees.get(baseTree) : []);
      for (const e of Array.isArray(body.tree) ? (body.tree as Record<string, unknown>[]) : []) {
        const path = String(e.path ?? '');
        if (e.sha === null) entries.delete(path);
        else if (typeof e.content === 'string') entries.set(path, putBlob(s, e.content));
        else if (typeof e.sha === 'string' && s.blobs.has(e.sha)) entries.set(path, e.sha);
        else return unprocessable(r, `tree.sha ${String(e.sha)} is not a valid blob`);
      }
      return reply(r, 201, { sha: putTree(s, entries), truncated: false });
    }
    m = /^\/git\/trees\/(.+)$/.exec(rest);
    if (m && method === 'GET') {
      const ref = m[1] as string;
      const treeSha = s.trees.has(ref) ? ref : s.commits.get(resolve(s, ref) ?? '')?.tree;
      const tree = treeSha ? s.trees.get(treeSha) : undefined;
      if (!treeSha || !tree) return missing(r);
      const recursive = query.has('recursive');
      const dirs = new Set<string>();
      const blobs: { path: string; sha: string }[] = [];
      for (const [path, sha] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        if (recursive || parts.length === 1) blobs.push({ path, sha });
      }
      let list = [
        ...[...dirs]
          .filter((d) => recursive || !d.includes('/'))
          .map((d) => ({ path: d, mode: '040000', type: 'tree', sha: sha1(`dir ${treeSha} ${d}`) })),
        ...blobs.map((b) => ({
          path: b.path,
          mode: '100644',
          type: 'blob',
          sha: b.sha,
          size: Buffer.byteLength(s.blobs.get(b.sha) ?? ''),
        })),
      ].sort((a, b) => (a.path < b.path ? -1 : 1));
      const truncated = recursive && Boolean(repo.truncatedTree);
      if (truncated && typeof repo.truncatedTree === 'number') list = list.slice(0, repo.truncatedTree);
      return reply(r, 200, { sha: treeSha, tree: list, truncated });
    }
    m = /^\/contents\/(.*)$/.exec(rest);
    if (m && method === 'GET') {
      const path = m[1] ?? '';
      const commit = resolve(s, query.get('ref') ?? repo.defaultBranch ?? 'main');
      if (!commit) return unprocessable(r, `No commit found for the ref ${query.get('ref')}`);
      const files = filesOf(s, commit);
      const text = files[path];
      if (text === undefined) {
        const under = Object.keys(files).filter((p) => p.startsWith(`${path}/`));
        if (!under.length) return missing(r);
        const names = [...new Set(under.map((p) => p.slice(path.length + 1).split('/')[0] as string))];
        return reply(
          r,
          200,
          names.map((n) => ({ name: n, path: `${path}/${n}`, type: 'file' })),
        );
      }
      const size = Buffer.byteLength(text);
      const b64 = Buffer.from(text).toString('base64');
      return reply(r, 200, {
        type: 'file',
        name: path.split('/').pop(),
        path,
        size,
        sha: gitBlobSha(text),
        // GitHub wraps base64 at 60 characters; over 1 MB it sends no content at all.
        encoding: size > ONE_MB ? 'none' : 'base64',
        content: size > ONE_MB ? '' : (b64.match(/.{1,60}/g) ?? []).join('\n'),
      });
    }
    m = /^\/pulls\/(\d+)(\/files)?$/.exec(rest);
    if (m && method === 'GET') {
      const p = s.pulls.find((x) => x.number === Number(m?.[1]));
      if (!p) return missing(r);
      if (!m[2]) return reply(r, 200, pullJson(repo, s, p));
      const perPage = Number(query.get('per_page') ?? 30);
      const page = Number(query.get('page') ?? 1);
      const files = pullFiles(repo, s, p).slice((page - 1) * perPage, page * perPage);
      return reply(
        r,
        200,
        files.map((f) => ({
          filename: f.path,
          status: f.status ?? 'modified',
          additions: f.additions ?? 1,
          deletions: f.deletions ?? 0,
          changes: (f.additions ?? 1) + (f.deletions ?? 0),
        })),
      );
    }
    if (rest === '/pulls' && method === 'POST') {
      const head = String(body.head ?? '');
      const base = String(body.base ?? '');
      const draft = body.draft === true;
      if (draft && repo.draftsUnsupported)
        return unprocessable(r, 'Draft pull requests are not supported in this repository.');
      if (!s.heads.has(head) || !s.heads.has(base)) {
        return unprocessable(r, 'Validation Failed', [
          { resource: 'PullRequest', field: s.heads.has(head) ? 'base' : 'head', code: 'invalid' },
        ]);
      }
      if (s.pulls.some((p) => p.head === head && (p.state ?? 'open') === 'open')) {
        return unprocessable(r, 'Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${head}.`,
          },
        ]);
      }
      const number = Math.max(0, ...s.pulls.map((p) => p.number)) + 1;
      const p: FakePull = {
        number,
        title: String(body.title ?? ''),
        body: String(body.body ?? ''),
        head,
        base,
        draft,
        author: 'shipmate[bot]',
      };
      s.pulls.push(p);
      writes.pulls.push({
        owner: repo.owner,
        repo: repo.name,
        number,
        title: p.title ?? '',
        body: p.body ?? '',
        head,
        base,
        draft,
      });
      return reply(r, 201, pullJson(repo, s, p));
    }
    return false;
  };

  return {
    handle,
    writes,
    /** The commit a branch points at now. */
    branchHead: (repo: FakeRepo, branch?: string) =>
      store(repo).heads.get(branch ?? repo.defaultBranch ?? 'main'),
    /** Every file at a branch or commit (path → text), or undefined for an unknown ref. */
    filesAt: (repo: FakeRepo, ref?: string) => {
      const s = store(repo);
      const sha = resolve(s, ref ?? repo.defaultBranch ?? 'main');
      return sha ? filesOf(s, sha) : undefined;
    },
    /** The parents of a commit (undefined when unknown). */
    parentsOf: (repo: FakeRepo, sha: string) => store(repo).commits.get(sha)?.parents,
  };
}
