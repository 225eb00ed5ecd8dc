import { z } from 'zod';
import { actions, button, context, escapeMrkdwn, header, section, truncate } from './shared/block-kit.ts';
import { defineTool, type ToolContext } from './shared/define-tool.ts';
import { AppError } from './shared/errors.ts';
import { requireGitHub } from './shared/github-port.ts';
import type { Block, Message } from './shared/message.ts';
import { type Ports, portNotConfigured } from './shared/ports.ts';
import { gatherContext, type RepoContext } from './shared/tests/context.ts';
import { draftFile } from './shared/tests/draft.ts';
import { parseTestsArgs, TESTS_USAGE, type TestsTarget } from './shared/tests/target.ts';
import type { DraftFile } from './shared/tests-port.ts';

const input = z.object({
  repo: z
    .string()
    .regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/)
    .describe('GitHub repository as owner/repo.'),
  path: z
    .string()
    .min(1)
    .max(400)
    .optional()
    .describe('The source file to test, e.g. "src/cart.ts". Omit when giving `pull`.'),
  ref: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Branch, tag or commit of `path` (default: the default branch).'),
  pull: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000)
    .optional()
    .describe('A pull request number: tests for the source files it changes that no test in it touches.'),
});
export type DraftTestsInput = z.infer<typeof input>;

/** One source file's outcome: the checked draft, or why there is none. */
export interface FileOutcome {
  source: string;
  lines: number;
  testPath: string;
  framework: string;
  runner: string;
  convention: string;
  untested: string[];
  nearest: string[];
  draft?: DraftFile;
  /** The checks' complaints about the last draft when it was refused twice. */
  refused?: string[];
  notes: string[];
}

export interface DraftTestsResult {
  repo: string;
  baseRef: string;
  commit: string;
  pull?: RepoContext['pull'];
  files: FileOutcome[];
  skipped: string[];
  truncated: boolean;
  /** Model used; undefined when no LLM is configured (rules only). */
  model?: string;
  /** Set when at least one draft passed its checks: the id the buttons carry. */
  draftId?: string;
  promptTokens: number[];
}

function toTarget(i: DraftTestsInput): TestsTarget {
  const [owner = '', repo = ''] = i.repo.split('/');
  if (i.pull) return { kind: 'pull', owner, repo, number: i.pull };
  if (!i.path)
    throw new AppError({
      code: 'usage',
      userMessage: `Name a source file or a pull request.\nUsage: \`${TESTS_USAGE}\``,
    });
  return { kind: 'file', owner, repo, path: i.path, ...(i.ref ? { ref: i.ref } : {}) };
}

async function run(deps: Ports, inp: DraftTestsInput, ctx: ToolContext): Promise<DraftTestsResult> {
  if (!deps.repo) throw portNotConfigured('repo');
  const github = requireGitHub(deps.github);
  const target = toTarget(inp);
  const budget = (deps.tests?.promptTokens ?? 12_000) * 4;
  const rc = await gatherContext(
    { repo: deps.repo, github, redact: deps.redact, sourceBudgetChars: Math.floor(budget * 0.55) },
    target,
    ctx.signal,
    ctx.progress,
  );
  const promptTokens: number[] = [];
  const files: FileOutcome[] = [];
  for (const s of rc.sources) {
    const outcome = await draftFile(deps, ctx, rc, s, promptTokens);
    files.push({
      source: s.path,
      lines: s.lines,
      testPath: s.testPath,
      framework: s.framework.name,
      runner: s.framework.runner,
      convention: s.convention,
      untested: s.exports.filter((e) => e.kind === 'value' && !s.tested.includes(e.name)).map((e) => e.name),
      nearest: s.examples.map((e) => e.path),
      ...outcome,
    });
  }
  const drafts = files.flatMap((f) => (f.draft ? [f.draft] : []));
  const result: DraftTestsResult = {
    repo: `${rc.owner}/${rc.repo}`,
    baseRef: rc.baseRef,
    commit: rc.commitSha,
    files,
    skipped: rc.skipped,
    truncated: rc.truncated,
    promptTokens,
    ...(rc.pull ? { pull: rc.pull } : {}),
    ...(deps.tests?.modelName ? { model: deps.tests.modelName } : {}),
  };
  if (drafts.length && deps.tests) {
    result.draftId = await deps.tests.save({
      owner: rc.owner,
      repo: rc.repo,
      baseRef: rc.baseRef,
      baseSha: rc.commitSha,
      files: drafts,
      model: deps.tests.modelName ?? 'model',
      requestedBy: ctx.userId,
      asked:
        target.kind === 'pull'
          ? `/ops tests ${result.repo}#${target.number}`
          : `/ops tests ${result.repo} ${target.path}${target.ref ? `@${target.ref}` : ''}`,
      checks: [
        'parses',
        'relative imports resolve to files in the tree',
        'package imports are declared dependencies',
        'imports the source and uses its exports',
        'asserts, skips nothing',
        'is a new file',
      ],
    });
  }
  return result;
}

/** A draft longer than this (characters) goes with the preview as a file; shown cut when it cannot. */
const CODE_CHARS = 2600;

function analysisLine(f: FileOutcome): string {
  return [
    `framework ${f.framework} (\`${f.runner}\`)`,
    `tests live ${f.convention}`,
    f.untested.length
      ? `no test references ${f.untested.slice(0, 6).join(', ')}${f.untested.length > 6 ? ` (+${f.untested.length - 6})` : ''}`
      : 'every export is referenced by a test',
    f.nearest.length ? `closest test: ${f.nearest[0]}` : 'no existing test to copy the style of',
  ].join(' · ');
}

/**
 * The preview. A draft longer than {@link CODE_CHARS} goes with it as a file (`attached`: the message
 * says so and shows no code for it) or, when it cannot, cut to that length.
 */
