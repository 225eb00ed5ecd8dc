import type { GitHubPort } from '../../tools/shared/github-port.ts';
import type { KubePort } from '../../tools/shared/kube-port.ts';
import type { Config } from '../config.ts';
import type { KubeDeployPort } from '../deploys/kube-deploy-port.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { createGitHubPort } from './github.ts';
import { createKubePort } from './kube.ts';
import { createKubeDeployPort } from './kube-deploy.ts';
import { createKubeContextPool } from './kube-pool.ts';

/** The Kubernetes and GitHub clients of one process, built from the config. */
export interface Clients {
  kube: KubePort;
  /** Writes to clusters: only the deploys feature's approved-change jobs use it. */
  kubeDeploy: KubeDeployPort & Pick<KubePort, 'list'>;
  /** Absent without GITHUB_TOKEN or a GitHub App. */
  github: GitHubPort | undefined;
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
  const github =
    gh.token || gh.appId
      ? createGitHubPort({
          baseUrl: gh.apiUrl,
          token: gh.token,
          appId: gh.appId,
          privateKey: gh.privateKey,
          onWarning: (message) => log.warn({ integration: 'github' }, message),
          metrics,
        })
      : undefined;
  return {
    kube,
    kubeDeploy,
    github,
    async close() {
      await kube.close().catch(() => undefined);
      await kubeDeploy.close().catch(() => undefined);
    },
  };
}
