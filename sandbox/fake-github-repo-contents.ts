/**
 * The tree and contents routes of a fake GitHub repository (fake-github-repo.ts): trees by sha or ref,
 * recursive or not (truncated when the repository says so), and contents of a file (base64 wrapped at 60
 * characters; over 1 MB without content, as GitHub does) or a directory listing.
 */

import type { RepoRoute } from './fake-github-repo.ts';
import {
  gitBlobSha,
  missing,
  ONE_MB,
  type RepoStore,
  reply,
  type Store,
  sha1,
  unprocessable,
} from './fake-github-repo-store.ts';

/** Answers a tree or contents route; false when `rest` is not one. */
export function contentsRoute(x: RepoStore, r: RepoRoute, rest: string, s: Store): boolean {
  const { repo, method, query } = r;
  const { resolve, filesOf } = x;
  let m: RegExpExecArray | null;

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
  return false;
}
