/**
 * Octokit, loaded on first use. The composition root builds the GitHub port in every role that has
 * credentials, and `@octokit/rest` with its plugins (and `@octokit/auth-app` for a GitHub App) is a
 * large import, so the port imports only types and loads the packages with a dynamic `import()`
 * when a call first needs them; a role that never calls GitHub never loads them.
 */

import type { createAppAuth } from '@octokit/auth-app';

async function importOctokit() {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  return Octokit.plugin(retry, throttling);
}

/** `@octokit/rest`'s Octokit with retries (network, 5xx) and throttling (rate limits). */
export type ShipmateOctokit = Awaited<ReturnType<typeof importOctokit>>;
/** One client built from {@link ShipmateOctokit}. */
export type GitHubClient = InstanceType<ShipmateOctokit>;

let octokit: Promise<ShipmateOctokit> | undefined;
let appAuth: Promise<typeof createAppAuth> | undefined;

/** Loads Octokit with its plugins once (the promise is cached; a failed load is retried next time). */
export function loadOctokit(): Promise<ShipmateOctokit> {
  octokit ??= importOctokit().catch((e: unknown) => {
    octokit = undefined;
    throw e;
  });
  return octokit;
}

/** Loads `@octokit/auth-app`'s strategy once, for GitHub App authentication. */
export function loadAppAuth(): Promise<typeof createAppAuth> {
  appAuth ??= import('@octokit/auth-app').then(
    (m) => m.createAppAuth,
    (e: unknown) => {
      appAuth = undefined;
      throw e;
    },
  );
  return appAuth;
}
