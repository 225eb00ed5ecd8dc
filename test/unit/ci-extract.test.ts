import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { classifyLine } from '../../tools/shared/ci/classify-line.ts';
import {
  cleanLine,
  lastMarker,
  prefixLength,
  stripAnsi,
  stripTimestamp,
  timestampLength,
} from '../../tools/shared/ci/clean.ts';
import { cutMiddle } from '../../tools/shared/ci/excerpt.ts';
import { extractLog, extractLogChunks } from '../../tools/shared/ci/extract.ts';
import { splitLines } from '../../tools/shared/ci/lines.ts';
import { createLogExtractor } from '../../tools/shared/ci/log-extractor.ts';
import { GREP_PATTERNS } from '../../tools/shared/ci/rules.ts';

// GitHub Actions logs, and the other CIs' (each of those cites the public log it comes from).
const DIR = join(import.meta.dirname, '../fixtures');
const FIXTURES = ['gha-logs', 'ci-logs'].flatMap((sub) =>
  readdirSync(join(DIR, sub))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => `${sub}/${f.replace(/\.txt$/, '')}`),
);

interface Expectation {
  /** Where the log comes from (the other CIs' fixtures). */
  source?: string;
  kind: string;
  rule?: string;
  section: string;
  firstError?: { n: number; text: string };
  mustContain: string[];
  mustNotContain?: string[];
  testName?: string;
  location?: string;
  expected?: string;
  received?: string;
  errorCode?: string;
  exitCode?: number;
  discarded?: number;
}

const expectation = (name: string) =>
  JSON.parse(readFileSync(join(DIR, `${name}.expect.json`), 'utf8')) as Expectation;
const rawLines = (name: string) =>
  readFileSync(join(DIR, `${name}.txt`), 'utf8')
    .replace(/^\ufeff/, '')
    .split('\n');

const TS = '2025-01-14T09:30:00.0000000Z';

