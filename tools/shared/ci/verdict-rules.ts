/**
 * The runner's verdict lines (`##[error]Process completed with exit code 1.`, timeouts, cancellation,
 * a lost runner): role `terminal`, they end the failing step. GitHub Actions first, then the verdicts
 * of the other CI systems (OTHER_CI_VERDICTS).
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

/**
 * Verdicts of GitLab CI, Jenkins, CircleCI, Buildkite, Azure Pipelines, Travis CI, Cloudflare Pages
 * and Render. A timeout that printed no error of its own is decided here.
 */
export const OTHER_CI_VERDICTS: readonly Rule[] = [
  {
    id: 'job-timeout',
    kind: 'timeout',
    role: 'terminal',
    starts: [
      'ERROR: Job failed: execution took longer',
      'The job exceeded the maximum time limit',
      'No output has been received in the last',
      'Too long with no output',
      'Build timed out',
      '##[error]The job running on agent',
    ],
    re: /^(?:ERROR: Job failed: execution took longer than|The job exceeded the maximum time limit for jobs|No output has been received in the last \S+|Too long with no output \(exceeded [^)]+\)|Build timed out \(after|##\[error\]The job running on agent .* ran longer than the maximum time)/,
    before: 6,
  },
  {
    id: 'runner-error',
    kind: 'infrastructure',
    role: 'terminal',
    starts: ['ERROR: Job failed (system failure)', 'Failed: an internal error occurred'],
    re: /^(?:ERROR: Job failed \(system failure\)|Failed: an internal error occurred)/,
    before: 4,
  },
  {
    id: 'cancelled',
    kind: 'cancelled',
    role: 'terminal',
    starts: ['Finished: ABORTED', 'ERROR: Job failed: canceled'],
    re: /^(?:Finished: ABORTED|ERROR: Job failed: canceled)/,
    before: 4,
  },
  {
    // GitLab `ERROR: Job failed: exit code 1`, Jenkins `ERROR: script returned exit code 1` and
    // `Finished: FAILURE`, CircleCI `Exited with code exit status 1`, Buildkite `🚨 Error: The
    // command exited with status 1`, Azure `##[error]Bash exited with code '1'.`, Travis `The
    // command "npm test" exited with 1.` and `Done. Your build exited with 1.`, Cloudflare Pages
    // `Failed: build command exited with code: 1` (`Failed: error occurred while running build command`
    // on its v2 image), Render `==> Exited with status 1`.
    id: 'exit-code',
    kind: 'unknown',
    role: 'terminal',
    starts: [
      'ERROR: Job failed: exit ',
      'ERROR: script returned exit code',
      'Finished: FAILURE',
      'Finished: UNSTABLE',
      'Exited with code',
      '🚨 Error: The command exited with status',
      '##[error]Bash exited with code',
      '##[error]Cmd.exe exited with code',
      '##[error]PowerShell exited with code',
      '##[error]Script failed with exit code',
      '##[error]The process ',
      'The command "',
      'Done. Your build exited with',
      'Failed: build command exited with code',
      'Failed: Error while executing user command',
      'Failed: error occurred while running build command',
      '==> Exited with status',
      '==> Build failed',
    ],
    re: /^(?:ERROR: Job failed: exit (?:code|status) (\d+)|ERROR: script returned exit code (\d+)|Finished: (?:FAILURE|UNSTABLE)|Exited with code (?:exit status )?(\d+)|🚨 Error: The command exited with status (\d+)|##\[error\](?:Bash|Cmd\.exe|PowerShell) exited with code '?(\d+)|##\[error\]Script failed with exit code: (\d+)|##\[error\]The process '[^']*' failed with exit code (\d+)|The command ".*" (?:failed and )?exited with ([1-9]\d*)|Done\. Your build exited with ([1-9]\d*)|Failed: build command exited with code: (\d+)|Failed: Error while executing user command\. Exited with error code: (\d+)|Failed: error occurred while running build command|==> Exited with status (\d+)|==> Build failed)/,
    before: 8,
  },
];
