/**
 * Setting a fake cluster up (fake-kube.ts): the committed test CA (sandbox/tls) and the token and user
 * the kubeconfig carries, the kubeconfig writer, and `deploymentObjects` (a Deployment ready to roll out,
 * with its ReplicaSet and pods).
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DeploymentOptions,
  emptyObjects,
  type FakeObjects,
  type Json,
  makeDeployment,
  makeNamespace,
  makePod,
  nameOf,
  type PodOptions,
  safeSuffix,
} from './kube-objects.ts';

export const TLS_DIR = fileURLToPath(new URL('./tls/', import.meta.url));
export const FAKE_CA_PATH = join(TLS_DIR, 'ca.crt');
export const OTHER_CA_PATH = join(TLS_DIR, 'other-ca.crt');

/** The bearer token in the kubeconfig and the identity the fake's 403 messages name. */
export const FAKE_TOKEN = 'fake-kube-token-0123456789';
export const FAKE_USER = 'system:serviceaccount:ops:shipmate';

/**
 * A Deployment ready to roll out: its namespace (if `into` lacks it), the Deployment, its current
 * ReplicaSet and that ReplicaSet's pods (Ready ones for `ready`, default all), pushed into `into`.
 */
export function deploymentObjects(
  opts: DeploymentOptions,
  into: FakeObjects = emptyObjects(),
): FakeObjects & { podTemplateHash: string } {
  const { deployment, replicaSet, podTemplateHash } = makeDeployment(opts);
  if (!into.namespaces.some((n) => nameOf(n) === opts.namespace))
    into.namespaces.push(makeNamespace(opts.namespace));
  into.deployments.push(deployment);
  into.replicasets.push(replicaSet);
  const replicas = opts.replicas ?? 3;
  const ready = opts.ready ?? replicas;
  const rsName = nameOf(replicaSet);
  const labels = {
    ...((((replicaSet.spec as Json).template as Json).metadata as Json).labels as Record<string, string>),
  };
  for (let i = 0; i < replicas; i++) {
    const podOpts: PodOptions = {
      namespace: opts.namespace,
      name: `${rsName}-${safeSuffix(`${rsName}/${i}`, 5)}`,
      owner: { kind: 'ReplicaSet', name: rsName },
      labels,
      containers: opts.containers ?? ['app'],
      image: opts.image ?? `registry.example.com/${opts.namespace}/${opts.name}:1.4.2`,
      state: i < ready ? { kind: 'running' } : { kind: 'notReady' },
    };
    if (opts.now) podOpts.now = opts.now;
    into.pods.push(makePod(podOpts));
  }
  return Object.assign(into, { podTemplateHash });
}

/** A kubeconfig with one context per cluster entry (named alike), all using `token`. */
export function kubeconfigYaml(opts: {
  current: string;
  clusters: { name: string; server: string; caPath?: string; namespace?: string }[];
  token: string;
}): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of opts.clusters) {
    lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`);
    if (c.caPath) lines.push(`    certificate-authority: ${JSON.stringify(c.caPath)}`);
  }
  lines.push('users:', '- name: shipmate', '  user:', `    token: ${opts.token}`, 'contexts:');
  for (const c of opts.clusters) {
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, '    user: shipmate');
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  lines.push(`current-context: ${opts.current}`, '');
  return lines.join('\n');
}
