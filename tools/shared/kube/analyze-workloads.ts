/**
 * Workload analyzers: what is wrong with a Deployment's, StatefulSet's or DaemonSet's own status
 * (replicas available, rollout deadline, pods below desired). Their pods are analysed separately
 * (analyze-pod.ts).
 */

import type { KubeDaemonSet, KubeDeployment, KubeStatefulSet } from '../kube-port.ts';
import type { Finding } from './findings.ts';
import { oneLine } from './objects.ts';

/** Findings about a Deployment's own status (pods are analysed separately). */
export function analyzeDeployment(d: KubeDeployment): Finding[] {
  const out: Finding[] = [];
  const desired = d.spec?.replicas ?? 1;
  const st = d.status;
  const available = st?.availableReplicas ?? 0;
  const updated = st?.updatedReplicas ?? 0;
  const conditions = st?.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const availableCond = conditions.find((c) => c.type === 'Available' && c.status === 'False');
  // Kubernetes' own reason beside the plain words, as `kubectl describe` shows it.
  const why = availableCond?.reason ? ` (${availableCond.reason})` : '';
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    out.push({
      reason: 'ProgressDeadlineExceeded',
      severity: 'error',
      detail: oneLine(progressing.message, 200) || 'rollout timed out',
    });
  }
  if (failure)
    out.push({
      reason: 'ReplicaFailure',
      severity: 'error',
      detail: `${failure.reason ? `${failure.reason}: ` : ''}${oneLine(failure.message, 240) || 'cannot create pods'}`,
    });
  if (desired > 0 && available < desired && !d.spec?.paused) {
    const rollingOut =
      progressing?.status === 'True' &&
      (progressing.reason === 'ReplicaSetUpdated' || progressing.reason === 'NewReplicaSetCreated');
    if (available === 0) {
      out.push({
        reason: 'Unavailable',
        severity: 'critical',
        detail: `0/${desired} replicas available${why}`,
      });
    } else if (rollingOut && out.length === 0) {
      out.push({
        reason: 'RollingOut',
        severity: 'notice',
        detail: `rollout in progress: ${updated}/${desired} updated, ${available} available`,
      });
    } else {
      out.push({
        reason: 'Unavailable',
        severity: 'warning',
        detail: `${available}/${desired} replicas available${why}`,
      });
    }
  }
  return out;
}

export function analyzeStatefulSet(s: KubeStatefulSet): Finding[] {
  const desired = s.spec?.replicas ?? 1;
  const ready = s.status?.readyReplicas ?? 0;
  if (desired === 0 || ready >= desired) return [];
  return [
    {
      reason: 'BelowDesired',
      severity: ready === 0 ? 'critical' : 'warning',
      detail: `${ready}/${desired} replicas ready`,
    },
  ];
}

export function analyzeDaemonSet(ds: KubeDaemonSet): Finding[] {
  const st = ds.status;
  const desired = st?.desiredNumberScheduled ?? 0;
  const ready = st?.numberReady ?? 0;
  const out: Finding[] = [];
  if (desired > 0 && ready < desired) {
    out.push({
      reason: 'BelowDesired',
      severity: ready === 0 ? 'critical' : 'warning',
      detail: `${ready}/${desired} pods ready${st?.numberUnavailable ? `, ${st.numberUnavailable} unavailable` : ''}`,
    });
  }
  if ((st?.numberMisscheduled ?? 0) > 0) {
    out.push({
      reason: 'Misscheduled',
      severity: 'notice',
      detail: `${st?.numberMisscheduled} pods on nodes they should not run on`,
    });
  }
  return out;
}
