/**
 * Reading and writing a repository's files through the GitHub API (contents, trees, the Git data API,
 * pull requests) — what drafting tests needs. Implemented over Octokit in src/clients/github-repo.ts
 * (same credentials, retries and installation look-up as the Actions port) and by the loopback fake.
 * Failures are AppErrors with specific codes:
 * - `github_repo_not_found` — no such repository (or one the credentials cannot see)
 * - `github_no_access` — 401/403 (and a 404 on a write), the message naming the permission: reads need
 *   'Contents: read' and 'Pull requests: read', commits 'Contents: write', opening a pull request
 *   'Pull requests: write' (fine-grained token / GitHub App) or the 'repo' scope (classic token)
 * - `github_ref_not_found` — resolveRef: no such branch, tag or commit
 * - `github_not_found` — no such pull request (getFile answers undefined instead)
 * - `github_conflict` — commitFiles: the branch moved meanwhile (not a fast-forward); retryable
 * - `github_drafts_unsupported` — createPull with `draft: true` on a repository without drafts
 * - `github_error` — any other refusal, with GitHub's words (e.g. "A pull request already exists for …")
 * - `github_rate_limited`, `github_unreachable` — as for the Actions port (retryable)
 *
 * Writes go through Octokit's throttling, which spaces them at least one second apart (GitHub's advice
 * against secondary rate limits): one commitFiles of n files makes n + 3 writes.
 */

import type { CallOptions, RepoRef } from './github-port.ts';

export interface TreeEntry {
  path: string;
  type: 'blob' | 'tree';
  /** Bytes, for blobs. */
  size?: number;
  sha: string;
}

export interface RepoTree {
  /** The commit the tree was read at. */
  commitSha: string;
  /** Every entry of the recursive tree (files and folders). */
  entries: TreeEntry[];
  /** GitHub cut the recursive listing (very large repositories): some files are missing. */
  truncated: boolean;
}

export interface RepoFile {
  path: string;
  /** UTF-8 text of the file. */
  text: string;
  size: number;
  sha: string;
}

export interface PullInfo {
  number: number;
  title: string;
  /** Who opened it (login). */
  author: string | null;
  headSha: string;
  /** The head branch name, and the repository it lives in (`owner/repo`; a fork's differs). */
  headRef: string;
  headRepo: string | null;
  baseRef: string;
  url: string;
  state: string;
}

export interface PullFile {
  path: string;
  /** added | modified | removed | renamed | … */
  status: string;
  additions: number;
  deletions: number;
  changes: number;
}

export interface CommitFileRequest extends RepoRef {
  /** The branch to commit to. Created from `baseSha` when it does not exist yet. */
  branch: string;
  /** The commit the branch starts from (when created) — the parent of the new commit otherwise its head. */
  baseSha: string;
  /** Files to write (created or replaced), UTF-8 text. */
  files: { path: string; text: string }[];
  message: string;
}

export interface CreatePullRequest extends RepoRef {
  /** Branch with the changes. */
  head: string;
  /** Branch to merge into. */
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

export interface RepoPort {
  /** The commit sha a branch, tag or sha points at. Throws `github_ref_not_found`. */
  resolveRef(ref: RepoRef & { ref: string }, opts?: CallOptions): Promise<string>;
  /** The recursive tree at a commit. */
  getTree(ref: RepoRef & { commitSha: string }, opts?: CallOptions): Promise<RepoTree>;
  /** A file's text at a commit; undefined when there is no such file (404). */
  getFile(
    ref: RepoRef & { path: string; commitSha: string },
    opts?: CallOptions,
  ): Promise<RepoFile | undefined>;
  getPull(ref: RepoRef & { number: number }, opts?: CallOptions): Promise<PullInfo>;
  /** The files a pull request changes (up to 300). */
  listPullFiles(ref: RepoRef & { number: number }, opts?: CallOptions): Promise<PullFile[]>;
  /**
   * One commit on `branch` through the Git data API (blobs, tree, commit, then the ref: created
   * at the new commit when missing, else fast-forwarded). Needs Contents: write. Returns the new
   * commit's sha.
   */
  commitFiles(req: CommitFileRequest, opts?: CallOptions): Promise<{ commitSha: string }>;
  /**
   * Opens a pull request. When the repository does not allow drafts and `draft` was asked, throws
   * AppError `github_drafts_unsupported` (the caller then opens a normal one). Needs Pull requests: write.
   */
  createPull(
    req: CreatePullRequest,
    opts?: CallOptions,
  ): Promise<{ number: number; url: string; draft: boolean }>;
}
