/**
 * The pull request routes of a fake GitHub repository (fake-github-repo.ts): a pull and its files (paged;
 * without planted files, the difference between head and base), and opening one — 422 for a missing
 * branch, an open pull for the same head, or a draft where the repository says `draftsUnsupported`.
 */

import type { FakeRepo } from './fake-github.ts';
import type { FakePull, FakePullFile, RepoRoute } from './fake-github-repo.ts';
import { HTML, missing, type RepoStore, reply, type Store, unprocessable } from './fake-github-repo-store.ts';

/** Answers a pull request route; false when `rest` is not one. */
export function pullsRoute(
  x: RepoStore,
  r: RepoRoute,
  rest: string,
  s: Store,
  body: Record<string, unknown>,
): boolean {
  const { repo, method, query } = r;
  const { writes, filesOf, changed } = x;
  let m: RegExpExecArray | null;

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
}
