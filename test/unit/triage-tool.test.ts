import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { recentCiFailures } from '../../tools/recent-ci-failures.ts';
import {
  CI_ACTION_IDS,
  parseRerunArgs,
  parseTriageArgs,
  rerunMessage,
} from '../../tools/shared/ci/commands.ts';
import { normalizeErrorLine, triageFingerprint } from '../../tools/shared/ci/fingerprint.ts';
import { isLogTriage } from '../../tools/shared/ci/log-triage.ts';
import { parseTriageTarget } from '../../tools/shared/ci/target.ts';
import { type TriageResult, triageExplanationInput } from '../../tools/shared/ci/triage.ts';
import { triageJobId, triageRequestFromWorkflowRunEvent } from '../../tools/shared/ci/workflow-run.ts';
import type { ToolContext } from '../../tools/shared/define-tool.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type { Block, Message } from '../../tools/shared/message.ts';
import type { Ports } from '../../tools/shared/ports.ts';
import { redact } from '../../tools/shared/redact.ts';
import { triageBuild } from '../../tools/triage-build.ts';
import { type MemoryJob, memoryGitHub } from '../support/memory-github.ts';

const FIX = join(import.meta.dirname, '../fixtures/gha-logs');
const log = (name: string) => readFileSync(join(FIX, `${name}.txt`), 'utf8');
const TS = '2025-01-14T09:30:00.0000000Z';

const NODE_STEPS = (failing: string): MemoryJob['steps'] => [
  { number: 1, name: 'Set up job', status: 'completed', conclusion: 'success' },
  { number: 2, name: 'Run actions/checkout@v4', status: 'completed', conclusion: 'success' },
  { number: 3, name: 'Run actions/setup-node@v4', status: 'completed', conclusion: 'success' },
  {
    number: 4,
    name: 'Run npm ci',
    status: 'completed',
    conclusion: failing === 'Run npm ci' ? 'failure' : 'success',
  },
  {
    number: 5,
    name: failing,
    status: 'completed',
    conclusion: failing === 'Run npm ci' ? 'skipped' : 'failure',
  },
  { number: 6, name: 'Post Run actions/checkout@v4', status: 'completed', conclusion: 'success' },
  { number: 7, name: 'Complete job', status: 'completed', conclusion: 'success' },
];

const NPM_TOKEN = 'npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const GH_TOKEN = 'ghp_FAKEabcdefghijklmnopqrstuvwxyz012345';
const SECRET_LOG = [
  `${TS} ##[group]Run npm publish`,
  `${TS} npm publish`,
  `${TS} ##[endgroup]`,
  `${TS} npm notice Publishing to https://registry.npmjs.org/ with tag latest`,
  `${TS} npm error code E401`,
  `${TS} npm error 401 Unauthorized - PUT https://registry.npmjs.org/@acme%2fshop - auth token ${GH_TOKEN} rejected`,
  `${TS} npm error //registry.npmjs.org/:_authToken=${NPM_TOKEN}`,
  `${TS} ##[error]Process completed with exit code 1.`,
].join('\n');

