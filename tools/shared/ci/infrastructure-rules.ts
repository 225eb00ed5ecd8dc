/**
 * Failures of the machine rather than of the code: out of memory, a full disk, the network, a
 * registry's rate limit.
 */

import { NPM_DETAIL } from './dependency-rules.ts';
import type { Rule } from './rule.ts';

/** Resources and network (kind `infrastructure`). */
export const INFRASTRUCTURE_RULES: readonly Rule[] = [
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Killed'],
    re: /^\s*Killed\s*$/,
    before: 4,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    contains: ' Killed ',
    gate: 'Killed',
    re: /: line \d+: +\d+ Killed +\S/,
    before: 4,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['FATAL ERROR: ', 'fatal error: runtime: out of memory', 'Out of memory: '],
    re: /^(?:FATAL ERROR: .*JavaScript heap out of memory|fatal error: runtime: out of memory|Out of memory: Killed process)/,
    before: 4,
    after: 2,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Exception in thread', 'java.lang.OutOfMemoryError', '[ERROR] '],
    re: /java\.lang\.OutOfMemoryError/,
    before: 2,
    after: 2,
  },
  {
    id: 'oom',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: .*did not complete successfully: exit code: 137/,
    before: 4,
  },
  {
    id: 'disk-full',
    kind: 'infrastructure',
    role: 'primary',
    contains: 'No space left on device',
    gate: 'No space',
    re: /No space left on device/,
    before: 2,
    after: 1,
  },
  {
    id: 'network',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['npm ERR! code E', 'npm error code E'],
    re: /^npm (?:ERR!|error) code (ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|EPROTO|ENETUNREACH|UND_ERR_\w+)\b/,
    after: 4,
    keep: NPM_DETAIL,
  },
  {
    id: 'network',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['fatal: unable to access', 'curl: (6) Could not resolve host'],
    re: /Could not resolve host/,
    before: 1,
  },
  {
    id: 'registry-rate-limit',
    kind: 'infrastructure',
    role: 'primary',
    starts: ['Error response from daemon: ', 'ERROR: '],
    re: /toomanyrequests: You have reached your (?:unauthenticated )?pull rate limit/,
  },
];
