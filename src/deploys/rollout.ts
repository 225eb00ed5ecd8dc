/**
 * Rollouts: a Deployment and its ReplicaSets as the deploy flow sees them ({@link snapshotOf},
 * {@link revisionOf}), whether a rollout is done ({@link rolloutStatus}, kubectl's `rollout status`
 * rules), and watching one to the end ({@link watchRollout}) — with the failing pods' reasons when
 * it does not finish, from the same pod analyzers `/ops status` uses.
 */

import { AppError } from '../../tools/shared/errors.ts';
import { analyzePod } from '../../tools/shared/kube/analyze-pod.ts';
import {
  DEFAULT_THRESHOLDS,
  SEVERITY_RANK,
  type Severity,
  type Thresholds,
} from '../../tools/shared/kube/findings.ts';
import { oneLine, selectorToString } from '../../tools/shared/kube/objects.ts';
import type {
  KubeDeployment,
  KubeListOptions,
  KubePod,
  KubePort,
  KubeReplicaSet,
} from '../../tools/shared/kube-port.ts';
import type {
  DeploymentRef,
  DeploymentSnapshot,
  KubeDeployPort,
  ReplicaSetRevision,
} from './kube-deploy-port.ts';

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

/** A pod of the rollout that is not Ready, and why (from the pod analyzers). */
export interface FailingPod {
  pod: string;
  /** `ImagePullBackOff`, `CrashLoopBackOff`, `Unschedulable`, `ContainerCreating`, `NotReady`, … */
  reason: string;
  /** The evidence: image and pull error, exit code and restarts, the scheduler's message, … */
  detail: string;
  container?: string;
}

export interface RolloutWatchOptions {
  /** The generation the change produced (setImage/rollbackTo's returned `generation`). */
  fromGeneration: number;
  /**
   * Accepted for callers that have one; the watch always starts from a fresh read of the Deployment
   * (so a second worker resuming a job sees the current state, even a rollout that finished while
   * nobody watched) and watches from that read's resourceVersion.
   */
  resourceVersion?: string;
  /** Gives up after this long with outcome `timeout` (from this call, not from the change). */
  timeoutMs: number;
  /** Stops the watch; the call then rejects with AppError `cancelled`. */
  signal: AbortSignal;
  /** Called with the first status and then on every change of phase, counts or text. */
  onProgress(status: RolloutStatus, snapshot: DeploymentSnapshot): void;
  /** At most this many failing pods in the result, worst first (default 10). */
  maxFailingPods?: number;
}

export interface RolloutWatchResult {
  outcome: 'complete' | 'failed' | 'timeout';
  /** The last state seen. */
  snapshot: DeploymentSnapshot;
  status: RolloutStatus;
  /** On failure/timeout: the new ReplicaSet's pods that are not Ready, worst first (capped). */
  failingPods: FailingPod[];
  /** How many failing pods there were before the cap. */
  failingPodsTotal: number;
  /** Why the pods could not be listed (e.g. RBAC), when they could not. */
  podsError?: string;
  /**
   * The Deployment's generation moved past `fromGeneration`: someone changed it again after this
   * change, and the outcome is that of the newer change (compare `snapshot.containers`).
   */
  superseded: boolean;
}

/** A failed rollout's pods are suspect at once: no grace period for not-ready or creating pods. */
const ROLLOUT_THRESHOLDS: Thresholds = { ...DEFAULT_THRESHOLDS, notReadyAfterMs: 0, stuckCreatingAfterMs: 0 };

/**
 * Watches a rollout to its end: `complete`, `failed` (ProgressDeadlineExceeded), or `timeout` after
 * `timeoutMs`. Reads the Deployment first, so it is resumable — a second worker calling it later
 * with the same `fromGeneration` picks up wherever the rollout is — then follows the port's watch
 * (which resumes dropped connections itself). On failure or timeout it lists the pods of the
 * newest ReplicaSet (the Deployment's selector plus its pod-template-hash) and says why each
 * unready one is failing. Errors from the port (403 on watch, the Deployment deleted) reject.
 */
