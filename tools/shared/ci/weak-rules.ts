/**
 * Error-looking lines (`Error: …`, `fatal: …`, a Python traceback): role `weak`, used only when no
 * decisive error shows up in the failing step. Last in the table, so every specific rule wins.
 */

import type { Rule } from './rule.ts';
import { JS_REPO_FRAME } from './test-rules.ts';

/** Generic errors (weak). */
export const WEAK_RULES: readonly Rule[] = [
  {
    id: 'traceback',
    kind: 'unknown',
    role: 'weak',
    starts: ['Traceback (most recent call last):'],
    re: /^Traceback \(most recent call last\):/,
    before: 0,
    after: 30,
    keep: /^\s*File "|^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b/,
    until: /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b/,
  },
  {
    // `Error: boom`, `TypeError: x is undefined` at the start of a line (not indented console output)
    id: 'error',
    kind: 'unknown',
    role: 'weak',
    starts: [
      'Error',
      'TypeError',
      'ReferenceError',
      'SyntaxError',
      'RangeError',
      'AssertionError',
      'ERROR',
      'FATAL',
      'Fatal',
      'fatal',
      'error:',
      'Exception',
      '[ERROR] ',
    ],
    re: /^(?:(?:[A-Z][A-Za-z]*)?Error(?: \[\w+\])?: \S|ERROR[:\s]|FATAL[:\s]|Fatal(?: error)?: |fatal: |error: |Exception in thread |\[ERROR\] (?!\s*$|-> \[Help|To see the full|Re-run Maven|For more information|\[Help \d|$)\S)/,
    before: 2,
    after: 6,
    until: JS_REPO_FRAME,
  },
];
