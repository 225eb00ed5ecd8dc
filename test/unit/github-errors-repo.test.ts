/**
 * mapGitHubError for the repository port's kinds of request: the permission each needs is named, a
 * write answered 404 (GitHub's way of hiding a repository from a credential without the permission)
 * says so, drafts refused become github_drafts_unsupported, and a 422's details are kept.
 */
import { describe, expect, it } from '@jest/globals';
import { mapGitHubError, type What } from '../../src/clients/github-errors.ts';
import { AppError } from '../../tools/shared/errors.ts';

const ref = { owner: 'acme', repo: 'shop' };
const httpError = (status: number, data: unknown) =>
  Object.assign(new Error('x'), { status, response: { headers: {}, data } });

function map(what: What, status: number, data: unknown, extra: { id?: number; subject?: string } = {}) {
  const e = mapGitHubError(httpError(status, data), {
    what,
    ref,
    credential: 'GITHUB_TOKEN',
    app: false,
    ...extra,
  });
  if (!(e instanceof AppError)) throw new Error('expected an AppError');
  return e;
}

describe('mapGitHubError for repository requests', () => {
  it.each([
    ['contents', "'Contents: read'"],
    ['tree', "'Pull requests: read'"],
    ['pull', "'Contents: read'"],
    ['git', "'Contents: write'"],
    ['pulls-write', "'Pull requests: write'"],
  ] as [What, string][])('a 403 on %s names %s', (what, permission) => {
    const e = map(what, 403, { message: 'Resource not accessible by personal access token' });
    expect(e.code).toBe('github_no_access');
    expect(e.userMessage).toContain(permission);
    expect(e.userMessage).toContain('Resource not accessible by personal access token');
  });

  it('a 404 on a write is a missing permission, on a read a missing thing that names the read permission', () => {
    const write = map('git', 404, { message: 'Not Found' }, { subject: 'shipmate/tests/x' });
    expect(write.code).toBe('github_no_access');
    expect(write.userMessage).toContain("'Contents: write'");
    const pr = map('pulls-write', 404, { message: 'Not Found' });
    expect(pr.code).toBe('github_no_access');
    expect(pr.userMessage).toContain("'repo' scope");
    const read = map('contents', 404, { message: 'Not Found' }, { subject: 'src/a.ts' });
    expect(read.code).toBe('github_not_found');
    expect(read.userMessage).toContain('`src/a.ts`');
    expect(read.userMessage).toContain("'Contents: read'");
    expect(map('pull', 404, { message: 'Not Found' }, { id: 9 }).userMessage).toContain('pull request #9');
  });

  it('drafts refused on opening a pull request, and other 422s keep their details', () => {
    const drafts = map('pulls-write', 422, {
      message: 'Draft pull requests are not supported in this repository.',
    });
    expect(drafts.code).toBe('github_drafts_unsupported');
    // The same words on another kind of request are not about drafts.
    expect(
      map('git', 422, { message: 'Draft pull requests are not supported in this repository.' }).code,
    ).toBe('github_error');
    const exists = map('pulls-write', 422, {
      message: 'Validation Failed',
      errors: [
        { resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:x.' },
      ],
    });
    expect(exists.code).toBe('github_error');
    expect(exists.userMessage).toContain('Validation Failed: A pull request already exists for acme:x.');
  });
});
