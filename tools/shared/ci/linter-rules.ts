/**
 * Lint failures: golangci-lint, ESLint, Biome, Prettier, flake8.
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
];