describe('log fixtures: excerpt, kind and line numbers', () => {
  it('covers every failure kind', () => {
    const kinds = new Set(FIXTURES.map((f) => expectation(f).kind));
    for (const k of [
      'test',
      'compile',
      'lint',
      'dependency',
      'infrastructure',
      'timeout',
      'cancelled',
      'config',
      'deploy',
      'unknown',
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it.each(FIXTURES)('%s', async (name) => {
    const exp = expectation(name);
    const r = await extractLog(splitLines(createReadStream(join(DIR, `${name}.txt`))));
    expect(r.kind).toBe(exp.kind);
    if (exp.rule) expect(r.rule).toBe(exp.rule);
    expect(r.section?.title).toBe(exp.section);
    expect(r.settled).toBe(true);
    if (exp.firstError) expect(r.firstError).toEqual(exp.firstError);

    const texts = r.lines.map((l) => l.text);
    for (const line of exp.mustContain) expect(texts).toContain(line);
    for (const line of exp.mustNotContain ?? []) expect(texts).not.toContain(line);
    expect(r.lines.length).toBeLessThanOrEqual(40);

    // Line numbers point at the raw log: each excerpt line is that raw line, cleaned.
    const raw = rawLines(name);
    for (const l of r.lines) expect(cleanLine(raw[l.n - 1] ?? '')).toBe(l.text);
    expect(r.lines.map((l) => l.n)).toEqual([...r.lines.map((l) => l.n)].sort((a, b) => a - b));
    // Timestamps and colours are gone.
    for (const t of texts) {
      expect(t).not.toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(t).not.toContain('\u001b');
    }

    for (const key of ['testName', 'location', 'expected', 'received', 'errorCode', 'exitCode'] as const) {
      if (exp[key] !== undefined) expect(r.details[key]).toBe(exp[key]);
    }
    if (exp.discarded !== undefined) expect(r.discarded).toBe(exp.discarded);
  });

  it.each(FIXTURES)('%s: same result from raw chunks cut anywhere (1, 7, 64 KiB bytes)', async (name) => {
    const byLine = await extractLog(splitLines(createReadStream(join(DIR, `${name}.txt`))));
    for (const highWaterMark of [1, 7, 65536]) {
      const byChunk = await extractLogChunks(createReadStream(join(DIR, `${name}.txt`), { highWaterMark }));
      expect({ ...byChunk, linesRead: 0, stoppedEarly: false }).toEqual({
        ...byLine,
        linesRead: 0,
        stoppedEarly: false,
      });
    }
  });

  it.each(FIXTURES.filter((f) => f.startsWith('ci-logs/')))('%s cites its source', (name) => {
    expect(expectation(name).source).toMatch(/https:\/\/\S+/);
  });

  it.each(FIXTURES)('%s: the first error line matches the grep patterns the benchmark uses', (name) => {
    const exp = expectation(name);
    // Fixtures decided by a rule (not by the fallback to the lines before the verdict).
    if (!exp.firstError || !exp.rule) return;
    const res = GREP_PATTERNS.map(
      (p) => new RegExp(p.replace(/\[\^\[:space:\]\]/g, '\\S').replace(/\[\[:space:\]\]/g, '\\s')),
    );
    expect(res.some((re) => re.test(exp.firstError?.text ?? ''))).toBe(true);
  });
});

describe('streaming behaviour', () => {
  function* jestThenNoise(noise: number): Generator<string> {
    yield `${TS} ##[group]Run npm test`;
    yield `${TS} npm test`;
    yield `${TS} ##[endgroup]`;
    yield `${TS} FAIL src/a.test.ts`;
    yield `${TS}   ● a › works`;
    yield `${TS}     Expected: 1`;
    yield `${TS}     Received: 2`;
    yield `${TS}       at Object.<anonymous> (src/a.test.ts:3:5)`;
    for (let i = 0; i < noise; i++) yield `${TS} PASS src/other${i}.test.ts (0.1 s)`;
    yield `${TS} ##[error]Process completed with exit code 1.`;
  }

  it('stops reading a few hundred lines after a decisive error when its step goes on', async () => {
    const r = await extractLog(jestThenNoise(200_000));
    expect(r.stoppedEarly).toBe(true);
    expect(r.linesRead).toBeLessThan(5 + 600);
    expect(r.kind).toBe('test');
    expect(r.firstError?.n).toBe(5);
  });

  it('stops at the step verdict when it comes first', async () => {
    const r = await extractLog(jestThenNoise(10));
    expect(r.stoppedEarly).toBe(true);
    expect(r.linesRead).toBe(19);
    expect(r.terminal?.rule).toBe('exit-code');
  });

  it('keeps bounded state however long the log (1M lines, no error)', () => {
    const ex = createLogExtractor();
    const line = `${TS} just some output that never fails, with a number 123 and a path src/a.ts`;
    for (let i = 0; i < 1_000_000; i++) ex.push(line);
    const r = ex.result();
    expect(r.linesRead).toBe(1_000_000);
    expect(r.kind).toBe('unknown');
    expect(r.confidence).toBe('low');
    expect(r.lines.length).toBeLessThanOrEqual(10);
  });

  it('de-duplicates repeated lines and counts them', () => {
    const ex = createLogExtractor();
    ex.push(`${TS} ##[group]Run ./deploy.sh`);
    ex.push(`${TS} ##[endgroup]`);
    for (let i = 0; i < 5; i++) {
      ex.push(`${TS} Error: connect ECONNREFUSED 10.0.0.1:5432`);
      ex.push(`${TS} retrying…`);
    }
    ex.push(`${TS} ##[error]Process completed with exit code 1.`);
    const r = ex.result();
    const texts = r.lines.map((l) => l.text);
    expect(texts.filter((t) => t.startsWith('Error: connect'))).toHaveLength(1);
    expect(r.lines.find((l) => l.text.startsWith('Error: connect'))?.repeats).toBeGreaterThan(0);
    expect(r.rule).toBe('error');
    expect(r.confidence).toBe('medium');
  });

  it('does not search the command echo of a step header', () => {
    const ex = createLogExtractor();
    ex.push(`${TS} ##[group]Run echo "Error: this is just the script text"`);
    ex.push(`${TS} \u001b[36;1mecho "Error: this is just the script text"\u001b[0m`);
    ex.push(`${TS} \u001b[36;1mnpm ERR! code E404 would not match either\u001b[0m`);
    ex.push(`${TS} shell: /usr/bin/bash -e {0}`);
    ex.push(`${TS} ##[endgroup]`);
    ex.push(`${TS} all good`);
    expect(ex.result().rule).toBeNull();
  });

  it('a weak error gives way to a decisive one in the same step', () => {
    const ex = createLogExtractor();
    ex.push(`${TS} ##[group]Run npm test`);
    ex.push(`${TS} ##[endgroup]`);
    ex.push(`${TS} Error: optional plugin not found, continuing`);
    ex.push(`${TS} src/a.ts(1,7): error TS2304: Cannot find name 'x'.`);
    ex.push(`${TS} ##[error]Process completed with exit code 2.`);
    const r = ex.result();
    expect(r.rule).toBe('tsc');
    expect(r.kind).toBe('compile');
    expect(r.firstError?.n).toBe(4);
  });

  it('the abort signal stops the reading', async () => {
    const ac = new AbortController();
    ac.abort(new Error('job cancelled'));
    await expect(extractLog(jestThenNoise(10), { signal: ac.signal })).rejects.toThrow('job cancelled');
  });
});

describe('classification of single lines', () => {
  const cases: [string, string, string][] = [
    [
      'internal/cart/cart.go:12:5: Error return value of `f.Close` is not checked (errcheck)',
      'lint',
      'golangci-lint',
    ],
    ['./cart.go:10:2: undefined: total', 'compile', 'go-build'],
    ["app/models.py:3:1: F401 'os' imported but unused", 'lint', 'flake8'],
    ['src/a.ts:3:10 lint/style/useConst  FIXABLE  ━━━━━━━━━━', 'lint', 'biome'],
    ['[warn] Code style issues found in 2 files. Run Prettier with --write to fix.', 'lint', 'prettier'],
    [
      'ERROR: Could not find a version that satisfies the requirement flask==9.9 (from versions: none)',
      'dependency',
      'pip',
    ],
    ['ERROR: No matching distribution found for flask==9.9', 'dependency', 'pip'],
    ['go: github.com/acme/lib@v1.2.3: missing go.sum entry for go.mod file', 'dependency', 'go-mod'],
    ['error: failed to select a version for the requirement `serde = "^9"`', 'dependency', 'cargo-deps'],
    [
      '➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.',
      'dependency',
      'yarn',
    ],
    [
      'ERROR: failed to solve: node:99: failed to resolve source metadata for docker.io/library/node:99: not found',
      'dependency',
      'docker-pull',
    ],
    [
      '#12 ERROR: process "/bin/sh -c npm run build" did not complete successfully: exit code: 137',
      'infrastructure',
      'oom',
    ],
    ['#12 1.234 npm ERR! code ERESOLVE', 'dependency', 'npm-install'],
    [
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      'infrastructure',
      'oom',
    ],
    [
      '/home/runner/work/_temp/1f2e.sh: line 2:  2345 Killed                  node build.js',
      'infrastructure',
      'oom',
    ],
    ['write /var/lib/docker/tmp/x: no space left on device', 'unknown', ''],
    ['OSError: [Errno 28] No space left on device', 'infrastructure', 'disk-full'],
    ['npm ERR! code ECONNRESET', 'infrastructure', 'network'],
    [
      "fatal: unable to access 'https://github.com/acme/lib/': Could not resolve host: github.com",
      'infrastructure',
      'network',
    ],
    ["##[error]The action 'Run tests' has timed out after 10 minutes.", 'timeout', 'step-timeout'],
    [
      '##[error]The hosted runner: GitHub Actions 12 lost communication with the server. Anything in your workflow…',
      'infrastructure',
      'runner-lost',
    ],
    ['panic: runtime error: index out of range [3] with length 3', 'test', 'go-panic'],
    [
      '[ERROR] /home/runner/work/shop/shop/src/main/java/Cart.java:[12,5] cannot find symbol',
      'compile',
      'maven-compile',
    ],
    ["##[error]src/a.ts(3,1): error TS1005: ';' expected.", 'compile', 'tsc'],
    ['##[error]Deployment token is missing', 'unknown', 'annotation'],
  ];
  it.each(cases)('%s → %s', (line, kind, rule) => {
    const hit = classifyLine(line);
    if (rule === '') {
      expect(hit?.rule.role === 'primary' ? hit.rule.id : null).toBeNull();
      return;
    }
    expect(hit?.kind).toBe(kind);
    expect(hit?.rule.id).toBe(rule);
  });

  it('ordinary lines do not match', () => {
    for (const line of [
      '  ✓ returns a 404 error for unknown sku (3 ms)',
      'PASS src/errors.test.ts',
      'npm warn deprecated inflight@1.0.6',
      '  40:15  warning  Unexpected console statement  no-console',
      '    at Object.<anonymous> (node_modules/lib/index.js:1:1)',
      'Cache restored from key: node-cache-Linux',
      '  ● Console',
      'test cart::tests::starts_empty ... ok',
    ]) {
      expect(classifyLine(line)).toBeNull();
    }
  });
});

describe('cleaning and splitting', () => {
  it('strips GitHub timestamps and colour codes', () => {
    expect(timestampLength(`${TS} x`)).toBe(29);
    expect(stripTimestamp('2025-01-14T09:30:00.123Z hello')).toBe('hello');
    expect(stripTimestamp('2025-01-14T09:30:00.0000000Z')).toBe('');
    expect(stripTimestamp('not a timestamp')).toBe('not a timestamp');
    expect(
      stripAnsi(
        '\u001b[1m\u001b[31merror\u001b[39m\u001b[22m: x\u001b]8;;https://x\u0007link\u001b]8;;\u0007',
      ),
    ).toBe('error: xlink');
    expect(cleanLine(`${TS} \u001b[32m✓\u001b[39m ok   `)).toBe('✓ ok');
  });

  it('splits CRLF, drops a BOM, keeps a last line without newline, cuts giant lines', async () => {
    async function* chunks(): AsyncGenerator<string> {
      yield '\ufeffa\r\nb';
      yield '\nc';
      yield `\n${'x'.repeat(100)}`;
      yield `${'y'.repeat(100)}\nlast`;
    }
    const out: string[] = [];
    for await (const l of splitLines(chunks(), { maxLineLength: 50 })) out.push(l);
    expect(out).toEqual(['a', 'b', 'c', 'x'.repeat(50), 'last']);
  });
});

describe('prefixes of other CIs and platforms', () => {
  const E = '\u001b';
  it.each([
    [
      'two RFC 3339 stamps (kubectl logs -t under GitHub)',
      `${TS} 2024-05-02T09:14:11.483920551Z FAIL x`,
      'FAIL x',
    ],
    ['any fraction length, and none', '2024-05-02T09:14:11.4Z 2024-05-02T09:14:11Z ok', 'ok'],
    ['an offset instead of Z', '2024-05-02T09:14:11.483+02:00 npm ERR! code E404', 'npm ERR! code E404'],
    ['an elapsed-time prefix', `${TS} [02:58:01] error TS2322: x`, 'error TS2322: x'],
    ["Jenkins' timestamper", '[2024-05-02T09:14:11.483Z] + make', '+ make'],
    ['a platform clock (Cloudflare Pages)', '14:21:15.123\tnpm ERR! code E404', 'npm ERR! code E404'],
    [
      "a dashboard's log table, pasted",
      '19:20:32.492 | Failed: build command exited with code: 255',
      'Failed: build command exited with code: 255',
    ],
    [
      'the same without milliseconds (Vercel)',
      '12:00:18 | npm ERR! code ELIFECYCLE',
      'npm ERR! code ELIFECYCLE',
    ],
    ['GitLab stream tags', '2024-08-29T09:09:57.654321Z 00O+ $ make', '$ make'],
    [
      'Travis markers glued to the text',
      `travis_fold:end:install\r${E}[0Ktravis_time:start:0a1\r${E}[0K$ rake`,
      '$ rake',
    ],
    [
      'a GitLab section marker',
      `section_start:1727690030:step_script\r${E}[0K${E}[36;1mExecuting${E}[0;m`,
      'Executing',
    ],
    ["Buildkite's timestamp escape", `${E}_bk;t=1700000000000\u0007+++ :go: Build`, '+++ :go: Build'],
    [
      "git's sideband on a push (a Heroku build)",
      `${TS} remote: npm ERR! code ELIFECYCLE`,
      'npm ERR! code ELIFECYCLE',
    ],
    ['a bare sideband line', `${TS} remote:`, ''],
  ])('%s', (_what, raw, text) => {
    expect(cleanLine(raw)).toBe(text);
  });

  it('reports the section marker it skipped', () => {
    const raw = `travis_fold:start:install\r${E}[0K$ npm ci`;
    expect(prefixLength(raw)).toBe(raw.indexOf('$'));
    expect(lastMarker.kind).toBe(1);
    expect(raw.slice(lastMarker.nameStart, lastMarker.nameEnd)).toBe('install');
    prefixLength('section_end:1727690051:step_script\r');
    expect(lastMarker.kind).toBe(2);
    prefixLength(`${TS} plain`);
    expect(lastMarker.kind).toBe(0);
  });

  it('leaves text that only looks like a prefix', () => {
    for (const t of [
      '[INFO] Building',
      '10 failing',
      'timestamp 2024',
      'section 3 of 4',
      '[2 of 4] done',
      'remote:origin',
      '12:00 | lunch',
      'remoted 3 files',
    ]) {
      expect(cleanLine(t)).toBe(t);
    }
    expect(timestampLength('2024-05-02T09:14:11.483Zx')).toBe(0);
  });

  it('takes the fast path for any fraction length: the same result as GitHub stamps', async () => {
    const lines = (stamp: string) =>
      [
        '##[group]Run npm test',
        '##[endgroup]',
        '  ● Cart › adds an item',
        '    Expected: 2',
        '##[error]Process completed with exit code 1.',
      ].map((l) => `${stamp} ${l}\n`);
    async function* one(text: string): AsyncGenerator<string> {
      yield text;
    }
    const a = await extractLogChunks(one(lines(TS).join('')));
    const b = await extractLogChunks(
      one(lines('2025-01-14T09:30:00.123Z 2025-01-14T09:30:00.123456789Z').join('')),
    );
    expect(b.firstError).toEqual(a.firstError);
    expect(b.kind).toBe('test');
    expect(b.details.testName).toBe('Cart › adds an item');
  });
});

describe('excerpt lines', () => {
  it('keeps lines whole up to 500 characters and cuts longer ones in the middle', async () => {
    const long = `src/a.c:1:1: error: ${'x'.repeat(600)} the real message at the end`;
    const r = await extractLog([`${TS} ${long}`]);
    const text = r.lines.find((l) => l.text.startsWith('src/a.c'))?.text ?? '';
    expect(text.length).toBe(500);
    expect(text).toContain('…');
    expect(text.endsWith('the real message at the end')).toBe(true);
    expect(cutMiddle('abc', 500)).toBe('abc');
    expect(cutMiddle('abcdefghij', 5)).toBe('ab…ij');
  });
});

describe('the fallback: the cause, not the tail', () => {
  it('walks back past trailers and wrapper lines, failure words before warnings', () => {
    const ex = createLogExtractor();
    for (const l of [
      '##[group]Run npm run build',
      '##[endgroup]',
      '> vite build',
      'Could not load /home/runner/work/shop/shop/src/env (imported by src/main.ts): ENOENT',
      'warning: browserslist: caniuse-lite is outdated',
      'npm ERR! code ELIFECYCLE',
      'npm ERR! Failed at the shop@1.0.0 build script.',
      'npm ERR! A complete log of this run can be found in:',
      '##[error]Process completed with exit code 1.',
    ])
      ex.push(`${TS} ${l}`);
    const r = ex.result();
    expect(r.firstError?.text).toMatch(/^Could not load/);
    expect(r.lines.map((l) => l.text)).toContain('npm ERR! code ELIFECYCLE');
  });

  it("npm-run-all's wrapper does not become the error", () => {
    const ex = createLogExtractor();
    for (const l of [
      '##[group]Run npm run lint',
      '##[endgroup]',
      'src/theme.css',
      ' 12:5  ✖  Unexpected unknown property "colr"   property-no-unknown',
      'ERROR: "lint:css" exited with 2.',
      '##[error]Process completed with exit code 1.',
    ])
      ex.push(`${TS} ${l}`);
    const r = ex.result();
    expect(r.firstError?.text).toContain('Unexpected unknown property');
    expect(r.rule).toBe('exit-code');
  });
});

describe('classification of the new formats', () => {
  it.each([
    ['not ok 3 - adds an item', 'test', 'tap'],
    ['src/main.cpp:12:5: error: ‘foo’ was not declared in this scope', 'compile', 'cc'],
    ['[tsl] ERROR in /app/src/a.ts(12,5)', 'compile', 'tsc'],
    ['README.md:3:151 MD013/line-length Line length [Expected: 150; Actual: 1221]', 'lint', 'markdownlint'],
    [
      'deploy.sh:3:5: warning: Double quote to prevent globbing and word splitting. [SC2086]',
      'lint',
      'shellcheck',
    ],
    ['In deploy.sh line 3:', 'lint', 'shellcheck'],
    ['bash: line 1: helm: command not found', 'config', 'command-not-found'],
    ['sh: 1: yarn: not found', 'config', 'command-not-found'],
    ['/bin/sh: eval: line 125: apt-get: not found', 'config', 'command-not-found'],
    ["error: toolchain 'nightly-x86_64-unknown-linux-gnu' is not installed", 'config', 'rust-toolchain'],
    ['npm ERR! Missing script: "e2e"', 'config', 'npm-missing-script'],
    ['##[error]Input required and not supplied: token', 'config', 'annotation'],
    ['denied: requested access to the resource is denied', 'deploy', 'image-push'],
    [' ! [remote rejected] main -> main (pre-receive hook declined)', 'deploy', 'git-push'],
    [
      '✘ [ERROR] A request to the Cloudflare API (/accounts/x/pages/projects/shop/deployments) failed.',
      'deploy',
      'wrangler',
    ],
    ['✘ [ERROR] Could not resolve "react-dom/client"', 'compile', 'esbuild'],
    ["Module not found: Error: Can't resolve './cart' in '/app/src'", 'compile', 'module-not-found'],
    ["Module not found: Can't resolve '@/lib/db'", 'compile', 'module-not-found'],
    [
      "ModuleNotFoundError: Module not found: Error: Can't resolve 'nextra-theme-docs' in '/workspace/blog/pages'",
      'dependency',
      'module-not-found',
    ],
    ['Error: UPGRADE FAILED: timed out waiting for the condition', 'deploy', 'helm'],
    ['ERROR    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/', 'deploy', 'pypi-upload'],
    ['ERROR: Job failed: exit code 1', 'unknown', 'exit-code'],
    ['🚨 Error: The command exited with status 1', 'unknown', 'exit-code'],
    ['Finished: FAILURE', 'unknown', 'exit-code'],
    ['Failed: error occurred while running build command', 'unknown', 'exit-code'],
    ['The command "npm test" exited with 1.', 'unknown', 'exit-code'],
    ['Too long with no output (exceeded 10m0s): context deadline exceeded', 'timeout', 'job-timeout'],
    ['##vso[task.logissue type=error]tests failed', 'unknown', 'annotation'],
  ])('%s → %s', (line, kind, rule) => {
    const hit = classifyLine(line.trim());
    expect(hit?.kind).toBe(kind);
    expect(hit?.rule.id).toBe(rule);
  });

  it.each([
    ['    [tsl] ERROR in /app/src/a.ts(12,5)', 'compile', 'tsc'],
    ['    ERROR in ./src/index.ts 3:0-25', 'compile', 'webpack'],
    [
      '  ✘ [ERROR] A request to the Cloudflare API (/accounts/x/workers/scripts/shop) failed.',
      'deploy',
      'wrangler',
    ],
    ['  ✘ [ERROR] Could not resolve "react-dom/client"', 'compile', 'esbuild'],
    [' ! [remote rejected] HEAD -> main (pre-receive hook declined)', 'deploy', 'git-push'],
    [' !     Push rejected, failed to compile Node.js app.', 'deploy', 'git-push'],
  ])('indented (webpack 4 child compilations, wrangler-action, git): %s → %s', (line, kind, rule) => {
    const hit = classifyLine(line);
    expect(hit?.kind).toBe(kind);
    expect(hit?.rule.id).toBe(rule);
  });

  it.each([
    'Error: Error building site: failed to render pages: render of "home" failed: execute of template failed',
    'Error: "/opt/buildhome/repo/layouts/partials/toc.html:71:1": parse failed: template: partials/toc.html:71: illegal number syntax: "-"',
    'ERROR 2022/04/10 09:59:32 render of "page" failed: execute of template failed: template: _default/single.html:3:3',
  ])('a Hugo site that does not build is a compile failure: %s', (line) => {
    expect(classifyLine(line)?.rule.id).toBe('hugo');
    expect(classifyLine(line)?.kind).toBe('compile');
  });

  it("npm with no package.json to run is set-up, a package's missing file is not", () => {
    const run = (path: string) => {
      const ex = createLogExtractor();
      for (const l of [
        'npm error code ENOENT',
        'npm error syscall open',
        `npm error path ${path}`,
        'npm error errno -2',
        `npm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '${path}'`,
        'Failed: build command exited with code: 254',
      ])
        ex.push(l);
      return ex.result();
    };
    expect(run('/opt/buildhome/repo/package.json')).toMatchObject({
      kind: 'config',
      rule: 'npm-no-package-json',
    });
    expect(run('/opt/buildhome/repo/node_modules/left-pad/package.json')).toMatchObject({
      kind: 'dependency',
      rule: 'npm-install',
    });
  });

  it('a passing command is not a verdict', () => {
    expect(classifyLine('The command "make tests_all" exited with 0.')).toBeNull();
    expect(classifyLine('not ok 4 - flaky # TODO fix the clock')).toBeNull();
  });
});