function preview(r: DraftTestsResult, attached: boolean): Message {
  const blocks: Block[] = [header(`Drafted tests · ${r.repo}${r.pull ? ` #${r.pull.number}` : ''}`)];
  for (const f of r.files) {
    const head = `*${escapeMrkdwn(f.source)}* (${f.lines} lines) → \`${escapeMrkdwn(f.testPath)}\``;
    if (f.draft) {
      const lines = f.draft.code.split('\n').length;
      const long = f.draft.code.length > CODE_CHARS;
      blocks.push(section(`${head}\nCovers: ${escapeMrkdwn(truncate(f.draft.covers, 300))}`));
      if (long && attached)
        blocks.push(
          section(
            `:page_facing_up: The full file (${lines} lines) is attached in the thread as \`${escapeMrkdwn(f.draft.path.replace(/^.*\//, ''))}\`.`,
          ),
        );
      else {
        const code = long
          ? `${f.draft.code.slice(0, CODE_CHARS)}\n… (${lines} lines; the whole file goes in the PR)`
          : f.draft.code;
        blocks.push(section(`\`\`\`${escapeMrkdwn(code.replace(/```/g, 'ˋˋˋ'))}\`\`\``));
      }
    } else if (f.refused) {
      blocks.push(
        section(
          `${head}\n:x: No draft: it failed its checks twice — ${escapeMrkdwn(truncate(f.refused.join('; '), 600))}`,
        ),
      );
    } else {
      blocks.push(section(`${head}\n${escapeMrkdwn(analysisLine(f))}`));
    }
  }
  const facts = [
    r.model
      ? `Generated by ${escapeMrkdwn(r.model)} — review before merging`
      : 'No LLM is configured (`OPENAI_API_KEY` or `OPENAI_BASE_URL`): drafting needs one; this is what the rules found',
    `read at \`${r.commit.slice(0, 7)}\` of ${escapeMrkdwn(r.baseRef)}`,
    r.truncated ? 'GitHub truncated the file tree: some files were not seen' : '',
    ...r.skipped.slice(0, 5).map((s) => `skipped ${escapeMrkdwn(s)}`),
  ].filter(Boolean);
  blocks.push(context(truncate(facts.join(' · '), 2900)));
  if (r.draftId) {
    blocks.push(
      actions(
        [
          button('tests_open', 'Open draft PR', `/ops tests open ${r.draftId}`, 'primary'),
          button('tests_discard', 'Discard', `/ops tests discard ${r.draftId}`),
        ],
        `tests:${r.draftId}`,
      ),
    );
  }
  const drafted = r.files.filter((f) => f.draft).length;
  return {
    text: `Tests for ${r.repo}: ${drafted} of ${r.files.length} drafted${r.model ? '' : ' (no LLM: rules only)'}`,
    blocks,
  };
}

/**
 * `draft_tests`: drafts a unit test file for a source file (or the untested files of a pull request)
 * in the repository's own framework and style, checks it (parses, imports resolve, uses the file's
 * exports, asserts, skips nothing) and shows it — opening a pull request is a button a permitted
 * person clicks. Without an LLM it answers from rules: framework, where the test goes, untested exports.
 */
export const draftTests = defineTool<DraftTestsInput, DraftTestsResult>({
  name: 'draft_tests',
  description:
    'Draft unit tests for one source file of a GitHub repository (owner/repo + path, optional ref), or for the source files a pull request ' +
    'changes without tests (pull number): reads the repository, follows its test framework and style, checks the draft, and shows it with ' +
    'an "Open draft PR" button for a person. Read-only: it never pushes. Use when asked to write, add or suggest tests.',
  input,
  risk: 'read',
  command: {
    name: 'tests',
    usage: TESTS_USAGE,
    summary:
      'draft unit tests for a file or a pull request in the repository’s own style, checked, offered as a draft PR',
    keywords: ['tests', 'test', 'unit', 'coverage', 'draft', 'write tests', 'pytest', 'jest'],
    parse: (words) => {
      const t = parseTestsArgs(words);
      return t.kind === 'pull'
        ? { repo: `${t.owner}/${t.repo}`, pull: t.number }
        : { repo: `${t.owner}/${t.repo}`, path: t.path, ...(t.ref ? { ref: t.ref } : {}) };
    },
    title: (i) => `Drafting tests for ${i.repo}${i.pull ? `#${i.pull}` : ` ${i.path ?? ''}`}`,
    requires: ['repo', 'github'],
  },
  run,
  summarize(r) {
    const lines = r.files.map((f) =>
      f.draft
        ? `${f.source} → ${f.testPath}: drafted (${f.framework}); covers ${truncate(f.draft.covers, 160)}`
        : f.refused
          ? `${f.source}: no draft — it failed its checks twice (${f.refused.slice(0, 3).join('; ')})`
          : `${f.source}: ${analysisLine(f)}`,
    );
    const tail = r.draftId
      ? ` A person can open it as a draft PR with the button (draft ${r.draftId}).`
      : r.model
        ? ''
        : ' No LLM is configured, so nothing was drafted.';
    return truncate(`Tests for ${r.repo} at ${r.baseRef}:\n${lines.join('\n')}${tail}`, 1500);
  },
  blocks(r) {
    const long = r.files.flatMap((f) => (f.draft && f.draft.code.length > CODE_CHARS ? [f.draft] : []));
    const cut = preview(r, false);
    if (!long.length) return cut;
    return {
      ...preview(r, true),
      attach: {
        files: long.map((d) => ({ filename: d.path.replace(/^.*\//, ''), title: d.path, content: d.code })),
        otherwise: cut,
      },
    };
  },
});
