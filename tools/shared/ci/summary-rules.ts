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
];
