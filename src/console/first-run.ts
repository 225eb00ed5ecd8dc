import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';

/** Where Kubernetes credentials could come from when KUBECONFIG is unset. */
export interface KubeHints {
  home?: string;
  /** KUBERNETES_SERVICE_HOST is set: running in a pod. */
  inCluster: boolean;
}

/**
 * True when a console start has nothing to talk to: no cluster (KUBECONFIG, ~/.kube/config or a
 * pod's service account), no GitHub and no model. Only `help`, `audit` and `cancel` could answer.
 */
export function nothingConfigured(config: Config, hints: KubeHints): boolean {
  if (config.mode !== 'console') return false;
  const kube =
    Boolean(config.kube.kubeconfigPath) ||
    hints.inCluster ||
    (hints.home !== undefined && existsSync(join(hints.home, '.kube', 'config')));
  return !kube && !config.github.token && !config.github.appId && !config.llm;
}

/** The one paragraph a console start with nothing configured shows first. */
export const NOTHING_CONFIGURED = [
  'Nothing is connected yet: no Slack token (so this is the console on your terminal), no Kubernetes',
  'cluster (KUBECONFIG or ~/.kube/config), no GitHub (GITHUB_TOKEN) and no model (OPENAI_API_KEY), so',
  'only help, audit and cancel have anything to answer. To try every command against a built-in sample',
  'world — a cluster with real faults, failed builds, deploys with approvals — quit (Ctrl-D) and run',
  '`npm run demo`. To connect your own systems, see "Configuration" in README.md.',
].join('\n');
