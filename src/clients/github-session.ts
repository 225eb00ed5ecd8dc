/**
 * What every GitHub port of one process shares: the options, the Octokit clients (a token client, or
 * a GitHub App client plus one client per installation, looked up per repository and cached), retries
 * and throttling, and the mapping of failures to AppErrors in terms of the credential in use. The
 * Actions port (github.ts) and the repository port (github-repo.ts) are both built on one session, so
 * they share the installation look-ups and the rate-limit handling.
 *
 * Building a session loads nothing: Octokit (and, for an App, its auth strategy) is loaded on the
 * first call (github-octokit.ts). It throws AppError `not_configured` at once when neither a token
 * nor an App is given.
 */

import { AppError } from '../../tools/shared/errors.ts';
import type { RepoRef } from '../../tools/shared/github-port.ts';
import { type Metrics, secondsSince } from '../metrics/metrics.ts';
import { type HttpishError, mapGitHubError, type What } from './github-errors.ts';
import { type GitHubClient as Client, loadAppAuth, loadOctokit } from './github-octokit.ts';

export interface GitHubClientOptions {
  /** REST API root: `https://api.github.com` (default), `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** A personal access token (classic or fine-grained) or any other bearer token. */
  token?: string;
  /** GitHub App id; with `privateKey`, used instead of `token`. The installation is looked up per repository. */
  appId?: string;
  /** The App's private key (PEM). */
  privateKey?: string;
  userAgent?: string;
  /** Retries of a request that failed on the network or with a 5xx (default 3; waits 1 s, 4 s, 9 s). */
  retries?: number;
  /** Times one request waits out a rate limit before giving up (default 3). */
  rateLimitRetries?: number;
  /** Longest single rate-limit wait accepted, in seconds (default 120); a later reset fails at once as `github_rate_limited`. */
  maxRateLimitWaitSeconds?: number;
  /** How long an App installation id is trusted before it is looked up again (default 15 min). */
  installationCacheMs?: number;
  /** Receives rate-limit waits and other notices (default: silent). Never given credentials. */
  onWarning?: (message: string) => void;
  /** Times every request by route template (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`) and outcome. */
  metrics?: Metrics;
}

/** Details of a failing request for the wording of its error (see mapGitHubError). */
export interface FailContext {
  /** A run, job or pull request number. */
  id?: number;
  /** A path, ref or branch the request was about. */
  subject?: string;
}

export interface GitHubSession {
  /** REST API root without a trailing slash. */
  baseUrl: string;
  userAgent: string;
  /** How errors name the credential: `GITHUB_TOKEN` or `the GitHub App (GITHUB_APP_ID …)`. */
  credential: string;
  useApp: boolean;
  /** The client for a repository: the token client, or the App installation's (looked up once per TTL). */
  clientFor(ref: RepoRef, signal?: AbortSignal): Promise<Client>;
  /** The AppError for a failed request (or the error itself when it is already one, or an abort). */
  fail(e: unknown, what: What, ref: RepoRef, ctx?: FailContext): unknown;
  /** Like fail, but on a 404 first tells "no such repository" from "no such thing in it". */
  explain404(e: unknown, what: What, ref: RepoRef, ctx?: FailContext, signal?: AbortSignal): Promise<unknown>;
}

