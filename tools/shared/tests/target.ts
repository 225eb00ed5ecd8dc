import { parseArgs, parseWholeNumber, usageError } from '../args.ts';

export const TESTS_USAGE = '/ops tests <owner/repo> <path>[@ref] | /ops tests <owner/repo>#<pull-number>';

/** What to draft tests for: one source file at a ref (default branch when omitted), or a pull request's untested files. */
export type TestsTarget =
  | { kind: 'file'; owner: string; repo: string; path: string; ref?: string }
  | { kind: 'pull'; owner: string; repo: string; number: number };

const REPO = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;

/** `acme/shop src/cart.ts@main` or `acme/shop#42` (also a PR or blob URL) → target; a usage error otherwise. */
export function parseTestsArgs(words: readonly string[]): TestsTarget {
  const { positional } = parseArgs(words, { usage: TESTS_USAGE, maxPositional: 2 });
  const [first, second] = positional;
  if (!first) throw usageError(TESTS_USAGE, 'Which repository and file?', '/ops tests acme/shop src/cart.ts');
  const url = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/(?:pull\/(\d+)|blob\/([^/]+)\/(.+))\/?$/.exec(first);
  if (url) {
    if (second) throw usageError(TESTS_USAGE, `Unexpected "${second}" after a URL.`);
    const [, owner = '', repo = '', pull, ref, path] = url;
    if (pull)
      return {
        kind: 'pull',
        owner,
        repo,
        number: parseWholeNumber(pull, 'The pull request number', TESTS_USAGE),
      };
    return fileTarget(owner, repo, `${path ?? ''}@${ref ?? ''}`);
  }
  const hash = first.indexOf('#');
  if (hash >= 0) {
    if (second)
      throw usageError(
        TESTS_USAGE,
        `Unexpected "${second}" after a pull request.`,
        '/ops tests acme/shop#42',
      );
    const m = REPO.exec(first.slice(0, hash));
    if (!m)
      throw usageError(
        TESTS_USAGE,
        `"${first.slice(0, hash)}" is not a repository: write owner/repo.`,
        '/ops tests acme/shop#42',
      );
    const number = parseWholeNumber(first.slice(hash + 1), 'The pull request number', TESTS_USAGE);
    return { kind: 'pull', owner: m[1] ?? '', repo: m[2] ?? '', number };
  }
  const m = REPO.exec(first);
  if (!m)
    throw usageError(
      TESTS_USAGE,
      `"${first}" is not a repository: write owner/repo.`,
      '/ops tests acme/shop src/cart.ts',
    );
  if (!second)
    throw usageError(
      TESTS_USAGE,
      `Which file of ${first}? Name a source file, or a pull request as ${first}#<number>.`,
      `/ops tests ${first} src/cart.ts`,
    );
  return fileTarget(m[1] ?? '', m[2] ?? '', second);
}

function fileTarget(owner: string, repo: string, spec: string): TestsTarget {
  const at = spec.lastIndexOf('@');
  const rawPath = at > 0 ? spec.slice(0, at) : spec;
  const ref = at > 0 ? spec.slice(at + 1) : undefined;
  const path = rawPath.replace(/^\.?\/+/, '');
  if (
    !path ||
    path.length > 400 ||
    path.split('/').some((p) => p === '..' || p === '') ||
    /[\0\\]/.test(path)
  )
    throw usageError(TESTS_USAGE, `"${rawPath}" is not a file path in the repository (e.g. src/cart.ts).`);
  if (ref !== undefined && !/^[A-Za-z0-9._/-]{1,200}$/.test(ref))
    throw usageError(
      TESTS_USAGE,
      `"${ref}" is not a branch, tag or commit.`,
      `/ops tests ${owner}/${repo} ${path}@main`,
    );
  return { kind: 'file', owner, repo, path, ...(ref ? { ref } : {}) };
}
