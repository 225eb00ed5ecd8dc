/**
 * Docker image builds that failed: BuildKit, the classic builder, the buildx action.
 */

import type { Rule } from './rule.ts';

/** Docker build errors (kind `compile`; an image that could not be pulled is `dependency`). */
export const DOCKER_BUILD_RULES: readonly Rule[] = [
  {
    id: 'docker-pull',
    kind: 'dependency',
    role: 'primary',
    starts: ['ERROR: '],
    re: /^ERROR: .*(?:pull access denied|manifest unknown|failed to resolve source metadata|failed to authorize)/,
    after: 2,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['ERROR: ', 'error: failed to solve', 'error: failed to build'],
    re: /^(?:ERROR|error): (?:failed to solve|failed to build|process ".*" did not complete successfully)/,
    before: 5,
    beforeStop: /^#\d+ \[[^\]]+\] /,
    after: 14,
    keep: /^(?:Dockerfile:\d+|\s*\d+ \| >>>|ERROR: |error: |-{3,}$| > \[|\d+\.\d+ )/,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['The command '],
    re: /^The command '.*' returned a non-zero code: \d+/,
    before: 4,
  },
  {
    id: 'docker-build',
    kind: 'compile',
    role: 'primary',
    starts: ['##[error]buildx failed with', '##[error]Error: buildx failed with'],
    re: /^##\[error\](?:Error: )?buildx failed with: /,
  },
];

/**
 * A failed BuildKit step, `#9 ERROR: failed to calculate checksum …`. Not in RULES: the extractor
 * applies it to lines with a BuildKit `#N ` prefix whose text is `ERROR: …` and that no specific rule
 * (out of memory, pull denied, an npm error inside the build) explains.
 */
export const BUILDKIT_STEP_RULE: Rule = {
  id: 'docker-build',
  kind: 'compile',
  role: 'primary',
  starts: ['ERROR: '],
  re: /^ERROR: (.+)$/,
  // The failing step's header (`#6 [3/3] RUN …`) and its last output lines.
  before: 5,
  beforeStop: /^#\d+ \[[^\]]+\] /,
  after: 14,
  keep: /^(?:Dockerfile:\d+|\s*\d+ \| >>>|ERROR: |error: |-{3,}$| > \[|\d+\.\d+ )/,
};
