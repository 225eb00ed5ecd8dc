/** An in-memory RepoPort (files at one commit) for unit tests of drafting tests, with a record of writes. */

import { AppError } from '../../tools/shared/errors.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type {
  CommitFileRequest,
  CreatePullRequest,
  PullFile,
  PullInfo,
  RepoPort,
} from '../../tools/shared/repo-port.ts';

export interface MemoryRepoOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  files: Record<string, string>;
  pulls?: { info: PullInfo; files: PullFile[] }[];
  draftsUnsupported?: boolean;
}

export function memoryRepo(o: MemoryRepoOptions) {
  const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const commits: CommitFileRequest[] = [];
  const pulls: CreatePullRequest[] = [];
  const check = (owner: string, repo: string) => {
    if (owner !== o.owner || repo !== o.repo)
      throw new AppError({
        code: 'github_repo_not_found',
        userMessage: `GitHub has no repository ${owner}/${repo}.`,
      });
  };
  const port: RepoPort = {
    async resolveRef(r) {
      check(r.owner, r.repo);
      if (r.ref !== (o.defaultBranch ?? 'main') && r.ref !== sha)
        throw new AppError({
          code: 'github_ref_not_found',
          userMessage: `${r.owner}/${r.repo} has no branch, tag or commit "${r.ref}".`,
        });
      return sha;
    },
    async getTree(r) {
      check(r.owner, r.repo);
      return {
        commitSha: sha,
        truncated: false,
        entries: Object.entries(o.files).map(([path, text]) => ({
          path,
          type: 'blob' as const,
          size: text.length,
          sha: `b-${path}`,
        })),
      };
    },
    async getFile(r) {
      check(r.owner, r.repo);
      const text = o.files[r.path];
      return text === undefined ? undefined : { path: r.path, text, size: text.length, sha: `b-${r.path}` };
    },
    async getPull(r) {
      const p = o.pulls?.find((x) => x.info.number === r.number);
      if (!p)
        throw new AppError({ code: 'github_pull_not_found', userMessage: `No pull request #${r.number}.` });
      return p.info;
    },
    async listPullFiles(r) {
      return o.pulls?.find((x) => x.info.number === r.number)?.files ?? [];
    },
    async commitFiles(req) {
      commits.push(req);
      return { commitSha: `c${commits.length}`.padEnd(40, '0') };
    },
    async createPull(req) {
      if (req.draft && o.draftsUnsupported)
        throw new AppError({
          code: 'github_drafts_unsupported',
          userMessage: 'Draft pull requests are not supported in this repository.',
        });
      pulls.push(req);
      return {
        number: 100 + pulls.length,
        url: `https://github.com/${o.owner}/${o.repo}/pull/${100 + pulls.length}`,
        draft: req.draft,
      };
    },
  };
  const github = { getDefaultBranch: async () => o.defaultBranch ?? 'main' } as unknown as GitHubPort;
  return { port, github, commits, pulls };
}