export async function watchRollout(
  port: KubeDeployPort & Pick<KubePort, 'list'>,
  ref: DeploymentRef,
  opts: RolloutWatchOptions,
): Promise<RolloutWatchResult> {
  if (opts.signal.aborted) throw cancelledError(opts.signal);
  const timedOut = new AbortController();
  const timer = setTimeout(() => timedOut.abort(), Math.max(0, opts.timeoutMs));
  const signal = AbortSignal.any([opts.signal, timedOut.signal]);
  let snapshot: DeploymentSnapshot | undefined;
  let status: RolloutStatus | undefined;
  let last = '';
  const observe = (s: DeploymentSnapshot): boolean => {
    snapshot = s;
    status = rolloutStatus(s, { fromGeneration: opts.fromGeneration });
    const key = JSON.stringify(status);
    if (key !== last) {
      last = key;
      opts.onProgress(status, s);
    }
    return status.phase !== 'progressing';
  };
  try {
    let done = false;
    try {
      done = observe(await port.getDeployment(ref, signal));
      // The port's watch resumes by itself and ends only when the signal aborts; should it end
      // anyway, watch again from the last state seen.
      while (!done && !signal.aborted) {
        const from = snapshot?.resourceVersion;
        const watch = port.watchDeployment(ref, from ? { resourceVersion: from, signal } : { signal });
        for await (const s of watch) {
          if (observe(s)) {
            done = true;
            break;
          }
        }
      }
    } catch (e) {
      // The timeout (or the caller) aborting a request in flight surfaces as `cancelled`.
      if (!signal.aborted) throw e;
    }
    if (opts.signal.aborted) throw cancelledError(opts.signal);
    if (!snapshot || !status) throw cancelledError(signal);
    const final: RolloutStatus = status;
    const snap: DeploymentSnapshot = snapshot;
    const outcome = done ? (final.phase === 'complete' ? 'complete' : 'failed') : 'timeout';
    const result: RolloutWatchResult = {
      outcome,
      snapshot: snap,
      status: final,
      failingPods: [],
      failingPodsTotal: 0,
      superseded: snap.generation > opts.fromGeneration,
    };
    if (outcome !== 'complete') {
      try {
        const pods = await failingPods(port, ref, snap, opts.signal, opts.maxFailingPods ?? 10);
        result.failingPods = pods.pods;
        result.failingPodsTotal = pods.total;
      } catch (e) {
        if (opts.signal.aborted) throw cancelledError(opts.signal);
        result.podsError = e instanceof AppError ? e.userMessage : (e as Error).message;
      }
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function cancelledError(signal: AbortSignal): AppError {
  return new AppError({
    code: 'cancelled',
    userMessage: 'Watching the rollout was cancelled.',
    cause: signal.reason,
  });
}

/**
 * The newest ReplicaSet's pods that are not Ready, each with the analyzers' reason (ImagePullBackOff
 * and the image, CrashLoopBackOff and the exit code, Unschedulable and the scheduler's message…).
 */
export async function failingPods(
  port: KubeDeployPort & Pick<KubePort, 'list'>,
  ref: DeploymentRef,
  snapshot: DeploymentSnapshot,
  signal: AbortSignal | undefined,
  max = 10,
): Promise<{ pods: FailingPod[]; total: number }> {
  const revisions = await port.listRevisions(ref, signal);
  const hash = revisions[0]?.podTemplateHash;
  const selector = [snapshot.labelSelector, hash ? `${POD_TEMPLATE_HASH}=${hash}` : '']
    .filter(Boolean)
    .join(',');
  const now = Date.now();
  const found: (FailingPod & { rank: number })[] = [];
  const listOpts: KubeListOptions = { namespace: ref.namespace, labelSelector: selector };
  if (ref.cluster) listOpts.cluster = ref.cluster;
  if (signal) listOpts.signal = signal;
  for await (const page of port.list('pods', listOpts)) {
    for (const pod of page.items) {
      const f = describeUnready(pod, now);
      if (f) found.push(f);
    }
  }
  found.sort((a, b) => a.rank - b.rank || a.pod.localeCompare(b.pod));
  return { pods: found.slice(0, max).map(({ rank: _rank, ...p }) => p), total: found.length };
}

function isReady(pod: KubePod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function describeUnready(pod: KubePod, now: number): (FailingPod & { rank: number }) | undefined {
  if (pod.metadata?.deletionTimestamp || isReady(pod) || pod.status?.phase === 'Succeeded') return undefined;
  const name = pod.metadata?.name ?? '';
  const f = analyzePod(pod, now, ROLLOUT_THRESHOLDS);
  if (f) {
    const out: FailingPod & { rank: number } = {
      pod: name,
      reason: f.reason,
      detail: f.detail,
      rank: SEVERITY_RANK[f.severity],
    };
    if (f.container) out.container = f.container;
    return out;
  }
  const phase = pod.status?.phase ?? 'Unknown';
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  const severity: Severity = 'warning';
  return {
    pod: name,
    reason: waiting?.reason ?? (phase === 'Running' ? 'NotReady' : phase),
    detail: oneLine(waiting?.message || ready?.message || `${phase}, not Ready`, 200),
    rank: SEVERITY_RANK[severity],
  };
}
