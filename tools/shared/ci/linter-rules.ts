/**
 * Lint failures: golangci-lint, ESLint, Biome, Prettier, flake8, markdownlint, ShellCheck, Checkstyle,
 * Gradle's lint tasks.
 */

import type { Rule } from './rule.ts';

/** Linter errors (kind `lint`). */
export const LINTER_RULES: readonly Rule[] = [
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
  {
    // markdownlint-cli(2): `README.md:3:151 MD013/line-length …`; mdl: `./README.md:191: MD013 Line length`;
    // older markdownlint-cli: `README.md: 12: MD013 …`
    id: 'markdownlint',
    kind: 'lint',
    role: 'primary',
    contains: '.md:',
    gate: '(?<=\\.)md: ?\\d',
    re: /^\s*\S+\.md:(?: ?\d+)(?::\d+)?:? MD\d{3}\b/,
    before: 0,
    after: 8,
    keep: /\.md:(?: ?\d+)(?::\d+)?:? MD\d{3}\b/,
  },
  {
    // ShellCheck's default format: `In deploy.sh line 3:` … `^-- SC2086 (info): Double quote …`
    id: 'shellcheck',
    kind: 'lint',
    role: 'primary',
    starts: ['In '],
    re: /^In \S+ line \d+:$/,
    before: 0,
    after: 6,
    until: /\bSC\d{4}\b/,
  },
  {
    // ShellCheck `-f gcc`, hadolint: `deploy.sh:3:5: warning: Double quote … [SC2086]`
    id: 'shellcheck',
    kind: 'lint',
    role: 'primary',
    contains: '[SC',
    gate: '\\[SC\\d',
    re: /^\s*\S+:\d+:\d+: (?:error|warning|note|info|style): .*\[SC\d{4}\]$/,
    before: 0,
    after: 6,
    keep: /\[SC\d{4}\]$/,
  },
  {
    id: 'checkstyle',
    kind: 'lint',
    role: 'primary',
    starts: ['[ant:checkstyle] [ERROR]', '[ERROR] src/', '[WARN] '],
    re: /^(?:\[ant:checkstyle\] \[ERROR\] |\[(?:ERROR|WARN)\] \S+\.java:\d+(?::\d+)?: .*\[\w+\]$)/,
    before: 0,
    after: 6,
    keep: /^\[(?:ant:checkstyle\] \[)?(?:ERROR|WARN)\]/,
  },
  {
    // Gradle: `> Task :app:lint FAILED`, `> Task :checkstyleMain FAILED`, ktlint, detekt, spotless
    id: 'gradle-lint',
    kind: 'lint',
    role: 'primary',
    starts: ['> Task :'],
    re: /^> Task :\S*(?:lint|[Cc]heckstyle|detekt|ktlint|[Ss]potless|pmd|spotbugs)\S* FAILED$/,
    before: 6,
  },
];
