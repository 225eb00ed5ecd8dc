/**
 * Tools' closing summaries (`FAIL src/a.test.ts`, `npm ERR! Test failed`): role `summary`, kept as
 * headlines; they decide the kind only when no decisive error was found.
 */

import type { Rule } from './rule.ts';

/** Summaries (headlines; decide the kind only when nothing better was seen). */
export const SUMMARY_RULES: readonly Rule[] = [
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
  { id: 'tap', kind: 'test', role: 'summary', starts: ['# fail '], re: /^# fail\s+[1-9]\d*\s*$/ },
  {
    id: 'go-test',
    kind: 'test',
    role: 'summary',
    starts: ['FAIL'],
    re: /^FAIL\s+\S+\s+(?:[\d.]+s|\[(?:build|setup) failed\])$/,
  },
  {
    id: 'rustc',
    kind: 'compile',
    role: 'summary',
    starts: ['error: could not compile'],
    re: /^error: could not compile/,
  },
  {
    id: 'cargo-test',
    kind: 'test',
    role: 'summary',
    starts: ['error: test failed'],
    re: /^error: test failed/,
  },
  {
    // pytest's short summary, Gradle's `3 tests completed, 1 failed`, Mocha/Playwright `1 failed`
    id: 'test-summary',
    kind: 'test',
    role: 'summary',
    startsDigit: true,
    trimmed: /^\d+ (?:failed|tests? completed, \d+ failed)\b/,
    re: /^\s*\d+ (?:failed|tests? completed, \d+ failed)\b/,
  },
  {
    id: 'test-summary',
    kind: 'test',
    role: 'summary',
    starts: ['Tests run:', '[ERROR] Tests run:', 'Test Suites: '],
    re: /^(?:\[ERROR\] )?Tests run: \d+, Failures: [1-9]|^Test Suites:\s+\d+ failed/,
  },
];

/**
 * Wrapper lines: what ran the tool says it failed (`npm ERR! code ELIFECYCLE`, npm-run-all's `ERROR:
 * "lint" exited with 1.`, `make: *** [all] Error 2`, `error Command failed with exit code 1.`). They
 * name the command, not the cause: never the error an excerpt is about when the tool's own line is
 * there (see cause.ts), and matched here only so the generic `ERROR:` rule does not take them.
 */
export const WRAPPER_RULES: readonly Rule[] = [
  {
    id: 'script-failed',
    kind: 'unknown',
    role: 'summary',
    starts: ['ERROR: "', 'ERROR: command failed', 'Error: Command "', 'Error: command failed'],
    re: /^(?:ERROR: "[^"]+" exited with \d+|ERROR: command failed|Error: Command ".*" exited with \d+|Error: command failed)/i,
  },
];
