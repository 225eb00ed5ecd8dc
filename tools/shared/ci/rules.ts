/**
 * The rules that recognise failures in CI logs: what a line looks like, what kind of failure it means,
 * and how much context around it a person needs. Ordered: the first rule that matches a line wins, so
 * specific rules come before generic ones (a Docker build that ran out of memory before "Docker build
 * failed"). Each rule names a cheap literal gate (`starts` after leading spaces, or `contains`) so the
 * extractor tests regular expressions only on the few lines that could match.
 *
 * Roles:
 * - `primary` — a decisive error: the first one is what a person scrolls to.
 * - `weak` — error-looking (`Error: …`, `fatal: …`); used when no primary shows up in the failing step.
 * - `terminal` — the runner's verdict line (`##[error]Process completed with exit code 1.`, timeouts,
 *   cancellation, runner lost): ends the failing step; decides the kind only when nothing else did.
 * - `summary` — a tool's closing summary (`FAIL src/a.test.ts`, `npm ERR! Test failed`): kept as a
 *   headline, decides the kind when no primary was found.
 */

export type FailureKind =
  | 'test'
  | 'compile'
  | 'lint'
  | 'dependency'
  | 'infrastructure'
  | 'timeout'
  | 'cancelled'
  | 'unknown';

export type RuleRole = 'primary' | 'weak' | 'terminal' | 'summary';

export interface Rule {
  /** Stable id, e.g. `jest`, `tsc`, `npm-install`; shown as the reason for the kind. */
  readonly id: string;
  readonly kind: FailureKind;
  readonly role: RuleRole;
  /** Literals the line starts with, after leading whitespace. */
  readonly starts?: readonly string[];
  /** The line, after leading whitespace, starts with a digit. */
  readonly startsDigit?: boolean;
  /**
   * For `startsDigit` rules: the same test on the line without its leading spaces, so the extractor
   * can reject the many lines that start with a number without leaving its fast path.
   */
  readonly trimmed?: RegExp;
  /** A literal the line contains (case-sensitive). Exactly one of starts/startsDigit/contains. */
  readonly contains?: string;
  /**
   * For `contains` rules: a cheap regex source that every line containing the literal also matches
   * (a superset, starting with a rare character: every log line has a `T` and a `.` in its timestamp,
   * so `TS\d` is written `(?<=T)S\d`). The extractor scans whole chunks with the
   * union of these to find the few lines worth a closer look. Defaults to the escaped literal.
   */
  readonly gate?: string;
  /** The full test, on the cleaned line (timestamp and colours removed). */
  readonly re: RegExp;
  /** Context lines before (default 2), walking back no further than a line matching `beforeStop`. */
  readonly before?: number;
  readonly beforeStop?: RegExp;
  /** Context lines after (default 6). */
  readonly after?: number;
  /** After-context ends with (and includes) the first line matching this. */
  readonly until?: RegExp;
  /** After-context ends before the first line matching this. */
  readonly stopBefore?: RegExp;
  /** Only after-context lines matching this are kept (others are skipped, up to 4× `after` looked at). */
  readonly keep?: RegExp;
  /** Which capture group of `re` names the failing test, if any. */
  readonly testGroup?: number;
}

/** A stack frame in the repository's own code (not node_modules, not Node internals). */
const JS_REPO_FRAME = /^\s*at (?:.*\()?(?!.*node_modules)(?!node:)(?!internal\/)[^()\s]+:\d+:\d+\)?$/;
const VITEST_REPO_FRAME = /^\s*❯ (?!.*node_modules)\S+:\d+:\d+/;
const NPM_DETAIL = /^npm (?:ERR!|error) (?!A complete log|\s*$|code \d|path |errno |syscall )\S/;

