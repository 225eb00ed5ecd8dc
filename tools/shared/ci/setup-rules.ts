/**
 * The CI or the toolchain is set up wrong (kind `config`): a command that is not installed or does
 * not exist, no Rakefile, no default Rust toolchain, an npm script that is not defined, a required
 * input or secret that was not given. The code may be fine; the job's set-up is not.
 */

import type { Rule } from './rule.ts';

/** Set-up errors (kind `config`). */
export const SETUP_RULES: readonly Rule[] = [
  {
    // `bash: line 1: kubectl: command not found`, `./deploy.sh: line 12: helm: command not found`,
    // `sh: 1: yarn: not found`, `/bin/sh: 1: make: not found`, BusyBox (Alpine images, GitLab's
    // `eval` of the job script) `/bin/sh: eval: line 125: apt-get: not found`
    id: 'command-not-found',
    kind: 'config',
    role: 'primary',
    contains: 'not found',
    gate: 'not found',
    re: /(?:^|: )(?:line \d+: )?[\w.@/+-]+: command not found\s*$|^(?:\/bin\/)?(?:ba|da|z)?sh: (?:eval: )?(?:line )?\d+: [\w.@/+-]+: not found\s*$/,
    before: 1,
    after: 0,
  },
  {
    // rake: `rake aborted!` then the reason (`No Rakefile found …`, `Don't know how to build task`);
    // the kind is refined from the reason (extraction.ts).
    id: 'rake',
    kind: 'unknown',
    role: 'primary',
    starts: ['rake aborted!'],
    re: /^rake aborted!/,
    before: 1,
    after: 3,
    stopBefore: /^\s*$|^\(See full trace/,
  },
  {
    id: 'rust-toolchain',
    kind: 'config',
    role: 'primary',
    starts: ['error: toolchain ', 'error: no override', "error: '", 'error: no default toolchain'],
    re: /^error: (?:toolchain '[^']+' is not installed|no override and no default toolchain set|no default toolchain configured|'[^']+' is not installed for the toolchain)/,
    before: 1,
    after: 2,
  },
  {
    id: 'npm-missing-script',
    kind: 'config',
    role: 'primary',
    starts: ['npm ERR! Missing script:', 'npm error Missing script:', 'npm ERR! missing script:'],
    re: /^npm (?:ERR!|error) [Mm]issing script: /,
    before: 0,
    after: 3,
  },
  {
    id: 'npm-auth',
    kind: 'config',
    role: 'primary',
    starts: ['npm ERR! code ENEEDAUTH', 'npm error code ENEEDAUTH'],
    re: /^npm (?:ERR!|error) code ENEEDAUTH\b/,
    after: 3,
  },
  {
    // GitHub's toolkit: a required `with:` input (often a secret) is empty.
    id: 'missing-input',
    kind: 'config',
    role: 'primary',
    starts: ['Input required and not supplied', 'Error: Input required and not supplied'],
    re: /^(?:Error: )?Input required and not supplied: \S+/,
    before: 0,
    after: 2,
  },
  {
    id: 'unknown-command',
    kind: 'config',
    role: 'primary',
    starts: [
      'Unknown command',
      'unknown command',
      'error: unknown command',
      'Error: unknown command',
      'Error: Unknown command',
    ],
    re: /^(?:(?:error|Error): )?[Uu]nknown (?:command|subcommand)\b/,
    before: 1,
    after: 2,
  },
  {
    id: 'missing-executable',
    kind: 'config',
    role: 'primary',
    starts: ['Error: Unable to locate executable file', 'Unable to locate executable file'],
    re: /^(?:Error: )?Unable to locate executable file: /,
    before: 1,
    after: 1,
  },
];
