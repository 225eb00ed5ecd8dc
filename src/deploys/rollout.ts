/**
 * Rollouts: a Deployment and its ReplicaSets as the deploy flow sees them ({@link snapshotOf},
 * {@link revisionOf}), whether a rollout is done ({@link rolloutStatus}, kubectl's `rollout status`
 * rules). Watching one to its end is watch-rollout.ts; why its pods fail, failing-pods.ts.
 */

import { oneLine, selectorToString } from '../../tools/shared/kube/objects.ts';
import type { KubeDeployment, KubeReplicaSet } from '../../tools/shared/kube-port.ts';
import type { DeploymentSnapshot, ReplicaSetRevision } from './kube-deploy-port.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
/** The Progressing condition's reason once `progressDeadlineSeconds` passed without progress. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

function revisionNumber(annotations: Record<string, string> | undefined): number {
  const n = Number.parseInt(annotations?.[REVISION_ANNOTATION] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** The deploy flow's view of a Deployment as the API returned it. */
export function snapshotOf(d: KubeDeployment): DeploymentSnapshot {
  const meta = d.metadata ?? {};
  const spec = d.spec;
  const st = d.status ?? {};
  const replicas = spec?.replicas ?? 1;
  return {
    name: meta.name ?? '',
    namespace: meta.namespace ?? '',
    uid: meta.uid ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    generation: meta.generation ?? 0,
    observedGeneration: st.observedGeneration ?? 0,
    replicas,
    totalReplicas: st.replicas ?? 0,
    updatedReplicas: st.updatedReplicas ?? 0,
    readyReplicas: st.readyReplicas ?? 0,
    availableReplicas: st.availableReplicas ?? 0,
    unavailableReplicas: st.unavailableReplicas ?? 0,
    revision: revisionNumber(meta.annotations),
    containers: (spec?.template?.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '' })),
    conditions: (st.conditions ?? []).map((c) => {
      const out: DeploymentSnapshot['conditions'][number] = { type: c.type, status: c.status };
      if (c.reason) out.reason = c.reason;
      if (c.message) out.message = c.message;
      if (c.lastUpdateTime) out.lastUpdateTime = c.lastUpdateTime;
      return out;
    }),
    progressDeadlineSeconds: spec?.progressDeadlineSeconds ?? 600,
    paused: spec?.paused ?? false,
    selector: { ...(spec?.selector?.matchLabels ?? {}) },
    labelSelector: selectorToString(spec?.selector),
  };
}

/** One ReplicaSet as a rollout-history entry. */
export function revisionOf(rs: KubeReplicaSet): ReplicaSetRevision {
  const meta = rs.metadata ?? {};
  const out: ReplicaSetRevision = {
    name: meta.name ?? '',
    revision: revisionNumber(meta.annotations),
    images: (rs.spec?.template?.spec?.containers ?? []).map((c) => ({
      container: c.name,
      image: c.image ?? '',
    })),
    createdAt: meta.creationTimestamp ?? '',
    replicas: rs.spec?.replicas ?? 1,
    readyReplicas: rs.status?.readyReplicas ?? 0,
  };
  const hash = meta.labels?.[POD_TEMPLATE_HASH];
  if (hash) out.podTemplateHash = hash;
  return out;
}

/** Whether `rs` is controlled by the Deployment with `uid` (its ownerReferences). */
export function ownedBy(rs: KubeReplicaSet, uid: string): boolean {
  return (rs.metadata?.ownerReferences ?? []).some((o) => o.uid === uid && o.kind === 'Deployment');
}

export interface RolloutStatus {
  phase: 'progressing' | 'complete' | 'failed';
  /** spec.replicas. (While `reason` is `NotObserved`, the other counts are still the previous rollout's.) */
  desired: number;
  /** Pods of the new ReplicaSet (status.updatedReplicas). */
  updated: number;
  ready: number;
  available: number;
  /** Pods of old ReplicaSets still there (status.replicas − updatedReplicas). */
  old: number;
  /** One line for people: kubectl's wording, with the counts. */
  text: string;
  /**
   * Why it is not complete: `NotObserved` (the controller has not acted on the change yet),
   * `ProgressDeadlineExceeded`, `ReplicaFailure` (pods cannot be created, e.g. a quota), `Paused`,
   * `Updating`, `OldReplicasPending`, `Unavailable`.
   */
  reason?: string;
}

/**
 * kubectl's `rollout status` for a Deployment: complete once the controller has observed the
 * current generation (and `fromGeneration`, when given — the change being watched), every desired
 * replica is updated, no old replica is left and the updated ones are available; failed when the
 * Progressing condition says `ProgressDeadlineExceeded`; progressing otherwise.
 */
export function rolloutStatus(d: DeploymentSnapshot, opts: { fromGeneration?: number } = {}): RolloutStatus {
  const base = {
    desired: d.replicas,
    updated: d.updatedReplicas,
    ready: d.readyReplicas,
    available: d.availableReplicas,
    old: Math.max(0, d.totalReplicas - d.updatedReplicas),
  };
  const name = `deployment "${d.name}"`;
  const progressing = (reason: string, text: string): RolloutStatus => ({
    ...base,
    phase: 'progressing',
    reason,
    text,
  });
  if (d.observedGeneration < d.generation || d.observedGeneration < (opts.fromGeneration ?? 0)) {
    return progressing('NotObserved', `Waiting for ${name} spec update to be observed…`);
  }
  const cond = d.conditions.find((c) => c.type === 'Progressing');
  if (cond?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return {
      ...base,
      phase: 'failed',
      reason: PROGRESS_DEADLINE_EXCEEDED,
      text: `${cap(name)} exceeded its progress deadline (${d.progressDeadlineSeconds} s): ${base.updated} of ${base.desired} new replicas updated, ${base.available} available${cond.message ? ` (${oneLine(cond.message, 160)})` : ''}`,
    };
  }
  const failure = d.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const paused = d.paused ? ' (rollout paused)' : '';
  const because = failure
    ? `; pods cannot be created: ${oneLine(failure.message, 200) || failure.reason}`
    : '';
  const reason = (r: string) => (failure ? 'ReplicaFailure' : d.paused ? 'Paused' : r);
  if (base.updated < base.desired) {
    return progressing(
      reason('Updating'),
      `Waiting for ${name} rollout to finish: ${base.updated} out of ${base.desired} new replicas have been updated${paused}${because}`,
    );
  }
  if (base.old > 0) {
    return progressing(
      reason('OldReplicasPending'),
      `Waiting for ${name} rollout to finish: ${base.old} old replica${base.old === 1 ? ' is' : 's are'} pending termination${paused}${because}`,
    );
  }
  if (base.available < base.updated) {
    return progressing(
      reason('Unavailable'),
      `Waiting for ${name} rollout to finish: ${base.available} of ${base.updated} updated replicas are available${paused}${because}`,
    );
  }
  return {
    ...base,
    phase: 'complete',
    text: `${cap(name)} successfully rolled out (${base.available}/${base.desired} available)`,
  };
}

function cap(s: string): string {
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
}
