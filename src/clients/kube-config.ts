/**
 * Where the Kubernetes credentials come from: `kubeconfigPath` (one path, or several joined like
 * `KUBECONFIG` and merged the same way), else `inCluster` service-account credentials, else the
 * library's default search (KUBECONFIG, ~/.kube/config, then in-cluster).
 */

import { delimiter } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../tools/shared/errors.ts';
import type { KubeSdk } from './kube-sdk.ts';

export interface KubePortOptions {
  /** A kubeconfig file, or several joined with the platform's path delimiter (as in `KUBECONFIG`). */
  kubeconfigPath?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean;
  /**
   * With `inCluster`: a prefix for the service-account files' paths
   * (`<prefix>/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`), as
   * client-node's `loadFromCluster` takes it. Tests point it at a temporary directory.
   */
  inClusterPathPrefix?: string;
  /** Per-request time limit in ms (default 20,000); a page that takes longer fails with `kube_timeout`. */
  requestTimeoutMs?: number;
}

export interface Loaded {
  kc: KubeConfig;
  source: string;
}

/**
 * Loads the kubeconfig the options point at, with the library's KubeConfig (`sdk`, see kube-sdk.ts).
 * Throws AppError `kube_not_configured` when there is none (the library's last-resort
 * `http://localhost:8080` default counts as none).
 */
export function loadKubeConfig(opts: KubePortOptions, sdk: Pick<KubeSdk, 'KubeConfig'>): Loaded {
  const kc = new sdk.KubeConfig();
  if (opts.inCluster) {
    try {
      kc.loadFromCluster(opts.inClusterPathPrefix);
    } catch (e) {
      throw notConfigured(`in-cluster credentials could not be loaded: ${(e as Error).message}`, e);
    }
    if (!kc.getCurrentCluster()?.server || kc.getCurrentCluster()?.server.includes('undefined')) {
      throw notConfigured(
        'in-cluster credentials were requested but KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod?).',
      );
    }
    return { kc, source: 'in-cluster service account' };
  }
  if (opts.kubeconfigPath) {
    const files = opts.kubeconfigPath.split(delimiter).filter(Boolean);
    try {
      kc.loadFromFile(files[0] as string);
      for (const f of files.slice(1)) {
        const more = new sdk.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, true);
      }
    } catch (e) {
      throw notConfigured(describeLoadError(opts.kubeconfigPath, e), e);
    }
    if (kc.getContexts().length === 0)
      throw notConfigured(`the kubeconfig ${opts.kubeconfigPath} defines no contexts.`);
    return { kc, source: opts.kubeconfigPath };
  }
  try {
    kc.loadFromDefault();
  } catch (e) {
    throw notConfigured(describeLoadError('KUBECONFIG', e), e);
  }
  const only = kc.getContexts();
  if (
    only.length === 0 ||
    (only.length === 1 &&
      only[0]?.name === 'loaded-context' &&
      kc.getCurrentCluster()?.server === 'http://localhost:8080')
  ) {
    throw notConfigured(
      'no kubeconfig was found (KUBECONFIG, ~/.kube/config) and the bot is not running in a pod.',
    );
  }
  return { kc, source: 'the default kubeconfig' };
}

function describeLoadError(path: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return `the kubeconfig ${path} does not exist.`;
  if (code === 'EACCES') return `the kubeconfig ${path} is not readable by the bot.`;
  return `the kubeconfig ${path} could not be read: ${(e as Error).message}`;
}

function notConfigured(detail: string, cause?: unknown): AppError {
  return new AppError({
    code: 'kube_not_configured',
    userMessage: `No Kubernetes cluster is configured: ${detail} Set KUBECONFIG (or mount ~/.kube/config), or run the bot in the cluster with a service account.`,
    cause,
  });
}
