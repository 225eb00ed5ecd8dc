/**
 * Failing tests, one rule (or two) a test runner: Jest, Vitest, Mocha, pytest, Go, Cargo, Maven
 * Surefire. Each names the failing test where the runner prints it and keeps the context up to the
 * first stack frame in the repository.
 */

import type { Rule } from './rule.ts';

/** A stack frame in the repository's own code (not node_modules, not Node internals). */
export const JS_REPO_FRAME = /^\s*at (?:.*\()?(?!.*node_modules)(?!node:)(?!internal\/)[^()\s]+:\d+:\d+\)?$/;
const VITEST_REPO_FRAME = /^\s*❯ (?!.*node_modules)\S+:\d+:\d+/;

/** Test failures (kind `test`). */
export const TEST_RULES: readonly Rule[] = [
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
  {
    // TAP (tape, node --test, prove, bats): `not ok 3 - adds an item`, not a `# TODO` or `# SKIP`.
    id: 'tap',
    kind: 'test',
    role: 'primary',
    starts: ['not ok '],
    re: /^\s*not ok \d+\b(?:\s*-)?\s*((?:(?!#\s*(?:TODO|SKIP)\b).)*)$/i,
    testGroup: 1,
    before: 0,
    after: 12,
    stopBefore: /^\s*(?:not )?ok \d+\b|^# (?:tests|pass|fail)\b|^1\.\.\d+/,
  },
  {
    // Gradle: `> Task :app:test FAILED`, `> Task :connectedDebugAndroidTest FAILED`
    id: 'gradle-test',
    kind: 'test',
    role: 'primary',
    starts: ['> Task :'],
    re: /^> Task :\S*[Tt]est\S* FAILED$/,
    before: 6,
  },
];
