import type { ToolContext } from '../define-tool.ts';
import type { Ports } from '../ports.ts';
import type { DraftFile } from '../tests-port.ts';
import type { RepoContext, SourceContext } from './context.ts';
import { packageDependencies } from './layout.ts';
import { buildPrompt, parseDraftAnswer } from './prompt.ts';

export interface DraftOutcome {
  draft?: DraftFile;
  /** The checks' complaints about the last draft when it was refused twice. */
  refused?: string[];
  notes: string[];
}

/**
 * Asks the model for one source file's test file and checks it; a draft that fails a check goes back
 * once with the reasons. Undefined `draft` without an LLM (nothing asked) or after two refusals.
 */
export async function draftFile(
  deps: Ports,
  ctx: ToolContext,
  rc: RepoContext,
  s: SourceContext,
  tokens: number[],
  /** A previous draft and why it failed (CI), for a revision: up to two more tries. */
  revise?: { code: string; problems: string[] },
): Promise<DraftOutcome> {
  const tests = deps.tests;
  if (!tests?.complete) return { notes: [] };
  const parts = {
    repo: `${rc.owner}/${rc.repo}`,
    sourcePath: s.path,
    source: s.source,
    sourceCut: s.sourceCut,
    lang: s.lang,
    framework: s.framework,
    testPath: s.testPath,
    convention: s.convention,
    exports: s.exports,
    tested: s.tested,
    examples: s.examples,
    dependencies: [...packageDependencies(rc.manifests['package.json']).keys()],
  };
  let feedback: { code: string; problems: string[] } | undefined = revise;
  for (let attempt = 1; attempt <= 2; attempt++) {
    ctx.progress(
      `Drafting tests for ${s.path}${attempt > 1 ? ' again (the first draft failed its checks)' : ''}…`,
    );
    const prompt = buildPrompt({ ...parts, ...(feedback ? { feedback } : {}) }, tests.promptTokens);
    tokens.push(prompt.tokens);
    const answer = await tests.complete(
      { system: prompt.system, user: deps.redact(prompt.user) },
      ctx.signal,
    );
    const { code, covers } = parseDraftAnswer(answer);
    // The parsers load with the first draft, not with the web role that only queues the command.
    const { checkDraft } = await import('./check.ts');
    const check = checkDraft({
      code,
      lang: s.lang,
      testPath: s.testPath,
      sourcePath: s.path,
      exports: s.exports,
      paths: rc.paths,
      manifests: {
        packageJson: rc.manifests['package.json'],
        python: [
          rc.manifests['pyproject.toml'],
          rc.manifests['setup.cfg'],
          rc.manifests['requirements.txt'],
          rc.manifests['requirements-dev.txt'],
        ].join('\n'),
        tsconfig: rc.manifests['tsconfig.json'],
      },
      examples: s.examples,
    });
    if (check.ok) {
      return {
        draft: {
          path: s.testPath,
          source: s.path,
          code: deps.redact(code),
          covers: deps.redact(covers || 'the exported functions'),
          framework: s.framework.name,
        },
        notes: check.notes,
      };
    }
    feedback = { code, problems: check.problems };
  }
  return { refused: feedback?.problems ?? [], notes: [] };
}