function ports() {
  const github = memoryGitHub([
    {
      owner: 'acme',
      repo: 'shop',
      defaultBranch: 'main',
      runs: [
        {
          id: 905,
          headBranch: 'release',
          conclusion: 'failure',
          jobs: [
            {
              id: 9051,
              name: 'publish',
              status: 'completed',
              conclusion: 'failure',
              steps: [],
              log: SECRET_LOG,
            },
          ],
        },
        { id: 904, headBranch: 'main', conclusion: null, status: 'in_progress', jobs: [] },
        {
          id: 903,
          headBranch: 'main',
          conclusion: 'failure',
          jobs: [
            {
              id: 9031,
              name: 'test',
              status: 'completed',
              conclusion: 'failure',
              steps: NODE_STEPS('Run npm test'),
              log: log('jest'),
            },
            {
              id: 9032,
              name: 'lint',
              status: 'completed',
              conclusion: 'failure',
              steps: NODE_STEPS('Run npm run lint'),
              log: log('eslint'),
            },
            { id: 9033, name: 'build', status: 'completed', conclusion: 'success', steps: [], log: '' },
            {
              id: 9034,
              name: 'e2e',
              status: 'completed',
              conclusion: 'cancelled',
              steps: [],
              log: log('cancelled'),
            },
          ],
        },
        { id: 902, headBranch: 'main', conclusion: 'success', jobs: [] },
        {
          id: 901,
          headBranch: 'feature/deps',
          conclusion: 'failure',
          jobs: [
            {
              id: 9011,
              name: 'install',
              status: 'completed',
              conclusion: 'failure',
              steps: NODE_STEPS('Run npm ci'),
              log: log('npm-eresolve'),
            },
          ],
        },
        {
          id: 900,
          headBranch: 'old',
          conclusion: 'failure',
          jobs: [
            { id: 9001, name: 'test', status: 'completed', conclusion: 'failure', steps: [], log: 'expired' },
          ],
        },
        { id: 899, headBranch: 'main', conclusion: 'cancelled', jobs: [] },
      ],
    },
    { owner: 'acme', repo: 'quiet', defaultBranch: 'trunk', runs: [] },
  ]);
  const deps: Ports = { redact, github };
  return { deps, github };
}

function ctx(): ToolContext & { steps: string[] } {
  const steps: string[] = [];
  return {
    userId: 'U1',
    traceId: 't1',
    signal: new AbortController().signal,
    progress: (s) => steps.push(s),
    steps,
  };
}

/** Slack's limits, checked on any message. */
function expectWithinSlackLimits(m: Message): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(3900);
  const blocks = m.blocks ?? [];
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks as Block[]) {
    if (b.type === 'section') {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'actions') {
      for (const e of b.elements) {
        expect(e.text.text.length).toBeLessThanOrEqual(75);
        expect(e.value.length).toBeLessThanOrEqual(2000);
        expect(e.value).toMatch(/^\/ops /);
      }
    }
  }
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/** A run's triage (these tests never give a log URL). */
async function runTriage(...a: Parameters<typeof triageBuild.run>): Promise<TriageResult> {
  const r = await triageBuild.run(...a);
  if (isLogTriage(r)) throw new Error('expected a run triage');
  return r;
}

