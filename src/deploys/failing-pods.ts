/**
 * Why a rollout's new pods are not Ready: the newest ReplicaSet's pods, each with the reason the pod
 * analyzers give (the same ones `/ops status` uses), worst first.
 */

import { analyzePod } from '../../tools/shared/kube/analyze-pod.ts';
import {
  DEFAULT_THRESHOLDS,
  SEVERITY_RANK,
  type Severity,
  type Thresholds,
} from '../../tools/shared/kube/findings.ts';
import { oneLine } from '../../tools/shared/kube/objects.ts';
import type { KubeListOptions, KubePod, KubePort } from '../../tools/shared/kube-port.ts';
import type { DeploymentRef, DeploymentSnapshot, KubeDeployPort } from './kube-deploy-port.ts';
import { POD_TEMPLATE_HASH } from './rollout.ts';

/** A pod of the rollout that is not Ready, and why (from the pod analyzers). */
export interface FailingPod {
  pod: string;
  /** `ImagePullBackOff`, `CrashLoopBackOff`, `Unschedulable`, `ContainerCreating`, `NotReady`, … */
  reason: string;
  /** The evidence: image and pull error, exit code and restarts, the scheduler's message, … */
  detail: string;
  container?: string;
}

/** A failed rollout's pods are suspect at once: no grace period for not-ready or creating pods. */
const ROLLOUT_THRESHOLDS: Thresholds = { ...DEFAULT_THRESHOLDS, notReadyAfterMs: 0, stuckCreatingAfterMs: 0 };

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
