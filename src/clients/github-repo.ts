/**
 * A repository's files and pull requests over @octokit/rest (tools/shared/repo-port.ts): refs,
 * recursive trees, file contents, pull requests and their files, one commit through the Git data API
 * (blobs, tree, commit, ref) and opening a pull request. Same credentials, retries, throttling and
 * App-installation look-up as the Actions port — pass the same session (github-session.ts) to share
 * them. Every failure is an AppError naming the permission it lacks (github-errors.ts).
 */

import { AppError } from '../../tools/shared/errors.ts';
import type { CallOptions, RepoRef } from '../../tools/shared/github-port.ts';
import type {
  CommitFileRequest,
  CreatePullRequest,
  PullFile,
  PullInfo,
  RepoFile,
  RepoPort,
  RepoTree,
  TreeEntry,
} from '../../tools/shared/repo-port.ts';
import type { HttpishError } from './github-errors.ts';
import { createGitHubSession, type GitHubClientOptions, type GitHubSession } from './github-session.ts';

/** Pages of 100 read for a pull request's files (GitHub's own cap of the endpoint is 3,000). */
const PULL_FILE_PAGES = 3;

const statusOf = (e: unknown) => (e as HttpishError)?.status;

function refNotFound(ref: RepoRef, name: string, cause: unknown): AppError {
  return new AppError({
    code: 'github_ref_not_found',
    userMessage: `${ref.owner}/${ref.repo} has no branch, tag or commit \`${name}\`. Check the name after @ (or leave it out for the default branch).`,
    cause,
  });
}

