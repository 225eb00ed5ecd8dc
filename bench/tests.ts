/**
 * Drafting tests at size: `node bench/tests.ts [runs=5]`
 *
 * A 5,000-file repository with a 2,000-line TypeScript source file (120 exported functions) and Jest
 * tests beside it, served by the loopback GitHub (sandbox/fake-github.ts) and read through the real
 * Octokit (createRepoPort / createGitHubPort). Times, in one process against the same server:
 *   - the draft_tests tool end to end to its preview (context, prompt, the draft checked, the
 *     message rendered), with a model that answers a valid test at once — so the figure is
 *     Shipmate's own cost, not the model's;
 *   - the baseline: the same GitHub reads done bare through the same ports (ref, recursive tree,
 *     package.json, the source, the two nearest tests).
 * Prints the prompt size against TESTS_PROMPT_TOKENS (12,000) and the time ratio tool/baseline,
 * median of `runs` after a warm-up, with the spread (min–max).
 */

import { start as startFakeGitHub } from '../sandbox/fake-github.ts';
import { createGitHubPort } from '../src/clients/github.ts';
import { createRepoPort } from '../src/clients/github-repo.ts';
import { createGitHubSession } from '../src/clients/github-session.ts';
import { draftTests } from '../tools/draft-tests.ts';
import { redact } from '../tools/shared/redact.ts';
import type { TestsPort } from '../tools/shared/tests-port.ts';

const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

// The repository: 5,000 files in 50 folders, one big source and its neighbours' tests.
const files: Record<string, string> = {
  'package.json': JSON.stringify({
    scripts: { test: 'jest' },
    devDependencies: { jest: '29.7.0', '@jest/globals': '29.7.0' },
  }),
};
for (let d = 0; d < 50; d++) {
  for (let f = 0; f < 98; f++) {
    const base = `src/mod${d}/file${f}`;
    files[`${base}.ts`] = `export function f${f}(x: number): number {\n  return x + ${f};\n}\n`;
    if (f % 10 === 0)
      files[`${base}.test.ts`] =
        `import { f${f} } from './file${f}.ts';\ntest('f${f}', () => { expect(f${f}(1)).toBe(${f + 1}); });\n`;
  }
}
const big: string[] = ["import { readFileSync } from 'node:fs';", ''];
for (let i = 0; i < 120; i++) {
  big.push(
    `/** Step ${i} of the engine. */`,
    `export function step${i}(input: number[], factor = ${i}): number[] {`,
  );
  for (let j = 0; j < 13; j++) big.push(`  const v${j} = input.map((x) => x * factor + ${j});`);
  big.push('  return v12;', '}', '');
}
while (big.length < 2000) big.push(`// padding ${big.length}`);
files['src/engine/engine.ts'] = big.slice(0, 2000).join('\n');
files['src/engine/helpers.test.ts'] =
  "import { step0 } from './engine.ts';\ntest('step0', () => { expect(step0([1])).toEqual([1]); });\n";
const fileCount = Object.keys(files).length;
const ANSWER = [
  '```ts',
  "import { expect, test } from '@jest/globals';",
  "import { step1, step2 } from './engine.ts';",
  "test('step1 scales', () => { expect(step1([1], 2)).toEqual([14]); });",
  "test('step2 scales', () => { expect(step2([0], 1)).toEqual([12]); });",
  '```',
  'COVERS: step1 and step2.',
].join('\n');

const fake = await startFakeGitHub({
  repos: [{ owner: 'acme', name: 'big', defaultBranch: 'main', runs: [], files }],
});
const ghOptions = { baseUrl: fake.url, token: 'ghp_bench' };
const session = createGitHubSession(ghOptions);
const github = createGitHubPort(ghOptions, session);
const repo = createRepoPort(ghOptions, session);
const prompts: number[] = [];
const tests: TestsPort = {
  promptTokens: 12_000,
  modelName: 'bench-model',
  complete: async (p) => {
    prompts.push(Math.ceil((p.system.length + p.user.length) / 4));
    return ANSWER;
  },
  save: async () => 'td-000000000000',
};
const ctx = { userId: 'U_BENCH', traceId: 'bench', signal: new AbortController().signal, progress: () => {} };
const ref = { owner: 'acme', repo: 'big' };

const tool = async () => {
  const t0 = performance.now();
  const r = await draftTests.run(
    { redact, github, repo, tests },
    { repo: 'acme/big', path: 'src/engine/engine.ts' },
    ctx,
  );
  const message = draftTests.blocks(r);
  return { ms: performance.now() - t0, r, chars: JSON.stringify(message).length };
};
const bare = async () => {
  const t0 = performance.now();
  const sha = await repo.resolveRef({ ...ref, ref: 'main' });
  const tree = await repo.getTree({ ...ref, commitSha: sha });
  const at = { ...ref, commitSha: sha };
  await Promise.all(
    ['package.json', 'src/engine/engine.ts', 'src/engine/helpers.test.ts', 'src/mod0/file0.test.ts'].map(
      (path) => repo.getFile({ ...at, path }),
    ),
  );
  return { ms: performance.now() - t0, entries: tree.entries.length };
};

await tool();
await bare();
const toolMs: number[] = [];
const bareMs: number[] = [];
let last: Awaited<ReturnType<typeof tool>> | undefined;
for (let i = 0; i < runs; i++) {
  last = await tool();
  toolMs.push(last.ms);
  bareMs.push((await bare()).ms);
}
await fake.close();
const f = last?.r.files[0];
console.log(
  `repository: ${fileCount.toLocaleString('en')} files; source ${f?.source} (${f?.lines} lines, ${f?.untested.length} exports no test references) → ${f?.testPath}${f?.draft ? ', draft passed its checks' : ', NO DRAFT'}`,
);
console.log(`prompt: ${prompts.at(-1)} tokens (budget TESTS_PROMPT_TOKENS 12,000; ~4 characters a token)`);
console.log(
  `time to preview: ${median(toolMs).toFixed(0)} ms (${spread(toolMs)}) · bare GitHub reads ${median(bareMs).toFixed(0)} ms (${spread(bareMs)}) · ratio ${(median(toolMs) / median(bareMs)).toFixed(2)} · preview message ${last?.chars} chars`,
);
process.exit(0);