describe('triage_build', () => {
  it('declares its input with a description on every field', () => {
    expect(triageBuild.risk).toBe('read');
    const shape = (triageBuild.input as unknown as { shape: Record<string, { description?: string }> }).shape;
    for (const [k, f] of Object.entries(shape))
      expect([k, (f.description?.length ?? 0) > 10]).toEqual([k, true]);
  });

  it('defaults to the latest failed run on the default branch and triages each failed job', async () => {
    const { deps, github } = ports();
    const c = ctx();
    const r = await runTriage(deps, triageBuild.input.parse({ repo: 'acme/shop' }), c);
    expect(github.calls.slice(0, 2)).toEqual([
      'getDefaultBranch acme/shop',
      'listWorkflowRuns acme/shop main failure 1',
    ]);
    expect(r.run.id).toBe(903);
    expect(r.failedJobCount).toBe(2);
    expect(r.cancelledJobCount).toBe(1);
    expect(r.kind).toBe('test');
    expect(r.rerunCommand).toBe('/ops rerun acme/shop 903');

    const [test, lint] = r.jobs;
    expect(test).toMatchObject({
      name: 'test',
      failedStep: { number: 5, name: 'Run npm test' },
      kind: 'test',
      rule: 'jest',
      firstError: '  ● Cart › adds an item',
      logLine: 117,
      section: 'Run npm test',
      details: {
        testName: 'Cart › adds an item',
        expected: '2',
        received: '1',
        location: 'src/cart/cart.test.ts:12:26',
      },
    });
    // Line 117 of the raw log is line 24 of step 5 in GitHub's log viewer (the step's first line is its header).
    expect(test?.logUrl).toBe('https://github.com/acme/shop/actions/runs/903/job/9031#step:5:24');
    expect(test?.excerpt.map((l) => l.text)).toContain(
      '      at Object.<anonymous> (src/cart/cart.test.ts:12:26)',
    );
    expect(test?.stoppedEarly).toBe(true);
    expect(lint).toMatchObject({
      kind: 'lint',
      rule: 'eslint',
      failedStep: { number: 5, name: 'Run npm run lint' },
    });
    expect(c.steps.some((s) => s.includes('"test" (1/2)'))).toBe(true);
    expect(r.fingerprint).toBe(test?.fingerprint);
  });

  it('reads raw bytes when the port offers them, with the same result', async () => {
    const { deps, github } = ports();
    const lines = await runTriage(deps, triageBuild.input.parse({ repo: 'acme/shop' }), ctx());
    const withBytes: GitHubPort = {
      ...github,
      async *streamJobLogBytes(ref, opts) {
        // Odd-sized chunks that cut lines and UTF-8 characters apart.
        let buf = '';
        for await (const line of github.streamJobLog(ref, opts)) buf += `${line}\n`;
        const bytes = new TextEncoder().encode(buf);
        for (let i = 0; i < bytes.length; i += 997) yield bytes.subarray(i, i + 997);
      },
    };
    const bytes = await runTriage(
      { ...deps, github: withBytes },
      triageBuild.input.parse({ repo: 'acme/shop' }),
      ctx(),
    );
    const strip = (r: typeof lines) => r.jobs.map(({ linesRead: _l, stoppedEarly: _s, ...j }) => j);
    expect(strip(bytes)).toEqual(strip(lines));
  });

  it('reads the job of a …/job/ID URL first', async () => {
    const { deps } = ports();
    const r = await runTriage(
      deps,
      triageBuild.input.parse({ repo: 'https://github.com/acme/shop/actions/runs/903/job/9032' }),
      ctx(),
    );
    expect(r.jobs.map((j) => j.name)).toEqual(['lint', 'test']);
  });

  it('accepts a run id, a run URL (as repo or as run) and a branch', async () => {
    const { deps } = ports();
    for (const input of [
      { repo: 'acme/shop', run: '901' },
      { repo: 'acme/shop', run: 'https://github.com/acme/shop/actions/runs/901' },
      { repo: 'https://github.com/acme/shop/actions/runs/901/job/9011' },
      { repo: 'acme/shop', run: 'feature/deps' },
    ]) {
      const r = await runTriage(deps, triageBuild.input.parse(input), ctx());
      expect([input, r.run.id, r.kind]).toEqual([input, 901, 'dependency']);
    }
  });

  it('answers specifically: unknown repository, not failed, in progress, no failed run, logs expired, bad input', async () => {
    const { deps } = ports();
    const run = (input: object) => runTriage(deps, triageBuild.input.parse(input), ctx());
    expect((await appError(run({ repo: 'acme/nope' }))).code).toBe('github_repo_not_found');
    expect((await appError(run({ repo: 'acme/shop', run: '902' }))).code).toBe('run_not_failed');
    const cancelled = await appError(run({ repo: 'acme/shop', run: '899' }));
    expect([cancelled.code, cancelled.userMessage]).toEqual([
      'run_not_failed',
      expect.stringContaining('cancelled'),
    ]);
    expect((await appError(run({ repo: 'acme/shop', run: '904' }))).code).toBe('run_in_progress');
    expect((await appError(run({ repo: 'acme/quiet' }))).code).toBe('no_failed_run');
    expect((await appError(run({ repo: 'acme/shop', run: 'old' }))).code).toBe('github_logs_expired');
    expect((await appError(run({ repo: 'not a repo' }))).code).toBe('bad_input');
    expect(
      (await appError(run({ repo: 'acme/shop', run: 'https://github.com/other/repo/actions/runs/1' }))).code,
    ).toBe('bad_input');
    const noPort = await appError(
      runTriage({ redact }, triageBuild.input.parse({ repo: 'acme/shop' }), ctx()),
    );
    expect([noPort.code, noPort.userMessage]).toEqual([
      'not_configured',
      expect.stringContaining('GITHUB_TOKEN'),
    ]);
  });

  it('redacts secrets from the excerpt, the summary and the Slack message', async () => {
    const { deps } = ports();
    const r = await runTriage(deps, triageBuild.input.parse({ repo: 'acme/shop', run: '905' }), ctx());
    const everything = JSON.stringify([r, triageBuild.summarize(r), triageBuild.blocks(r)]);
    expect(everything).not.toContain(NPM_TOKEN);
    expect(everything).not.toContain(GH_TOKEN);
    expect(everything).toContain('[REDACTED]');
    expect(r.jobs[0]?.kind).toBe('deploy');
  });

  it('summarize() is compact and leads with counts; blocks() fit Slack with a re-run button', async () => {
    const { deps } = ports();
    const r = await runTriage(deps, triageBuild.input.parse({ repo: 'acme/shop' }), ctx());
    const s = triageBuild.summarize(r);
    expect(s.length).toBeLessThanOrEqual(1200);
    expect(s).toMatch(/^acme\/shop run 903 .* 2 failed jobs, 1 cancelled\./);
    expect(s).toContain('Cart › adds an item');
    expect(s).toContain('/ops rerun acme/shop 903');

    const m = triageBuild.blocks(r);
    expectWithinSlackLimits(m);
    const buttons = (m.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toContainEqual(
      expect.objectContaining({ action_id: CI_ACTION_IDS.rerun, value: '/ops rerun acme/shop 903' }),
    );
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('View log line 117');
    expect(text).toContain('#step:5:24');
    expect(m.text).toContain('test failure in job test');
  });

  it('stays within limits for a huge excerpt with Slack control characters', async () => {
    const lines = [`${TS} ##[group]Run make`, `${TS} ##[endgroup]`];
    for (let i = 0; i < 200; i++)
      lines.push(`${TS} src/a${i}.ts(${i},1): error TS2322: <T> & \`\`\` ${'x'.repeat(400)}`);
    lines.push(`${TS} ##[error]Process completed with exit code 2.`);
    const github = memoryGitHub([
      {
        owner: 'acme',
        repo: 'big',
        defaultBranch: 'main',
        runs: [
          {
            id: 1,
            headBranch: 'main',
            conclusion: 'failure',
            jobs: Array.from({ length: 8 }, (_, j) => ({
              id: 100 + j,
              name: `shard ${j} ${'n'.repeat(200)}`,
              status: 'completed',
              conclusion: 'failure' as const,
              steps: [],
              log: lines.join('\n'),
            })),
          },
        ],
      },
    ]);
    const r = await runTriage({ redact, github }, triageBuild.input.parse({ repo: 'acme/big' }), ctx());
    expect(r.jobs).toHaveLength(4);
    expect(r.failedJobCount).toBe(8);
    expect(triageBuild.summarize(r).length).toBeLessThanOrEqual(1200);
    const m = triageBuild.blocks(r);
    expectWithinSlackLimits(m);
    expect(JSON.stringify(m.blocks)).toContain('&lt;T&gt; &amp;');
    expect(JSON.stringify(m.blocks)).toContain('+4 more failed jobs not shown');
  });

  it('gives an LLM the excerpt and metadata, bounded', async () => {
    const { deps } = ports();
    const r = await runTriage(deps, triageBuild.input.parse({ repo: 'acme/shop' }), ctx());
    const job = r.jobs[0];
    if (!job) throw new Error('no job');
    const text = triageExplanationInput(r, job);
    expect(text.length).toBeLessThanOrEqual(3000);
    for (const s of [
      'acme/shop',
      'Run npm test',
      'Kind (rule-based): test',
      'Failing test: Cart › adds an item',
      'Expected: 2',
      '117: ',
    ]) {
      expect(text).toContain(s);
    }
    expect(triageExplanationInput(r, job, 500).length).toBeLessThanOrEqual(500);
  });
});

describe('recent_ci_failures', () => {
  it('lists failed runs newest first, for a branch, with triage buttons', async () => {
    const { deps } = ports();
    const r = await recentCiFailures.run(
      deps,
      recentCiFailures.input.parse({ repo: 'acme/shop', branch: 'main' }),
      ctx(),
    );
    expect(r.runs.map((x) => x.id)).toEqual([903]);
    const s = recentCiFailures.summarize(r);
    expect(s).toMatch(/^1 most recent failed run of acme\/shop on main/);
    expect(s.length).toBeLessThanOrEqual(1200);
    const m = recentCiFailures.blocks(r);
    expectWithinSlackLimits(m);
    const buttons = (m.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons[0]).toMatchObject({ action_id: CI_ACTION_IDS.triage, value: '/ops triage acme/shop 903' });
  });

  it('says so when nothing failed, and validates its input', async () => {
    const { deps } = ports();
    const r = await recentCiFailures.run(deps, recentCiFailures.input.parse({ repo: 'acme/quiet' }), ctx());
    expect(recentCiFailures.summarize(r)).toMatch(/^No failed workflow runs of acme\/quiet/);
    expectWithinSlackLimits(recentCiFailures.blocks(r));
    expect(() => recentCiFailures.input.parse({ repo: 'acme/shop', limit: 50 })).toThrow();
    expect(recentCiFailures.input.parse({ repo: 'acme/shop' }).limit).toBe(5);
  });
});

describe('fingerprint: the same failure within a day', () => {
  const base = { repo: 'acme/shop', workflow: '.github/workflows/ci.yml', step: 'Run npm test' };
  it('ignores what changes between runs of the same failure', () => {
    const a = triageFingerprint({
      ...base,
      firstErrorLine: `${TS} src/cart.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.`,
    });
    const b = triageFingerprint({
      ...base,
      repo: 'ACME/Shop',
      firstErrorLine: `2025-02-01T11:00:00.1234567Z src/cart.ts(14,9): error TS2322: Type 'string' is not assignable to type 'number'.`,
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(
      normalizeErrorLine(
        'Timeout after 5023 ms in /tmp/jest_abc123/x.js at 2025-01-14T09:30:00Z (1.23 s) pid 48213',
      ),
    ).toBe('timeout after <dur> in <tmp> at <time> (<dur>) pid <n>');
  });
  it('tells different failures apart', () => {
    const fp = (firstErrorLine: string, step = base.step) =>
      triageFingerprint({ ...base, step, firstErrorLine });
    expect(fp('error TS2322: x')).not.toBe(fp('error TS2339: x'));
    expect(fp('##[error]Process completed with exit code 1.')).not.toBe(
      fp('##[error]Process completed with exit code 137.'),
    );
    expect(fp('error TS2322: x')).not.toBe(fp('error TS2322: x', 'Run npm run build'));
  });
});

describe('arguments, commands and webhook helpers', () => {
  it('parses triage targets', () => {
    expect(parseTriageTarget('acme/shop')).toEqual({
      owner: 'acme',
      repo: 'shop',
      target: { kind: 'default' },
    });
    expect(parseTriageTarget('acme/shop', '#123').target).toEqual({ kind: 'run', runId: 123 });
    expect(parseTriageTarget('https://github.com/acme/shop.git').repo).toBe('shop');
    expect(parseTriageTarget('https://ghe.example.com/acme/shop/actions/runs/5/attempts/2').target).toEqual({
      kind: 'run',
      runId: 5,
      attempt: 2,
    });
    expect(parseTriageTarget('acme/shop', 'refs/heads/release/1.2').target).toEqual({
      kind: 'branch',
      branch: 'release/1.2',
    });
    for (const bad of [
      ['acme'],
      ['acme/shop', 'a b'],
      ['acme/shop', 'https://example.com/x'],
      ['acme/shop', 'x..y'],
    ]) {
      expect(() => parseTriageTarget(bad[0] as string, bad[1])).toThrow(AppError);
    }
  });

  it('parses /ops triage and /ops rerun and renders the re-run reply', () => {
    expect(parseTriageArgs(['acme/shop', 'main'])).toEqual({ repo: 'acme/shop', run: 'main' });
    expect(() => parseTriageArgs([])).toThrow(/Usage: `\/ops triage/);
    expect(parseRerunArgs(['acme/shop', '903'])).toEqual({ owner: 'acme', repo: 'shop', runId: 903 });
    expect(parseRerunArgs(['https://github.com/acme/shop/actions/runs/903'])).toEqual({
      owner: 'acme',
      repo: 'shop',
      runId: 903,
    });
    expect(() => parseRerunArgs(['acme/shop'])).toThrow(/run id/);
    expect(() => parseRerunArgs(['acme/shop', 'main'])).toThrow(/run id/);
    const m = rerunMessage(
      { owner: 'acme', repo: 'shop', runId: 903 },
      {
        id: 903,
        name: 'CI',
        workflowPath: '.github/workflows/ci.yml',
        workflowId: 1,
        runNumber: 45,
        runAttempt: 2,
        displayTitle: 'x',
        headBranch: 'main',
        headSha: 'abc',
        event: 'push',
        status: 'queued',
        conclusion: null,
        htmlUrl: 'https://github.com/acme/shop/actions/runs/903',
        actor: 'octocat',
        createdAt: '',
        updatedAt: '',
      },
      'U1',
    );
    expect(m.text).toContain('attempt 2');
    expectWithinSlackLimits(m);
  });

  it('decides which workflow_run deliveries to triage, and where', () => {
    const payload = (over: Record<string, unknown> = {}, run: Record<string, unknown> = {}) => ({
      action: 'completed',
      repository: { full_name: 'Acme/Shop' },
      workflow_run: {
        id: 903,
        name: 'CI',
        path: '.github/workflows/ci.yml',
        run_attempt: 2,
        status: 'completed',
        conclusion: 'failure',
        head_branch: 'main',
        ...run,
      },
      ...over,
    });
    const channels = { 'acme/shop': 'C1OPS' };
    expect(triageRequestFromWorkflowRunEvent(payload(), channels)).toMatchObject({
      owner: 'Acme',
      repo: 'Shop',
      runId: 903,
      runAttempt: 2,
      channel: 'C1OPS',
      run: { name: 'CI', conclusion: 'failure' },
    });
    expect(triageRequestFromWorkflowRunEvent(payload({ action: 'requested' }), channels)).toBeNull();
    expect(triageRequestFromWorkflowRunEvent(payload({}, { conclusion: 'success' }), channels)).toBeNull();
    expect(triageRequestFromWorkflowRunEvent(payload({}, { conclusion: 'cancelled' }), channels)).toBeNull();
    expect(
      triageRequestFromWorkflowRunEvent(payload({}, { conclusion: 'timed_out' }), channels),
    ).not.toBeNull();
    expect(
      triageRequestFromWorkflowRunEvent(payload({ repository: { full_name: 'acme/other' } }), channels),
    ).toBeNull();
    expect(triageRequestFromWorkflowRunEvent({ nonsense: true }, channels)).toBeNull();
    expect(triageJobId({ owner: 'Acme', repo: 'Shop', runId: 903, runAttempt: 2 })).toBe(
      'triage/acme/shop/903/2',
    );
    expect(triageJobId({ owner: 'a', repo: 'b', runId: 1 })).not.toContain(':');
  });
});
