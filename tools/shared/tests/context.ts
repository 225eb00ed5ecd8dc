import { AppError, isAppError } from '../errors.ts';
import type { GitHubPort } from '../github-port.ts';
import { closestNames } from '../kube/objects.ts';
import type { RepoPort } from '../repo-port.ts';
import { cutToExports, type ExportedName, exportedNames } from './exports.ts';
import {
  detectFramework,
  type Framework,
  isTestFile,
  type Language,
  languageOf,
  MANIFEST_FILES,
  type Manifests,
  planTestLayout,
} from './layout.ts';
import type { TestsTarget } from './target.ts';

/** Most source files of a pull request that get tests. */
export const MAX_PULL_FILES = 5;

/** Everything known about one source file before drafting. */
export interface SourceContext {
  path: string;
  lang: Language;
  framework: Framework;
  source: string;
  sourceCut: boolean;
  lines: number;
  testPath: string;
  convention: string;
  exports: ExportedName[];
  /** Exports some existing test references. */
  tested: string[];
  /** The one or two nearest existing tests, read. */
  examples: { path: string; text: string }[];
}

export interface RepoContext {
  owner: string;
  repo: string;
  /** The branch the PR would target, and the commit read. */
  baseRef: string;
  commitSha: string;
  paths: Set<string>;
  truncated: boolean;
  manifests: Manifests;
  sources: SourceContext[];
  /** Files of a pull request left out, and why. */
  skipped: string[];
  /** "pull #42: Fix the cart" when the target is a pull request. */
  pull?: { number: number; title: string; url: string };
}

async function read(
  repo: RepoPort,
  ref: { owner: string; repo: string; commitSha: string },
  path: string,
  signal: AbortSignal,
) {
  return (await repo.getFile({ ...ref, path }, { signal }))?.text;
}

/** Reads what drafting needs through the GitHub API; every text is redacted here. */
export async function gatherContext(
  o: { repo: RepoPort; github: GitHubPort; redact: (s: string) => string; sourceBudgetChars: number },
  target: TestsTarget,
  signal: AbortSignal,
  progress: (s: string) => void,
): Promise<RepoContext> {
  const ref = { owner: target.owner, repo: target.repo };
  const full = `${target.owner}/${target.repo}`;
  progress(`Reading ${full}…`);
  let baseRef: string;
  let commitSha: string;
  let wanted: string[];
  let pull: RepoContext['pull'];
  const skipped: string[] = [];
  if (target.kind === 'pull') {
    const pr = await o.repo.getPull({ ...ref, number: target.number }, { signal });
    if (pr.headRepo && pr.headRepo.toLowerCase() !== full.toLowerCase())
      throw new AppError({
        code: 'tests_fork_pull',
        userMessage: `Pull request #${pr.number} comes from the fork ${pr.headRepo}; Shipmate drafts tests only for branches of ${full}.`,
      });
    baseRef = pr.headRef;
    commitSha = pr.headSha;
    pull = { number: pr.number, title: o.redact(pr.title), url: pr.url };
    const files = await o.repo.listPullFiles({ ...ref, number: target.number }, { signal });
    const tests = files.filter((f) => isTestFile(f.path));
    const stemOf = (p: string) =>
      p
        .slice(p.lastIndexOf('/') + 1)
        .replace(/\..*$/, '')
        .replace(/^test_/, '');
    const candidates = files
      .filter((f) => f.status !== 'removed' && languageOf(f.path) !== 'other' && !isTestFile(f.path))
      .filter((f) => {
        const touched = tests.some((t) => stemOf(t.path).startsWith(stemOf(f.path)));
        if (touched) skipped.push(`${f.path}: the pull request already changes its tests`);
        return !touched;
      })
      .sort((a, b) => b.changes - a.changes);
    wanted = candidates.slice(0, MAX_PULL_FILES).map((f) => f.path);
    for (const f of candidates.slice(MAX_PULL_FILES))
      skipped.push(`${f.path}: over the ${MAX_PULL_FILES}-file limit`);
    if (wanted.length === 0)
      throw new AppError({
        code: 'tests_nothing_to_draft',
        userMessage: `Pull request #${pr.number} of ${full} changes no source file that lacks tests in it${skipped.length ? ` (${skipped.slice(0, 3).join('; ')})` : ''}.`,
      });
  } else {
    baseRef = target.ref ?? (await o.github.getDefaultBranch(ref, { signal }));
    commitSha = await o.repo.resolveRef({ ...ref, ref: baseRef }, { signal });
    wanted = [target.path];
  }
  const tree = await o.repo.getTree({ ...ref, commitSha }, { signal });
  const paths = new Set(tree.entries.filter((e) => e.type === 'blob').map((e) => e.path));
  const at = { ...ref, commitSha };
  if (target.kind === 'file' && !paths.has(target.path)) {
    const close = closestNames(target.path, paths, 3);
    throw new AppError({
      code: 'tests_file_not_found',
      userMessage: `${full} has no file ${target.path} at ${baseRef}.${close.length ? ` Did you mean ${close.map((c) => `\`${c}\``).join(', ')}?` : ''}`,
    });
  }
  if (target.kind === 'file' && isTestFile(target.path))
    throw new AppError({
      code: 'usage',
      userMessage: `${target.path} is a test file; name the source file it tests instead.`,
    });
  const manifests: Manifests = {};
  await Promise.all(
    MANIFEST_FILES.filter((f) => paths.has(f)).map(async (f) => {
      const text = await read(o.repo, at, f, signal);
      if (text !== undefined) manifests[f] = o.redact(text);
    }),
  );
  const sources: SourceContext[] = [];
  for (const path of wanted) {
    progress(`Reading ${path} and the tests near it…`);
    const raw = await read(o.repo, at, path, signal);
    if (raw === undefined) {
      skipped.push(`${path}: not readable at ${commitSha.slice(0, 7)}`);
      continue;
    }
    const lang = languageOf(path);
    const text = o.redact(raw);
    const exports = exportedNames(text, lang);
    const layout = planTestLayout(path, [...paths]);
    const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\..*$/, '');
    const related = layout.tests.filter((t) => t.includes(stem)).slice(0, 4);
    const toRead = [...new Set([...layout.nearest, ...related])].slice(0, 5);
    const texts = await Promise.all(
      toRead.map(async (p) => ({
        path: p,
        text: o.redact((await read(o.repo, at, p, signal).catch(skipError)) ?? ''),
      })),
    );
    const tested = exports
      .filter((e) =>
        texts.some(
          (t) => t.text.includes(stem) && new RegExp(`\\b${e.name.replace(/\$/g, '\\$')}\\b`).test(t.text),
        ),
      )
      .map((e) => e.name);
    const cut = cutToExports(text, lang, o.sourceBudgetChars);
    sources.push({
      path,
      lang,
      framework: detectFramework(lang, manifests),
      source: cut.text,
      sourceCut: cut.cut,
      lines: raw.split('\n').length,
      testPath: layout.proposedPath,
      convention: layout.convention,
      exports,
      tested,
      examples: texts.filter((t) => layout.nearest.includes(t.path) && t.text),
    });
  }
  return {
    owner: target.owner,
    repo: target.repo,
    baseRef,
    commitSha,
    paths,
    truncated: tree.truncated,
    manifests,
    sources,
    skipped,
    ...(pull ? { pull } : {}),
  };
}

function skipError(e: unknown): undefined {
  if (isAppError(e)) return undefined;
  throw e;
}