export function createGitHubSession(opts: GitHubClientOptions): GitHubSession {
  const baseUrl = (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? 'shipmate';
  const rateLimitRetries = opts.rateLimitRetries ?? 3;
  const maxWait = opts.maxRateLimitWaitSeconds ?? 120;
  const warn = opts.onWarning ?? (() => {});
  const useApp = Boolean(opts.appId && opts.privateKey);
  if (!useApp && !opts.token) {
    throw new AppError({
      code: 'not_configured',
      userMessage: 'GitHub is not configured. Set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.',
    });
  }
  const credential = useApp ? `the GitHub App (GITHUB_APP_ID ${opts.appId})` : 'GITHUB_TOKEN';

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _o: unknown,
      retryCount: number,
    ): boolean => {
      const ok = retryCount < rateLimitRetries && retryAfter <= maxWait;
      warn(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}: ` +
          (ok ? `waiting ${retryAfter}s (retry ${retryCount + 1}/${rateLimitRetries})` : 'giving up'),
      );
      return ok;
    };

  const common = {
    baseUrl,
    userAgent,
    retry: { retries: opts.retries ?? 3 },
    throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => warn(m), error: (m: string) => warn(m) },
  };

  /** Every client's requests go through this hook (retries and throttling wrap it from outside). */
  const instrument = (client: Client): Client => {
    const metrics = opts.metrics;
    if (!metrics) return client;
    client.hook.wrap('request', async (request, options) => {
      const t0 = performance.now();
      // The route template, not the expanded URL: owner, repo and ids are parameters, never labels.
      const url = String(options.url ?? '');
      const operation = url.includes('{') || url === '/' ? `${options.method} ${url}` : 'other';
      try {
        const res = await request(options);
        metrics.externalCall('github', operation, true, secondsSince(t0));
        return res;
      } catch (e) {
        metrics.externalCall('github', operation, false, secondsSince(t0));
        throw e;
      }
    });
    return client;
  };

  // Built on first use, when Octokit is loaded (see github-octokit.ts).
  let tokenClient: Client | undefined;
  let appClient: Client | undefined;
  const installations = new Map<string, { id: Promise<number>; at: number }>();
  const installationClients = new Map<number, Client>();
  const installationTtl = opts.installationCacheMs ?? 15 * 60_000;

  const fail = (e: unknown, what: What, ref: RepoRef, ctx: FailContext = {}): unknown =>
    mapGitHubError(e, { what, ref, id: ctx.id, subject: ctx.subject, credential, app: useApp });

  const clientFor = async (ref: RepoRef, signal?: AbortSignal): Promise<Client> => {
    if (!useApp) {
      const Octokit = await loadOctokit();
      tokenClient ??= instrument(new Octokit({ ...common, auth: opts.token }));
      return tokenClient;
    }
    const [Octokit, createAppAuth] = await Promise.all([loadOctokit(), loadAppAuth()]);
    // Synchronous from here to the look-up, so concurrent calls share one look-up per repository.
    appClient ??= instrument(
      new Octokit({
        ...common,
        authStrategy: createAppAuth,
        auth: { appId: opts.appId, privateKey: opts.privateKey },
      }),
    );
    const app = appClient;
    const key = `${ref.owner}/${ref.repo}`.toLowerCase();
    let entry = installations.get(key);
    if (!entry || Date.now() - entry.at > installationTtl) {
      const id = app.rest.apps
        .getRepoInstallation({ owner: ref.owner, repo: ref.repo, request: { signal } })
        .then((r) => r.data.id);
      entry = { id, at: Date.now() };
      installations.set(key, entry);
      id.catch(() => installations.delete(key));
    }
    let installationId: number;
    try {
      installationId = await entry.id;
    } catch (e) {
      throw fail(e, 'installation', ref);
    }
    let client = installationClients.get(installationId);
    if (!client) {
      client = instrument(
        new Octokit({
          ...common,
          authStrategy: createAppAuth,
          auth: { appId: opts.appId, privateKey: opts.privateKey, installationId },
        }),
      );
      installationClients.set(installationId, client);
    }
    return client;
  };

  const explain404 = async (
    e: unknown,
    what: What,
    ref: RepoRef,
    ctx: FailContext = {},
    signal?: AbortSignal,
  ) => {
    if ((e as HttpishError)?.status !== 404 || what === 'repo' || what === 'logs')
      return fail(e, what, ref, ctx);
    try {
      const c = await clientFor(ref, signal);
      await c.rest.repos.get({ owner: ref.owner, repo: ref.repo, request: { signal } });
    } catch (repoError) {
      return fail(repoError, 'repo', ref);
    }
    return fail(e, what, ref, ctx);
  };

  return { baseUrl, userAgent, credential, useApp, clientFor, fail, explain404 };
}
