/**
 * The rules that recognise failures in CI logs: what a line looks like, what kind of failure it means,
 * and how much context around it a person needs. Ordered: the first rule that matches a line wins, so
 * specific rules come before generic ones (a Docker build that ran out of memory before "Docker build
 * failed"). Each rule names a cheap literal gate (`starts` after leading spaces, or `contains`) so the
 * extractor tests regular expressions only on the few lines that could match.
 *
 * What a rule is (its fields, its role) is in rule.ts; the rules themselves are in one file a kind of
 * failure, put together here in the order that decides which wins.
 */

import { COMPILER_RULES } from './compiler-rules.ts';
import { DEPENDENCY_RULES } from './dependency-rules.ts';
import { DEPLOY_RULES } from './deploy-rules.ts';
import { DOCKER_BUILD_RULES } from './docker-rules.ts';
import { INFRASTRUCTURE_RULES } from './infrastructure-rules.ts';
import { LINTER_RULES } from './linter-rules.ts';
import type { Rule } from './rule.ts';
import { SETUP_RULES } from './setup-rules.ts';
import { SUMMARY_RULES, WRAPPER_RULES } from './summary-rules.ts';
import { TEST_RULES } from './test-rules.ts';
import { OTHER_CI_VERDICTS, VERDICT_RULES } from './verdict-rules.ts';
import { WEAK_RULES } from './weak-rules.ts';

/**
 * Every rule the extractor dispatches on, in precedence order (the first that matches a line wins):
 * the runner's verdicts (GitHub's, then other CIs'), then the specific errors of each kind, then summaries
 * and wrappers, then generic errors.
 */
export const RULES: readonly Rule[] = [
  ...VERDICT_RULES,
  ...OTHER_CI_VERDICTS,
  ...INFRASTRUCTURE_RULES,
  ...SETUP_RULES,
  ...DEPLOY_RULES,
  ...TEST_RULES,
  ...COMPILER_RULES,
  ...LINTER_RULES,
  ...DEPENDENCY_RULES,
  ...DOCKER_BUILD_RULES,
  ...SUMMARY_RULES,
  ...WRAPPER_RULES,
  ...WEAK_RULES,
];

/**
 * The generic `##[error]<message>` annotation (from `::error::` workflow commands and actions). Not in
 * RULES because its kind comes from classifying the message with the other rules.
 */
export const ANNOTATION_RULE: Rule = {
  id: 'annotation',
  kind: 'unknown',
  role: 'primary',
  starts: ['##[error]', '##vso[task.logissue type=error'],
  re: /^(?:##\[error\]|##vso\[task\.logissue type=error[^\]]*\])(.+)$/,
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
  '^##vso\\[task\\.logissue type=error',
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
  // Set-up, deploy, and the formats and CIs of issue 15.
  'command not found$',
  '^(/bin/)?(ba|da|z)?sh: (eval: )?(line )?[0-9]+: [^ ]+: not found',
  '^rake aborted!',
  "^error: (toolchain '[^']+' is not installed|no override and no default toolchain set)",
  '^npm (ERR!|error) ([Mm]issing script:|code ENEEDAUTH)',
  'Input required and not supplied: ',
  '^([Ee]rror: )?[Uu]nknown (command|subcommand)',
  '^npm (ERR!|error) 40[0-9] .*- PUT https?://',
  'HTTPError: [0-9]{3} .*from https?://',
  '^error: (failed to publish|crate version)',
  '^denied: |^unauthorized: authentication required',
  '^[[:space:]]*! \\[(remote )?rejected\\]|^[[:space:]]*![[:space:]]+Push rejected|^error: failed to push some refs',
  '^[[:space:]]*(✘|X) \\[ERROR\\] ',
  '^Error: (UPGRADE FAILED|INSTALLATION FAILED)',
  'exceeded its progress deadline',
  '^[[:space:]]*not ok [0-9]+',
  '^> Task :[^ ]* FAILED$',
  '\\.(c|cc|cpp|cxx|h|hpp|m|mm|cu|swift):[0-9]+(:[0-9]+)?: (fatal )?error: ',
  '^[[:space:]]*\\[tsl\\] ERROR in ',
  '^[[:space:]]*ERROR in ',
  "Module not found: (Error: )?Can't resolve '",
  '^\\* What went wrong:',
  '^[[:space:]]*(Error: ([Ee]rror building site: |"[^"]+:[0-9]+:[0-9]+": (parse|execute of template) failed)|ERROR ([0-9/]+ [0-9:]+ )?(render of "[^"]+" failed|.*execute of template failed))',
  '^\\[ERROR\\] (Failed to execute goal|Tests run:|Failures:)',
  '^\\[ERROR\\] .*\\.(java|kt|scala):\\[[0-9]+,[0-9]+\\]',
  '\\.md:( ?[0-9]+)(:[0-9]+)?:? MD[0-9]{3}',
  '^In [^ ]+ line [0-9]+:$',
  '\\[SC[0-9]{4}\\]$',
  '^\\[ant:checkstyle\\] \\[ERROR\\]',
  '^(ERROR|error): failed to solve',
  'ERROR: Job failed|ERROR: script returned exit code|Finished: (FAILURE|ABORTED|UNSTABLE)|Exited with code',
  'Error: The command exited with status|exited with code|The command ".*" (failed and )?exited with [1-9]',
  'Done\\. Your build exited with [1-9]|==> (Exited with status|Build failed)|Failed: (build command|Error while|error occurred while running build command)',
  'The job exceeded the maximum time limit|Too long with no output|No output has been received in the last|Build timed out',
];