export const RULES: readonly Rule[] = [
  // ── Runner verdicts ────────────────────────────────────────────────────────────────────────────
  {
    id: 'job-timeout',
    kind: 'timeout',
    role: 'terminal',
    starts: ['##[error]The job '],
    re: /^##\[error\]The job .*exceeded the maximum execution time/,
    before: 4,
  },
  {
    id: 'step-timeout',
    kind: 'timeout',
    role: 'terminal',
    starts: ['##[error]The action '],
    re: /^##\[error\]The action .* has timed out after \d+ minutes?/,
    before: 4,
  },
  {
    id: 'runner-shutdown',
    kind: 'infrastructure',
    role: 'terminal',
    starts: ['##[error]The runner has received', 'The runner has received'],
    re: /^(?:##\[error\])?The runner has received a shutdown signal/,
    before: 4,
  },
  {
    id: 'runner-lost',
    kind: 'infrastructure',
    role: 'terminal',
    starts: [
      '##[error]The hosted runner',
      '##[error]The self-hosted runner',
      'The hosted runner',
      'The self-hosted runner',
    ],
    re: /^(?:##\[error\])?The (?:self-)?hosted runner.* lost communication with the server/,
    before: 4,
  },
  {
    id: 'runner-error',
    kind: 'infrastructure',
    role: 'terminal',
    starts: ['##[error]The hosted runner', '##[error]The self-hosted runner'],
    re: /^##\[error\]The (?:self-)?hosted runner .*(?:encountered an error|lost communication|no longer running)/,
    before: 4,
  },
  {
    id: 'cancelled',
    kind: 'cancelled',
    role: 'terminal',
    starts: ['##[error]The operation was cancel', '##[error]The run was cancel'],
    re: /^##\[error\]The (?:operation|run) was cancel+ed/,
    before: 4,
  },
  {
    id: 'oom-exit',
    kind: 'infrastructure',
    role: 'terminal',
    starts: ['##[error]Process completed with exit code 137', 'Error: Process completed with exit code 137'],
    re: /^(?:##\[error\]|Error: )Process completed with exit code 137\b/,
    before: 6,
  },
  {
    id: 'exit-code',
    kind: 'unknown',
    role: 'terminal',
    starts: ['##[error]Process completed with exit code', 'Error: Process completed with exit code'],
    re: /^(?:##\[error\]|Error: )Process completed with exit code (\d+)/,
    before: 8,
  },

  // ── Resources and network (infrastructure) ─────────────────────────────────────────────────────
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Killed'],
    re: /^\s*Killed\s*$/,
    before: 4,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    contains: ' Killed ',
    gate: 'Killed',
    re: /: line \d+: +\d+ Killed +\S/,
    before: 4,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['FATAL ERROR: ', 'fatal error: runtime: out of memory', 'Out of memory: '],
    re: /^(?:FATAL ERROR: .*JavaScript heap out of memory|fatal error: runtime: out of memory|Out of memory: Killed process)/,
    before: 4,
    after: 2,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Exception in thread', 'java.lang.OutOfMemoryError', '[ERROR] '],
    re: /java\.lang\.OutOfMemoryError/,
    before: 2,
    after: 2,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: .*did not complete successfully: exit code: 137/,
    before: 4,
  },
  {
    id: 'disk-full',
    kind: 'infrastructure',
    role: 'primary',
    contains: 'No space left on device',
    gate: 'No space',
    re: /No space left on device/,
    before: 2,
    after: 1,
  },
  {
    id: 'network',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['npm ERR! code E', 'npm error code E'],
    re: /^npm (?:ERR!|error) code (ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|EPROTO|ENETUNREACH|UND_ERR_\w+)\b/,
    after: 4,
    keep: NPM_DETAIL,
  },
  {
    id: 'network',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['fatal: unable to access', 'curl: (6) Could not resolve host'],
    re: /Could not resolve host/,
    before: 1,
  },
  {
    id: 'registry-rate-limit',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Error response from daemon: ', 'ERROR: '],
    re: /toomanyrequests: You have reached your (?:unauthenticated )?pull rate limit/,
  },

  // ── Tests ──────────────────────────────────────────────────────────────────────────────────────
  {
    // Jest: `  ● Cart › adds an item` (not the `● Console` blocks of console output)
    id: 'jest',
    kind: 'test',
    role: 'primary',
    starts: ['● '],
    re: /^\s*● (?!Console\s*$)(.+)$/,
    testGroup: 1,
    before: 0,
    after: 30,
    until: JS_REPO_FRAME,
  },
  {
    // Vitest: ` FAIL  src/cart.test.ts > Cart > adds an item`
    id: 'vitest',
    kind: 'test',
    role: 'primary',
    starts: ['FAIL '],
    re: /^\s*FAIL\s+\S+\s+>\s+(.+)$/,
    testGroup: 1,
    before: 0,
    after: 30,
    until: VITEST_REPO_FRAME,
  },
  {
    // Mocha: `  1 failing` followed by the numbered failures
    id: 'mocha',
    kind: 'test',
    role: 'primary',
    startsDigit: true,
    re: /^\s*\d+ failing\s*$/,
    trimmed: /^\d+ failing\s*$/,
    before: 0,
    after: 25,
    until: JS_REPO_FRAME,
  },
  {
    // pytest: `____________ test_add_item ____________` (also `ERROR collecting …`)
    id: 'pytest',
    kind: 'test',
    role: 'primary',
    starts: ['___'],
    re: /^_{3,} (.+?) _{3,}$/,
    testGroup: 1,
    before: 0,
    after: 12,
    keep: /^(?:>|E\s|\S+\.py:\d+:)/,
    until: /^\S+\.py:\d+: \w+/,
  },
  {
    id: 'go-test',
    kind: 'test',
    role: 'primary',
    starts: ['--- FAIL:'],
    re: /^\s*--- FAIL: (\S+)/,
    testGroup: 1,
    before: 6,
    beforeStop: /^\s*=== (?:RUN|CONT|PAUSE)\s/,
    after: 8,
    keep: /^\s+\S/,
    stopBefore: /^(?:FAIL|ok|PASS)\b|^\s*--- FAIL:/,
  },
  {
    id: 'go-panic',
    kind: 'test',
    role: 'primary',
    starts: ['panic: '],
    re: /^panic: (.+)$/,
    before: 1,
    after: 12,
    until: /^\s+\/(?!usr\/local\/go|opt\/hostedtoolcache\/go)\S+\.go:\d+/,
  },
  {
    id: 'cargo-test',
    kind: 'test',
    role: 'primary',
    starts: ['---- '],
    re: /^---- (\S+) stdout ----$/,
    testGroup: 1,
    before: 0,
    after: 10,
    stopBefore: /^(?:note: run with|---- |failures:\s*$)/,
  },
  {
    id: 'cargo-test',
    kind: 'test',
    role: 'primary',
    starts: ['thread '],
    re: /^thread '([^']+)' panicked at/,
    testGroup: 1,
    before: 0,
    after: 6,
    stopBefore: /^note: run with|^\s*$/,
  },
  {
    id: 'maven-test',
    kind: 'test',
    role: 'primary',
    starts: ['[ERROR] Tests run:', '[ERROR] Failures:'],
    re: /^\[ERROR\] (?:Tests run: \d+, Failures: \d+, Errors: \d+.*FAILURE|Failures:\s*$)/,
    after: 6,
    keep: /^\[ERROR\]/,
  },

  // ── Compilers ──────────────────────────────────────────────────────────────────────────────────
  {
    // tsc: `src/a.ts(12,5): error TS2322: …` or `src/a.ts:12:5 - error TS2322: …`
    id: 'tsc',
    kind: 'compile',
    role: 'primary',
    contains: 'error TS',
    gate: '(?<=T)S\\d',
    re: /(?:^|[\s):-])error TS\d+: /,
    before: 0,
    after: 6,
    keep: /error TS\d+: |^Found \d+ errors?/,
  },
  {
    id: 'cargo-deps',
    kind: 'dependency',
    role: 'primary',
    starts: [
      'error: failed to select',
      'error: no matching package',
      'error: failed to get',
      'error: failed to download',
    ],
    re: /^error: (?:failed to select a version|no matching package named|failed to get .* as a dependency|failed to download)/,
    after: 6,
  },
  {
    id: 'rustc',
    kind: 'compile',
    role: 'primary',
    starts: ['error['],
    re: /^error\[E\d{4}\]: (.+)$/,
    before: 0,
    after: 12,
    stopBefore: /^(?:error|warning)(?:\[|:)|^For more information/,
  },
  {
    id: 'rustc',
    kind: 'compile',
    role: 'primary',
    starts: ['error: could not compile'],
    re: /^error: could not compile/,
    before: 0,
  },
  {
    id: 'golangci-lint',
    kind: 'lint',
    role: 'primary',
    contains: '.go:',
    gate: '(?<=\\.)go:\\d',
    re: /^\s*\S+\.go:\d+:\d+: .+ \((?:[a-z]+)\)$/,
    before: 0,
    after: 6,
    keep: /\.go:\d+:\d+: /,
  },
  {
    id: 'go-build',
    kind: 'compile',
    role: 'primary',
    contains: '.go:',
    gate: '(?<=\\.)go:\\d',
    re: /^\s*(?:\.\/)?[\w./-]+\.go:\d+:\d+: \S/,
    before: 1,
    beforeStop: /^# \S/,
    after: 6,
    keep: /\.go:\d+:\d+: /,
  },
  {
    id: 'maven-compile',
    kind: 'compile',
    role: 'primary',
    starts: ['[ERROR] '],
    re: /^\[ERROR\] .*\.(?:java|kt|scala):\[\d+,\d+\]/,
    after: 6,
    keep: /^\[ERROR\] .*\.(?:java|kt|scala):\[\d+,\d+\]/,
  },
  {
    id: 'gradle',
    kind: 'compile',
    role: 'primary',
    starts: ['> Task :'],
    re: /^> Task :\S*compile\S* FAILED$/i,
    before: 4,
  },

  // ── Linters ────────────────────────────────────────────────────────────────────────────────────
  {
    // ESLint stylish: file path line, then `  12:5  error  message  rule-name`
    id: 'eslint',
    kind: 'lint',
    role: 'primary',
    startsDigit: true,
    re: /^\s+\d+:\d+\s+error\s+\S.*$/,
    trimmed: /^\d+:\d+\s+error\s+\S/,
    before: 3,
    beforeStop: /^\S/,
    after: 8,
    keep: /^\s+\d+:\d+\s+error\s|^✖ \d+ problems?/,
  },
  {
    id: 'biome',
    kind: 'lint',
    role: 'primary',
    contains: ' lint/',
    gate: 'lint/',
    re: /^\S+:\d+:\d+ lint\/\S+/,
    after: 8,
  },
  {
    id: 'prettier',
    kind: 'lint',
    role: 'primary',
    starts: ['[warn] Code style issues'],
    re: /^\[warn\] Code style issues (?:found|were found)/,
    before: 5,
    beforeStop: /Checking formatting/,
  },
  {
    id: 'flake8',
    kind: 'lint',
    role: 'primary',
    contains: '.py:',
    gate: '(?<=\\.)py:\\d',
    re: /^\s*\S+\.py:\d+:\d+: [A-Z]{1,3}\d{2,4}\b/,
    before: 0,
    after: 6,
    keep: /\.py:\d+:\d+: [A-Z]{1,3}\d{2,4}\b/,
  },

  // ── Dependencies ───────────────────────────────────────────────────────────────────────────────
  {
    id: 'npm-install',
    kind: 'dependency',
    role: 'primary',
    starts: ['npm ERR! `npm ci`', 'npm error `npm ci`'],
    re: /`npm ci` can only install packages when your package\.json and package-lock\.json/,
    before: 3,
    beforeStop: /^npm (?:ERR!|error) code /,
    after: 3,
    keep: NPM_DETAIL,
  },
  {
    // npm 7–10: `npm ERR! code ERESOLVE`, npm 10+: `npm error code E404`. ELIFECYCLE is a script failure.
    id: 'npm-install',
    kind: 'dependency',
    role: 'primary',
    starts: ['npm ERR! code E', 'npm error code E'],
    re: /^npm (?:ERR!|error) code (?!ELIFECYCLE\b|EUSAGE\b)(E[A-Z0-9_]+)/,
    after: 12,
    keep: NPM_DETAIL,
  },
  {
    id: 'pnpm',
    kind: 'unknown',
    role: 'summary',
    starts: ['ERR_PNPM_', '[ERR_PNPM_'],
    re: /ERR_PNPM_(?:RECURSIVE_RUN_FIRST_FAIL|RECURSIVE_EXEC_FIRST_FAIL|RECURSIVE_FAIL)\b/,
  },
  {
    id: 'pnpm',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERR_PNPM_', '[ERR_PNPM_'],
    re: /\bERR_PNPM_[A-Z0-9_]+/,
    after: 6,
  },
  {
    id: 'yarn',
    kind: 'dependency',
    role: 'primary',
    starts: ['error '],
    re: /^error (?:An unexpected error occurred: "[^"]*(?:Not found|Request failed|ENOTFOUND)|Your lockfile needs to be updated|Couldn't find (?:any versions|package)|Package "[^"]+" refers to a non-existing file|Could not resolve|.*Incorrect integrity)/,
    after: 3,
  },
  {
    id: 'yarn',
    kind: 'dependency',
    role: 'primary',
    starts: ['➤ YN0', 'YN0'],
    re: /\bYN0(?:001|009|016|018|028|035)\b/,
    after: 4,
    keep: /\bYN0\d{3}\b/,
  },
  {
    id: 'pip',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: (?:Could not find a version that satisfies|No matching distribution found|ResolutionImpossible|Cannot install|Could not install packages|Failed building wheel|Failed to build)/,
    before: 1,
    after: 3,
  },
  {
    id: 'pip',
    kind: 'dependency',
    role: 'primary',
    starts: ['ModuleNotFoundError: ', 'ImportError: '],
    re: /^(?:ModuleNotFoundError: No module named|ImportError: cannot import name)/,
    before: 3,
  },
  {
    id: 'go-mod',
    kind: 'dependency',
    role: 'primary',
    starts: ['go: '],
    re: /^go: .*(?:missing go\.sum entry|updates to go\.mod needed|not found|unknown revision|checksum mismatch|404 Not Found|no matching versions|invalid version)/,
    after: 3,
  },
  {
    id: 'maven-deps',
    kind: 'dependency',
    role: 'primary',
    starts: ['[ERROR] Failed to execute goal'],
    re: /^\[ERROR\] Failed to execute goal .*Could not (?:resolve dependencies|find artifact|transfer artifact)/,
  },

  // ── Docker builds ──────────────────────────────────────────────────────────────────────────────
  {
    id: 'docker-pull',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: .*(?:pull access denied|manifest unknown|failed to resolve source metadata|failed to authorize)/,
    after: 2,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: (?:failed to solve|failed to build|process ".*" did not complete successfully)/,
    before: 2,
    after: 14,
    keep: /^(?:Dockerfile:\d+|\s*\d+ \| >>>|ERROR: |-{3,}$| > \[)/,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['The command '],
    re: /^The command '.*' returned a non-zero code: \d+/,
    before: 4,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['##[error]buildx failed with', '##[error]Error: buildx failed with'],
    re: /^##\[error\](?:Error: )?buildx failed with: /,
  },

  // ── Summaries (headlines; decide the kind only when nothing better was seen) ────────────────────
  {
    id: 'jest',
    kind: 'test',
    role: 'summary',
    starts: ['FAIL '],
    re: /^\s*FAIL\s+\S+\.(?:[cm]?[jt]sx?)\b/,
  },
  { id: 'jest', kind: 'test', role: 'summary', starts: ['Tests: '], re: /^Tests:\s+\d+ failed/ },
  { id: 'vitest', kind: 'test', role: 'summary', starts: ['Test Files '], re: /^\s*Test Files\s+\d+ failed/ },
  { id: 'pytest', kind: 'test', role: 'summary', starts: ['FAILED '], re: /^FAILED \S+::\S+/ },
  {
    id: 'pytest',
    kind: 'test',
    role: 'summary',
    starts: ['='],
    re: /^={3,} (?:.*\d+ failed.*|FAILURES) ={3,}$/,
  },
  { id: 'go-test', kind: 'test', role: 'summary', starts: ['FAIL'], re: /^FAIL\s+\S+\s+[\d.]+s$/ },
  {
    id: 'cargo-test',
    kind: 'test',
    role: 'summary',
    starts: ['test result: FAILED'],
    re: /^test result: FAILED/,
  },
  {
    id: 'script-failed',
    kind: 'unknown',
    role: 'summary',
    starts: ['npm ERR! ', 'npm error ', 'error Command failed', 'make: ***', 'make['],
    re: /^(?:npm (?:ERR!|error) (?:Test failed|Lifecycle script|command failed)|error Command failed with exit code|make(?:\[\d+\])?: \*\*\* )/,
  },

  // ── Generic errors (weak) ──────────────────────────────────────────────────────────────────────
  {
    id: 'traceback',
    kind: 'unknown',
    role: 'weak',
    starts: ['Traceback (most recent call last):'],
    re: /^Traceback \(most recent call last\):/,
    before: 0,
    after: 30,
    keep: /^\s*File "|^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b/,
    until: /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b/,
  },
  {
    // `Error: boom`, `TypeError: x is undefined` at the start of a line (not indented console output)
    id: 'error',
    kind: 'unknown',
    role: 'weak',
    starts: [
      'Error',
      'TypeError',
      'ReferenceError',
      'SyntaxError',
      'RangeError',
      'AssertionError',
      'ERROR',
      'FATAL',
      'Fatal',
      'fatal',
      'error:',
      'Exception',
    ],
    re: /^(?:(?:[A-Z][A-Za-z]*)?Error(?: \[\w+\])?: \S|ERROR[:\s]|FATAL[:\s]|Fatal(?: error)?: |fatal: |error: |Exception in thread )/,
    before: 2,
    after: 6,
    until: JS_REPO_FRAME,
  },
];

/**
 * A failed BuildKit step, `#9 ERROR: failed to calculate checksum …`. Not in RULES: the extractor
 * applies it to lines with a BuildKit `#N ` prefix whose text is `ERROR: …` and that no specific rule
 * (out of memory, pull denied, an npm error inside the build) explains.
 */
export const BUILDKIT_STEP_RULE: Rule = {
  id: 'docker-build',
  kind: 'compile',
  role: 'primary',
  starts: ['ERROR: '],
  re: /^ERROR: (.+)$/,
  before: 2,
  after: 14,
  keep: /^(?:Dockerfile:\d+|\s*\d+ \| >>>|ERROR: |-{3,}$| > \[)/,
};

/**
 * The generic `##[error]<message>` annotation (from `::error::` workflow commands and actions). Not in
 * RULES because its kind comes from classifying the message with the other rules.
 */
export const ANNOTATION_RULE: Rule = {
  id: 'annotation',
  kind: 'unknown',
  role: 'primary',
  starts: ['##[error]'],
  re: /^##\[error\](.+)$/,
  before: 3,
  after: 4,
};

/**
 * Extended regular expressions (grep -E) for the same decisive lines, for bench/triage.ts to compare
 * the extractor with `grep -n -E` over one file. Kept next to the rules so the two stay in step; a unit
 * test checks that every fixture's first error line matches one of them.
 */
export const GREP_PATTERNS: readonly string[] = [
  '##\\[error\\]',
  '(^|[[:space:]])● ',
  'FAIL[[:space:]]+[^[:space:]]+[[:space:]]+>',
  '^[[:space:]]*[0-9]+ failing',
  '^_{3,} .+ _{3,}$',
  '--- FAIL: ',
  '^panic: ',
  '^---- [^ ]+ stdout ----',
  "^thread '[^']+' panicked at",
  'error TS[0-9]+: ',
  '^error(\\[E[0-9]{4}\\])?: ',
  '\\.go:[0-9]+:[0-9]+: ',
  '^[[:space:]]+[0-9]+:[0-9]+[[:space:]]+error[[:space:]]',
  '\\.py:[0-9]+:[0-9]+: [A-Z]{1,3}[0-9]{2,4}',
  '^npm (ERR!|error) code E',
  'can only install packages when your package\\.json',
  'ERR_PNPM_',
  'YN0(001|009|016|018|028|035)',
  '^error (An unexpected error|Your lockfile needs)',
  '^ERROR: (Could not find a version|No matching distribution)',
  '^go: .*(missing go\\.sum entry|updates to go\\.mod needed)',
  'ERROR: (failed to solve|failed to build|process ".*" did not complete successfully)',
  '^#[0-9]+ ERROR: ',
  '^[[:space:]]*Killed[[:space:]]*$',
  'JavaScript heap out of memory',
  'No space left on device',
  'exit code:? 137',
  'received a shutdown signal',
  'lost communication with the server',
  'Code style issues',
  '^Traceback \\(most recent call last\\):',
];
