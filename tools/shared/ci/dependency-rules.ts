/**
 * Packages that could not be installed or resolved: npm, pnpm, Yarn, pip, Go modules, Maven.
 */

import type { Rule } from './rule.ts';

/** An npm error line that says something (not the log-file pointer, a bare code, path or errno). */
export const NPM_DETAIL = /^npm (?:ERR!|error) (?!A complete log|\s*$|code \d|path |errno |syscall )\S/;

/** Dependency errors (kind `dependency`; pnpm's recursive-run summary is `unknown`). */
export const DEPENDENCY_RULES: readonly Rule[] = [
  {
    id: 'npm-install',
    kind: 'dependency',
    role: 'primary',
    starts: ['npm ERR! `npm ci`', 'npm error `npm ci`'],
    re: /`npm ci` can only install packages when your package\.json and package-lock\.json/,
    before: 3,
    beforeStop: /^npm (?:ERR!|error) code /,
    after: 3,
    keep: NPM_DETAIL,
  },
  {
    // npm 7–10: `npm ERR! code ERESOLVE`, npm 10+: `npm error code E404`. ELIFECYCLE is a script failure.
    id: 'npm-install',
    kind: 'dependency',
    role: 'primary',
    starts: ['npm ERR! code E', 'npm error code E'],
    re: /^npm (?:ERR!|error) code (?!ELIFECYCLE\b|EUSAGE\b)(E[A-Z0-9_]+)/,
    after: 12,
    keep: NPM_DETAIL,
  },
  {
    id: 'pnpm',
    kind: 'unknown',
    role: 'summary',
    starts: ['ERR_PNPM_', '[ERR_PNPM_'],
    re: /ERR_PNPM_(?:RECURSIVE_RUN_FIRST_FAIL|RECURSIVE_EXEC_FIRST_FAIL|RECURSIVE_FAIL)\b/,
  },
  {
    id: 'pnpm',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERR_PNPM_', '[ERR_PNPM_'],
    re: /\bERR_PNPM_[A-Z0-9_]+/,
    after: 6,
  },
  {
    id: 'yarn',
    kind: 'dependency',
    role: 'primary',
    starts: ['error '],
    re: /^error (?:An unexpected error occurred: "[^"]*(?:Not found|Request failed|ENOTFOUND)|Your lockfile needs to be updated|Couldn't find (?:any versions|package)|Package "[^"]+" refers to a non-existing file|Could not resolve|.*Incorrect integrity)/,
    after: 3,
  },
  {
    id: 'yarn',
    kind: 'dependency',
    role: 'primary',
    starts: ['➤ YN0', 'YN0'],
    re: /\bYN0(?:001|009|016|018|028|035)\b/,
    after: 4,
    keep: /\bYN0\d{3}\b/,
  },
  {
    id: 'pip',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: (?:Could not find a version that satisfies|No matching distribution found|ResolutionImpossible|Cannot install|Could not install packages|Failed building wheel|Failed to build)/,
    before: 1,
    after: 3,
  },
  {
    id: 'pip',
    kind: 'dependency',
    role: 'primary',
    starts: ['ModuleNotFoundError: ', 'ImportError: '],
    re: /^(?:ModuleNotFoundError: No module named|ImportError: cannot import name)/,
    before: 3,
  },
  {
    id: 'go-mod',
    kind: 'dependency',
    role: 'primary',
    starts: ['go: '],
    re: /^go: .*(?:missing go\.sum entry|updates to go\.mod needed|not found|unknown revision|checksum mismatch|404 Not Found|no matching versions|invalid version)/,
    after: 3,
  },
  {
    id: 'maven-deps',
    kind: 'dependency',
    role: 'primary',
    starts: ['[ERROR] Failed to execute goal'],
    re: /^\[ERROR\] Failed to execute goal .*Could not (?:resolve dependencies|find artifact|transfer artifact)/,
  },
];
