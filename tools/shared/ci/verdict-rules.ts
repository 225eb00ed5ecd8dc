/**
 * The runner's verdict lines (`##[error]Process completed with exit code 1.`, timeouts, cancellation,
 * a lost runner): role `terminal`, they end the failing step.
 */

import type { Rule } from './rule.ts';

/** Runner verdicts, most specific first (exit code 137 before any exit code). */
export const VERDICT_RULES: readonly Rule[] = [
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
];
