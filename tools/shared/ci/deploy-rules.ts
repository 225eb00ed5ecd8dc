/**
 * A publish or deploy step to an external service failed after the build passed (kind `deploy`):
 * npm, PyPI and crates.io publishing, image pushes, Heroku and git pushes, Cloudflare (wrangler),
 * Helm and kubectl rollouts. An `npm ERR! code E403` whose detail is a `PUT` to the registry is
 * turned into a deploy failure in extraction.ts.
 */

import type { Rule } from './rule.ts';

/** Publish and deploy errors (kind `deploy`). */
export const DEPLOY_RULES: readonly Rule[] = [
  {
    id: 'npm-publish',
    kind: 'deploy',
    role: 'primary',
    starts: ['npm ERR! 40', 'npm error 40'],
    re: /^npm (?:ERR!|error) 40\d .*- PUT https?:\/\//,
    before: 1,
    after: 2,
  },
  {
    id: 'pypi-upload',
    kind: 'deploy',
    role: 'primary',
    contains: 'HTTPError: ',
    gate: 'HTTPError',
    re: /HTTPError: \d{3} .*from https?:\/\/\S*(?:pypi\.org|\/legacy\/)/,
    before: 2,
    after: 3,
  },
  {
    id: 'cargo-publish',
    kind: 'deploy',
    role: 'primary',
    starts: ['error: failed to publish', 'error: crate version', 'error: api errors'],
    re: /^error: (?:failed to publish|crate version `[^`]+` is already uploaded|api errors)/,
    before: 1,
    after: 3,
  },
  {
    id: 'image-push',
    kind: 'deploy',
    role: 'primary',
    starts: [
      'denied: ',
      'unauthorized: authentication required',
      'ERROR: failed to push',
      'error: failed to push',
    ],
    re: /^(?:denied: requested access to the resource is denied|denied: |unauthorized: authentication required|(?:ERROR|error): failed to push \S+:)/,
    before: 3,
    after: 1,
  },
  {
    // git prints ` ! [remote rejected] main -> main (…)` with a leading space; Heroku `!     Push rejected`
    id: 'git-push',
    kind: 'deploy',
    role: 'primary',
    starts: ['! ', 'error: failed to push some refs'],
    re: /^\s*(?:! \[(?:remote )?rejected\]|!\s+Push rejected|error: failed to push some refs)/,
    before: 4,
    after: 2,
  },
  {
    // wrangler (Cloudflare Workers and Pages): `✘ [ERROR] A request to the Cloudflare API … failed.`,
    // indented when wrangler-action relays it
    id: 'wrangler',
    kind: 'deploy',
    role: 'primary',
    starts: ['✘ [ERROR] ', 'X [ERROR] '],
    re: /^\s*[✘X] \[ERROR\] .*(?:Cloudflare API|[Dd]eploy|[Pp]ublish|[Uu]pload|[Aa]uthentication)/,
    before: 1,
    after: 4,
  },
  {
    id: 'helm',
    kind: 'deploy',
    role: 'primary',
    starts: ['Error: UPGRADE FAILED', 'Error: INSTALLATION FAILED', 'Error: release '],
    re: /^Error: (?:UPGRADE FAILED|INSTALLATION FAILED|release \S+ failed)/,
    before: 2,
    after: 2,
  },
  {
    id: 'rollout',
    kind: 'deploy',
    role: 'primary',
    starts: [
      'error: deployment ',
      'error: daemon set ',
      'error: statefulset ',
      'error: timed out waiting for the condition',
    ],
    re: /^error: (?:(?:deployment|daemon set|statefulset) "[^"]+" exceeded its progress deadline|timed out waiting for the condition)/,
    before: 3,
    after: 1,
  },
];
