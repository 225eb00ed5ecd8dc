/**
 * The deploy port (tools/shared/kube-deploy-port.ts) over @kubernetes/client-node v2: the same
 * kubeconfig handling, per-context clients, timeouts and error mapping as the read port
 * (src/clients/kube-pool.ts — pass the read port's `pool` to share connections), plus:
 *
 * - Writes are strategic-merge patches (`application/strategic-merge-patch+json`, set with the
 *   library's `setHeaderOptions`: the generated client would otherwise send the first type it
 *   lists, JSON Patch). `dryRun: true` sends `dryRun=All`: the API server validates and runs
 *   admission, returns the would-be object, and persists nothing.
 * - `setImage` is what `kubectl set image` sends; an unknown container is refused before sending,
 *   because a strategic merge would silently add it as a new container.
 * - `rollbackTo` is `kubectl rollout undo --to-revision`: the revision's ReplicaSet template, minus
 *   its pod-template-hash label, replaces spec.template (`$patch: replace`).
 * - `watchDeployment` is a raw watch request that resumes and re-lists (src/clients/kube-deploy-watch.ts).
 *
 * Building the port loads nothing; the library is loaded on the first call (kube-sdk.ts).
 */

import { AppError } from '../../tools/shared/errors.ts';
import type {
  KubeDeployment,
  KubeListOptions,
  KubePort,
  KubeReplicaSet,
} from '../../tools/shared/kube-port.ts';
import type {
  DeploymentRef,
  DeploymentSnapshot,
  KubeDeployPort,
  ReplicaSetRevision,
} from '../deploys/kube-deploy-port.ts';
import { ownedBy, POD_TEMPLATE_HASH, revisionOf, snapshotOf } from '../deploys/rollout.ts';
import { createKubePort } from './kube.ts';
import type { KubePortOptions } from './kube-config.ts';
import { createKubeDeployWatch } from './kube-deploy-watch.ts';
import type { RequestSite } from './kube-errors.ts';
import { type ContextClients, createKubeContextPool, type KubeContextPool } from './kube-pool.ts';
import { loadKubeSdk } from './kube-sdk.ts';

export interface KubeDeployPortOptions extends KubePortOptions {
  /** Share contexts and pooled connections with the read port (`createKubeContextPool`). */
  pool?: KubeContextPool;
  /** `fieldManager` of every write unless a call names one (default `shipmate`). */
  fieldManager?: string;
  /** The watch request's server-side `timeoutSeconds` (default 300); the watch then resumes. */
  watchTimeoutSeconds?: number;
  /** How long a watch keeps reconnecting through retryable failures before it throws (default 60,000 ms). */
  watchRetryMs?: number;
  /** A watch connection silent this long (no event, no bookmark) is reopened (default 90,000 ms). */
  watchIdleMs?: number;
}

/** The deploy port, plus `list` (for watchRollout's pod listing) and `close()`. */
export interface KubeDeployClient extends KubeDeployPort, Pick<KubePort, 'list'> {
  close(): Promise<void>;
}

const DEFAULT_FIELD_MANAGER = 'shipmate';

/**
 * Builds the deploy port. Never throws and loads nothing: configuration problems surface on the
 * first call, as in createKubePort.
 */
