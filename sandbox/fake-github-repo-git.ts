/**
 * The commit and Git data routes of a fake GitHub repository (fake-github-repo.ts): GET a commit (JSON or
 * the bare sha), branch refs read, created and fast-forwarded (or forced), and blobs, trees (with
 * `base_tree`) and commits read and written, with GitHub's 404 and 422 answers.
 */

import type { RepoRoute } from './fake-github-repo.ts';
import {
  type Commit,
  missing,
  type RepoStore,
  reply,
  type Store,
  unprocessable,
} from './fake-github-repo-store.ts';

/** Answers a commit or Git data route; false when `rest` is not one. */
export function gitDataRoute(
  x: RepoStore,
  r: RepoRoute,
  rest: string,
  s: Store,
  body: Record<string, unknown>,
): boolean {
  const { repo, method } = r;
  const { writes, putBlob, putTree, putCommit, resolve, changed, isAncestor, moveRef } = x;
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
  return false;
}
