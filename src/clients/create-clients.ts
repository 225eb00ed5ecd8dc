import type { LogUrlPort } from '../../tools/shared/ci/log-port.ts';
import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type { KubePort } from '../../tools/shared/kube-port.ts';
import type { RepoPort } from '../../tools/shared/repo-port.ts';
import type { Config } from '../config.ts';
import type { KubeDeployPort } from '../deploys/kube-deploy-port.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { createGitHubPort } from './github.ts';
import { createRepoPort } from './github-repo.ts';
import { createGitHubSession } from './github-session.ts';
import { createKubePort } from './kube.ts';
import { createKubeDeployPort } from './kube-deploy.ts';
import { createKubeContextPool } from './kube-pool.ts';

/** How the team's host list and the download limits are named in answers. */
export const LOG_SETTINGS = {
  hosts: '`ci.log_hosts` in the team file (SHIPMATE_CONFIG)',
  maxBytes: 'LOG_DOWNLOAD_MAX_MB',
  timeout: 'LOG_DOWNLOAD_TIMEOUT_SECONDS',
} as const;

/** The Kubernetes and GitHub clients of one process, built from the config. */
export interface Clients {
  kube: KubePort;
  /** Writes to clusters: only the deploys feature's approved-change jobs use it. */
  kubeDeploy: KubeDeployPort & Pick<KubePort, 'list'>;
  /** Absent without GITHUB_TOKEN or a GitHub App. */
  github: GitHubPort | undefined;
  /** A repository's files and pull requests; same credentials and presence as `github`. */
  repo: RepoPort | undefined;
  /** Raw logs by URL, under `ci.log_hosts` and the download limits. */
  logs: LogUrlPort;
  close(): Promise<void>;
}

/**
 * One pool of per-context clients and connections, shared by the read port and the deploy port;
 * both load the Kubernetes client on first use, so a role that never calls them never loads it.
 */
export function createClients(config: Config, log: Logger, metrics?: Metrics): Clients {
  const kubeOptions = {
    kubeconfigPath: config.kube.kubeconfigPath,
    requestTimeoutMs: config.kube.requestTimeoutMs,
  };
  const pool = createKubeContextPool({ ...kubeOptions, metrics });
  const kube = createKubePort(kubeOptions, pool);
  const kubeDeploy = createKubeDeployPort({ ...kubeOptions, pool });
  const gh = config.github;
  const ghOptions = {
    baseUrl: gh.apiUrl,
    token: gh.token,
    appId: gh.appId,
    privateKey: gh.privateKey,
    onWarning: (message: string) => log.warn({ integration: 'github' }, message),
    metrics,
  };
  // One session: both ports share the clients, the installation look-ups and the rate-limit handling.
  const session = gh.token || gh.appId ? createGitHubSession(ghOptions) : undefined;
  const github = session && createGitHubPort(ghOptions, session);
  const repo = session && createRepoPort(ghOptions, session);
  const policy = {
    hosts: config.team.ci.log_hosts,
    maxBytes: config.logDownload.maxBytes,
    timeoutMs: config.logDownload.timeoutMs,
    settings: LOG_SETTINGS,
  };
  // Loaded on first use (a triage job, on a worker): the web role never loads the downloader.
  let port: Promise<LogUrlPort> | undefined;
  const logs: LogUrlPort = {
    async extract(text, opts) {
      port ??= import('./log-url/port.ts').then((m) => m.createLogUrlPort(policy));
      return (await port).extract(text, opts);
    },
  };
  return {
    kube,
    kubeDeploy,
    github,
    repo,
    logs,
    async close() {
      await kube.close().catch(() => undefined);
      await kubeDeploy.close().catch(() => undefined);
    },
  };
}