export function createKubeDeployPort(opts: KubeDeployPortOptions = {}): KubeDeployClient {
  const pool = opts.pool ?? createKubeContextPool(opts);
  const reads = createKubePort(opts, pool);
  const fieldManagerDefault = opts.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const watch = createKubeDeployWatch({
    pool,
    watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 300,
    watchRetryMs: opts.watchRetryMs ?? 60_000,
    watchIdleMs: opts.watchIdleMs ?? 90_000,
  });

  const site = (ref: DeploymentRef, verb: RequestSite['verb']) => ({
    verb,
    resource: 'deployments',
    namespace: ref.namespace,
    name: ref.name,
  });

  const getRaw = async (ref: DeploymentRef, signal?: AbortSignal): Promise<KubeDeployment> => {
    const c = await pool.clientsFor(ref.cluster);
    return (await pool.call(c, site(ref, 'get'), signal, (o) =>
      c.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }, o),
    )) as KubeDeployment;
  };

  const ownedReplicaSets = async (
    ref: DeploymentRef,
    d: KubeDeployment,
    signal?: AbortSignal,
  ): Promise<KubeReplicaSet[]> => {
    const uid = d.metadata?.uid ?? '';
    const out: KubeReplicaSet[] = [];
    const listOpts: KubeListOptions = { namespace: ref.namespace };
    if (ref.cluster) listOpts.cluster = ref.cluster;
    if (signal) listOpts.signal = signal;
    // The selector narrows the list server-side; ownership decides (selectors may overlap).
    const selector = snapshotOf(d).labelSelector;
    if (selector) listOpts.labelSelector = selector;
    for await (const page of reads.list('replicasets', listOpts)) {
      for (const rs of page.items) if (ownedBy(rs, uid)) out.push(rs);
    }
    return out;
  };

  const patch = async (
    ref: DeploymentRef,
    body: unknown,
    o: { dryRun: boolean; signal?: AbortSignal; fieldManager?: string },
  ): Promise<DeploymentSnapshot> => {
    const c = await pool.clientsFor(ref.cluster);
    const params: Parameters<ContextClients['apps']['patchNamespacedDeployment']>[0] = {
      name: ref.name,
      namespace: ref.namespace,
      body,
      fieldManager: o.fieldManager ?? fieldManagerDefault,
    };
    if (o.dryRun) params.dryRun = 'All';
    const { PatchStrategy, setHeaderOptions } = await loadKubeSdk();
    const d = (await pool.call(c, site(ref, 'patch'), o.signal, (opt) =>
      c.apps.patchNamespacedDeployment(
        params,
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, opt),
      ),
    )) as KubeDeployment;
    return snapshotOf(d);
  };

  return {
    list: reads.list,

    async getDeployment(ref, signal) {
      return snapshotOf(await getRaw(ref, signal));
    },

    async listRevisions(ref, signal) {
      const d = await getRaw(ref, signal);
      const revisions: ReplicaSetRevision[] = (await ownedReplicaSets(ref, d, signal)).map(revisionOf);
      revisions.sort((a, b) => b.revision - a.revision || b.createdAt.localeCompare(a.createdAt));
      return revisions;
    },

    async setImage(ref, container, image, o) {
      const d = await getRaw(ref, o.signal);
      const names = (d.spec?.template?.spec?.containers ?? []).map((c) => c.name);
      if (!names.includes(container)) {
        throw new AppError({
          code: 'kube_invalid',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" has no container "${container}"; its containers: ${names.join(', ') || '(none)'}.`,
        });
      }
      return patch(ref, { spec: { template: { spec: { containers: [{ name: container, image }] } } } }, o);
    },

    async rollbackTo(ref, revision, o) {
      const d = await getRaw(ref, o.signal);
      if (d.spec?.paused) {
        throw new AppError({
          code: 'kube_rollback_paused',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" is paused; resume it before rolling back (kubectl rollout resume deployment/${ref.name} -n ${ref.namespace}).`,
        });
      }
      const owned = await ownedReplicaSets(ref, d, o.signal);
      const target = owned.find((rs) => revisionOf(rs).revision === revision);
      if (!target?.spec?.template) {
        const known = owned
          .map((rs) => revisionOf(rs).revision)
          .filter((n) => n > 0)
          .sort((a, b) => b - a);
        throw new AppError({
          code: 'kube_revision_not_found',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" has no revision ${revision}; its revisions: ${known.join(', ') || '(none)'}.`,
        });
      }
      const template = withoutHash(target.spec.template);
      if (sameJson(template, withoutHash(d.spec?.template ?? {}))) {
        throw new AppError({
          code: 'kube_already_at_revision',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" already runs the template of revision ${revision}; nothing to roll back.`,
        });
      }
      return patch(ref, { spec: { template: { $patch: 'replace', ...template } } }, o);
    },

    watchDeployment: watch.watchDeployment,

    async close() {
      watch.close();
      await pool.close();
    },
  };
}

/** A pod template without the pod-template-hash label the ReplicaSet controller adds. */
function withoutHash<T extends { metadata?: { labels?: Record<string, string> } }>(template: T): T {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

/** Deep equality of JSON values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
