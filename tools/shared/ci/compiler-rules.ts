/**
 * Code that does not compile: tsc, rustc (and Cargo's dependency resolution, which fails in the same
 * `error: …` form), go build, javac/kotlinc through Maven, Gradle.
 */

import type { Rule } from './rule.ts';

/** Compiler errors (kind `compile`, and `dependency` for Cargo). */
export const COMPILER_RULES: readonly Rule[] = [
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
];