export function createRepoPort(
  opts: GitHubClientOptions,
  session: GitHubSession = createGitHubSession(opts),
): RepoPort {
  const { clientFor, fail, explain404 } = session;

  /** The commit a branch points at, or undefined when there is no such branch. */
  const branchHead = async (ref: RepoRef, branch: string, signal?: AbortSignal) => {
    const c = await clientFor(ref, signal);
    try {
      const r = await c.rest.git.getRef({
        owner: ref.owner,
        repo: ref.repo,
        ref: `heads/${branch}`,
        request: { signal },
      });
      return r.data.object.sha;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw fail(e, 'contents', ref, { subject: branch });
    }
  };

  const port: RepoPort = {
    async resolveRef(q, o?: CallOptions): Promise<string> {
      const c = await clientFor(q, o?.signal);
      try {
        // The `sha` media type answers the commit's sha alone, for a branch, a tag or a sha.
        const r = await c.rest.repos.getCommit({
          owner: q.owner,
          repo: q.repo,
          ref: q.ref,
          mediaType: { format: 'sha' },
          request: { signal: o?.signal },
        });
        const sha = String(r.data as unknown).trim();
        if (!/^[0-9a-f]{40}$/i.test(sha)) throw new Error(`unexpected answer for ref ${q.ref}`);
        return sha;
      } catch (e) {
        // GitHub answers 422 "No commit found for SHA: …" for an unknown name, 404 for an unknown repository.
        if (statusOf(e) === 422) throw refNotFound(q, q.ref, e);
        const mapped = await explain404(e, 'contents', q, { subject: q.ref }, o?.signal);
        if (statusOf(e) === 404 && (mapped as AppError)?.code === 'github_not_found') {
          throw refNotFound(q, q.ref, e);
        }
        throw mapped;
      }
    },

    async getTree(q, o?: CallOptions): Promise<RepoTree> {
      const c = await clientFor(q, o?.signal);
      try {
        const r = await c.rest.git.getTree({
          owner: q.owner,
          repo: q.repo,
          tree_sha: q.commitSha,
          recursive: '1',
          request: { signal: o?.signal },
        });
        const entries: TreeEntry[] = [];
        for (const t of r.data.tree) {
          if ((t.type !== 'blob' && t.type !== 'tree') || !t.path || !t.sha) continue; // submodules
          entries.push({
            path: t.path,
            type: t.type,
            sha: t.sha,
            ...(t.type === 'blob' && typeof t.size === 'number' ? { size: t.size } : {}),
          });
        }
        return { commitSha: q.commitSha, entries, truncated: Boolean(r.data.truncated) };
      } catch (e) {
        throw await explain404(e, 'tree', q, { subject: q.commitSha.slice(0, 12) }, o?.signal);
      }
    },

    async getFile(q, o?: CallOptions): Promise<RepoFile | undefined> {
      const c = await clientFor(q, o?.signal);
      let data: unknown;
      try {
        const r = await c.rest.repos.getContent({
          owner: q.owner,
          repo: q.repo,
          path: q.path,
          ref: q.commitSha,
          request: { signal: o?.signal },
        });
        data = r.data;
      } catch (e) {
        if (statusOf(e) === 404) {
          const mapped = await explain404(e, 'contents', q, { subject: q.path }, o?.signal);
          if ((mapped as AppError)?.code === 'github_not_found') return undefined;
          throw mapped;
        }
        throw fail(e, 'contents', q, { subject: q.path });
      }
      const file = data as {
        type?: string;
        content?: string;
        encoding?: string;
        size?: number;
        sha?: string;
      };
      if (Array.isArray(data) || file.type !== 'file' || !file.sha) return undefined; // a folder, link or submodule
      let base64 = file.encoding === 'base64' ? (file.content ?? '') : undefined;
      if (base64 === undefined) {
        // Files over 1 MB come without content (`encoding: none`): read the blob instead (up to 100 MB).
        try {
          const b = await c.rest.git.getBlob({
            owner: q.owner,
            repo: q.repo,
            file_sha: file.sha,
            request: { signal: o?.signal },
          });
          base64 =
            b.data.encoding === 'base64' ? b.data.content : Buffer.from(b.data.content).toString('base64');
        } catch (e) {
          throw fail(e, 'contents', q, { subject: q.path });
        }
      }
      const text = Buffer.from(base64.replace(/\s+/g, ''), 'base64').toString('utf8');
      return { path: q.path, text, size: file.size ?? Buffer.byteLength(text), sha: file.sha };
    },

    async getPull(q, o?: CallOptions): Promise<PullInfo> {
      const c = await clientFor(q, o?.signal);
      try {
        const r = await c.rest.pulls.get({
          owner: q.owner,
          repo: q.repo,
          pull_number: q.number,
          request: { signal: o?.signal },
        });
        const p = r.data;
        return {
          number: p.number,
          title: p.title,
          author: p.user?.login ?? null,
          headSha: p.head.sha,
          headRef: p.head.ref,
          headRepo: p.head.repo?.full_name ?? null,
          baseRef: p.base.ref,
          url: p.html_url,
          state: p.state,
        };
      } catch (e) {
        throw await explain404(e, 'pull', q, { id: q.number }, o?.signal);
      }
    },

    async listPullFiles(q, o?: CallOptions): Promise<PullFile[]> {
      const c = await clientFor(q, o?.signal);
      const files: PullFile[] = [];
      try {
        for (let page = 1; page <= PULL_FILE_PAGES; page++) {
          const r = await c.rest.pulls.listFiles({
            owner: q.owner,
            repo: q.repo,
            pull_number: q.number,
            per_page: 100,
            page,
            request: { signal: o?.signal },
          });
          for (const f of r.data) {
            files.push({
              path: f.filename,
              status: f.status,
              additions: f.additions,
              deletions: f.deletions,
              changes: f.changes,
            });
          }
          if (r.data.length < 100) break;
        }
        return files;
      } catch (e) {
        throw await explain404(e, 'pull', q, { id: q.number }, o?.signal);
      }
    },

    async commitFiles(req: CommitFileRequest, o?: CallOptions): Promise<{ commitSha: string }> {
      const signal = o?.signal;
      const c = await clientFor(req, signal);
      const at = { owner: req.owner, repo: req.repo };
      const head = await branchHead(req, req.branch, signal);
      const parent = head ?? req.baseSha;
      const ctx = { subject: req.branch };
      const written = req.files;
      try {
        const base = await c.rest.git.getCommit({ ...at, commit_sha: parent, request: { signal } });
        const blobs = await Promise.all(
          written.map((f) =>
            c.rest.git.createBlob({ ...at, content: f.text, encoding: 'utf-8', request: { signal } }),
          ),
        );
        const tree = await c.rest.git.createTree({
          ...at,
          base_tree: base.data.tree.sha,
          tree: written.map((f, i) => ({
            path: f.path,
            mode: '100644' as const,
            type: 'blob' as const,
            sha: blobs[i]?.data.sha,
          })),
          request: { signal },
        });
        const commit = await c.rest.git.createCommit({
          ...at,
          message: req.message,
          tree: tree.data.sha,
          parents: [parent],
          request: { signal },
        });
        const sha = commit.data.sha;
        if (head) {
          await c.rest.git.updateRef({
            ...at,
            ref: `heads/${req.branch}`,
            sha,
            force: false,
            request: { signal },
          });
        } else {
          await c.rest.git.createRef({ ...at, ref: `refs/heads/${req.branch}`, sha, request: { signal } });
        }
        return { commitSha: sha };
      } catch (e) {
        const message = String((e as HttpishError)?.message ?? '');
        if (statusOf(e) === 422 && /fast.?forward|already exists/i.test(message)) {
          throw new AppError({
            code: 'github_conflict',
            userMessage:
              `Branch ${req.branch} of ${req.owner}/${req.repo} moved while Shipmate was committing to it ` +
              `(GitHub: ${message.replace(/ - https?:\/\/\S+$/, '')}). Try again.`,
            retryable: true,
            cause: e,
          });
        }
        throw await explain404(e, 'git', req, ctx, signal);
      }
    },

    async createPull(req: CreatePullRequest, o?: CallOptions) {
      const c = await clientFor(req, o?.signal);
      try {
        const r = await c.rest.pulls.create({
          owner: req.owner,
          repo: req.repo,
          head: req.head,
          base: req.base,
          title: req.title,
          body: req.body,
          draft: req.draft,
          request: { signal: o?.signal },
        });
        return { number: r.data.number, url: r.data.html_url, draft: Boolean(r.data.draft) };
      } catch (e) {
        throw await explain404(e, 'pulls-write', req, {}, o?.signal);
      }
    },
  };
  return port;
}

/**
 * The repository port the agent's tools get: every read; committing and opening a pull request
 * refuse. Those happen only in a job a permitted person started by clicking.
 */
export function readOnlyRepo(port: RepoPort): RepoPort {
  const refuse = async (): Promise<never> => {
    throw new AppError({
      code: 'needs_approval',
      userMessage:
        'Changing a repository needs a person: use the "Open draft PR" button under a drafted test.',
    });
  };
  return { ...port, commitFiles: refuse, createPull: refuse };
}
