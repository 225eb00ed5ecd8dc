/**
 * The repository side of the fake GitHub API (fake-github.ts): file maps per branch become commits,
 * trees and blobs in memory, served through the endpoints drafting tests uses — refs and commits for
 * resolving, recursive trees (optionally truncated), contents (base64; over 1 MB without content, as
 * GitHub does, so the client must read the blob), the Git data API (blobs, trees with `base_tree`,
 * commits, refs created or fast-forwarded), pull requests and their files, and opening pull requests
 * (422 for drafts on a repository that says `draftsUnsupported`). Everything written is recorded for
 * assertions, and a push can register a workflow run for the new head commit (`onPush`).
 *
 * This file holds the repository types and `createRepoContent`, which routes each request to one concept:
 * the object store (fake-github-repo-store.ts), commits and Git data (fake-github-repo-git.ts), trees and
 * contents (fake-github-repo-contents.ts) and pull requests (fake-github-repo-pulls.ts).
 */

import type { ServerResponse } from 'node:http';
import type { FakeRepo, FakeRun } from './fake-github.ts';
import { contentsRoute } from './fake-github-repo-contents.ts';
import { gitDataRoute } from './fake-github-repo-git.ts';
import { pullsRoute } from './fake-github-repo-pulls.ts';
import { createRepoStore } from './fake-github-repo-store.ts';

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
  const x = createRepoStore();
  const { writes, store, resolve, filesOf } = x;

  const handle = (r: RepoRoute): boolean => {
    const { repo } = r;
    // Octokit sends `/` inside a path parameter (a ref, a file path) as %2F; GitHub accepts both.
    const rest = decodeURIComponent(r.rest);
    const s = store(repo);
    const body = (r.body ?? {}) as Record<string, unknown>;
    return (
      gitDataRoute(x, r, rest, s, body) || contentsRoute(x, r, rest, s) || pullsRoute(x, r, rest, s, body)
    );
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
