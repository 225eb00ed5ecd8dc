/**
 * Per-object analyzers: each looks at one object's real status fields and says what, if anything, is
 * wrong with it — the rules k8sgpt-style analyzers apply, written against the API's field shapes.
 * Pure functions of (object, now, thresholds); the streaming accumulator groups their output.
 */

import type { V1Container, V1ContainerStatus } from '@kubernetes/client-node';
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEvent,
  KubeNode,
  KubePod,
  KubeStatefulSet,
  Wire,
} from '../kube-port.ts';
import { formatAge, oneLine, toMillis } from './objects.ts';

/** How bad a finding is; rendering orders by this, worst first. */
export type Severity = 'critical' | 'error' | 'warning' | 'notice';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 0,
  error: 1,
  warning: 2,
  notice: 3,
};

export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'notice'];

export function worse(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

export interface Thresholds {
  /** A Running pod not Ready for longer than this is a problem (default 5 min). */
  notReadyAfterMs: number;
  /** A pod still creating containers after this is stuck (default 10 min). */
  stuckCreatingAfterMs: number;
  /** Past restarts (OOMKilled, crashes) older than this are history, not news (default 1 h). */
  recentMs: number;
  /** Warning events last seen longer ago than this are ignored (default 1 h). */
  eventWindowMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  notReadyAfterMs: 5 * 60_000,
  stuckCreatingAfterMs: 10 * 60_000,
  recentMs: 60 * 60_000,
  eventWindowMs: 60 * 60_000,
};

/** One thing wrong with one object. `detail` is the evidence, quoted from the object's status. */
export interface Finding {
  reason: string;
  severity: Severity;
  detail: string;
  container?: string;
}

const IMAGE_PULL = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
]);
const CONTAINER_ERRORS = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreCreateHookError',
  'PostStartHookError',
  'PreStartHookError',
  'StartError',
]);
const CREATING = new Set(['ContainerCreating', 'PodInitializing']);

/** `registry/app:tag` pull failure cause from the kubelet's message: "not found", "unauthorized", … */
function pullCause(message: string | undefined): string {
  if (!message) return '';
  const m =
    /(not found|manifest unknown|unauthorized|authentication required|denied|no such host|i\/o timeout|toomanyrequests|x509[^"]*)/i.exec(
      message,
    );
  return m ? (m[1] as string).toLowerCase() : '';
}

function memoryLimit(pod: KubePod, container: string): string | undefined {
  const c: Wire<V1Container> | undefined = pod.spec?.containers?.find((x) => x.name === container);
  return c?.resources?.limits?.memory;
}

function containerFinding(
  pod: KubePod,
  cs: Wire<V1ContainerStatus>,
  init: boolean,
  now: number,
  t: Thresholds,
): Finding | undefined {
  const prefix = init ? 'Init:' : '';
  const waiting = cs.state?.waiting;
  const last = cs.lastState?.terminated;
  const restarts = cs.restartCount ?? 0;
  if (waiting?.reason) {
    const reason = waiting.reason;
    if (reason === 'CrashLoopBackOff') {
      if (last?.reason === 'OOMKilled') {
        const limit = memoryLimit(pod, cs.name);
        return {
          reason: `${prefix}OOMKilled`,
          severity: 'error',
          container: cs.name,
          detail: `OOMKilled (exit ${last.exitCode})${limit ? ` at limit ${limit}` : ''}, ${restarts} restarts, crash-looping`,
        };
      }
      const exit = last ? `exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : 'no exit status';
      const msg = last?.message ? `: ${oneLine(last.message, 120)}` : '';
      return {
        reason: `${prefix}CrashLoopBackOff`,
        severity: 'error',
        container: cs.name,
        detail: `${exit}, ${restarts} restarts${msg}`,
      };
    }
    if (IMAGE_PULL.has(reason)) {
      const cause = pullCause(waiting.message);
      return {
        reason: `${prefix}${reason}`,
        severity: 'error',
        container: cs.name,
        detail: `image "${cs.image}"${cause ? ` ${cause}` : ''}`,
      };
    }
    if (CONTAINER_ERRORS.has(reason)) {
      return {
        reason: `${prefix}${reason}`,
        severity: 'error',
        container: cs.name,
        detail: oneLine(waiting.message || reason, 200),
      };
    }
    if (CREATING.has(reason)) {
      const created = toMillis(pod.metadata?.creationTimestamp);
      if (created !== undefined && now - created > t.stuckCreatingAfterMs) {
        return {
          reason: `${prefix}${reason}`,
          severity: 'warning',
          container: cs.name,
          detail: `still ${reason} after ${formatAge(now - created)}${waiting.message ? `: ${oneLine(waiting.message, 120)}` : ''}`,
        };
      }
      return undefined;
    }
    return {
      reason: `${prefix}${reason}`,
      severity: 'warning',
      container: cs.name,
      detail: oneLine(waiting.message || reason, 200),
    };
  }
  if (init) {
    const term = cs.state?.terminated;
    if (term && term.exitCode !== 0) {
      return {
        reason: 'Init:Error',
        severity: 'error',
        container: cs.name,
        detail: `exit ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`,
      };
    }
    return undefined;
  }
  if (cs.state?.running && last) {
    const finished = toMillis(last.finishedAt);
    if (finished !== undefined && now - finished <= t.recentMs) {
      if (last.reason === 'OOMKilled') {
        const limit = memoryLimit(pod, cs.name);
        return {
          reason: 'OOMKilled',
          severity: 'warning',
          container: cs.name,
          detail: `OOMKilled ${formatAge(now - finished)} ago${limit ? ` at limit ${limit}` : ''}, running again, ${restarts} restarts`,
        };
      }
      if (restarts >= 3) {
        return {
          reason: 'Restarting',
          severity: 'notice',
          container: cs.name,
          detail: `${restarts} restarts, last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''} ${formatAge(now - finished)} ago`,
        };
      }
    }
  }
  return undefined;
}

/** What is worst about a pod, or undefined when it is fine (or finished successfully). */
export function analyzePod(
  pod: KubePod,
  now: number,
  t: Thresholds = DEFAULT_THRESHOLDS,
): Finding | undefined {
  const st = pod.status;
  const phase = st?.phase;
  if (phase === 'Succeeded') return undefined;
  if (phase === 'Failed') {
    if (st?.reason === 'Evicted')
      return { reason: 'Evicted', severity: 'warning', detail: oneLine(st.message, 200) || 'evicted' };
    const term = st?.containerStatuses?.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0)
      ?.state?.terminated;
    const detail = term
      ? `exit ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`
      : oneLine(st?.message || st?.reason, 200);
    return { reason: st?.reason || 'Failed', severity: 'warning', detail: detail || 'pod failed' };
  }
  const deleted = toMillis(pod.metadata?.deletionTimestamp);
  if (deleted !== undefined) {
    const grace = (pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000;
    if (now - deleted > grace + t.notReadyAfterMs) {
      return {
        reason: 'Terminating',
        severity: 'warning',
        detail: `stuck terminating for ${formatAge(now - deleted)}`,
      };
    }
    return undefined;
  }

  let best: Finding | undefined;
  const consider = (f: Finding | undefined): void => {
    if (f && (!best || SEVERITY_RANK[f.severity] < SEVERITY_RANK[best.severity])) best = f;
  };
  for (const cs of st?.initContainerStatuses ?? []) consider(containerFinding(pod, cs, true, now, t));
  for (const cs of st?.containerStatuses ?? []) consider(containerFinding(pod, cs, false, now, t));
  if (best && SEVERITY_RANK[best.severity] <= SEVERITY_RANK.error) return best;

  const scheduled = st?.conditions?.find((c) => c.type === 'PodScheduled');
  if (phase === 'Pending' && scheduled?.status === 'False') {
    const since = toMillis(scheduled.lastTransitionTime);
    const msg = oneLine((scheduled.message ?? '').split(' preemption:')[0], 240);
    consider({
      reason: scheduled.reason === 'Unschedulable' ? 'Unschedulable' : scheduled.reason || 'NotScheduled',
      severity: scheduled.reason === 'Unschedulable' ? 'error' : 'notice',
      detail: `${msg || 'not scheduled'}${since !== undefined ? ` (pending ${formatAge(now - since)})` : ''}`,
    });
  }
  if (phase === 'Running') {
    const ready = st?.conditions?.find((c) => c.type === 'Ready');
    const since = toMillis(ready?.lastTransitionTime);
    if (ready?.status === 'False' && since !== undefined && now - since > t.notReadyAfterMs) {
      const unready = st?.containerStatuses?.filter((c) => !c.ready).map((c) => c.name) ?? [];
      consider({
        reason: 'NotReady',
        severity: 'warning',
        container: unready[0],
        detail: `running but not Ready for ${formatAge(now - since)}${unready.length ? ` (containers ${unready.join(', ')}: failing readiness)` : ''}`,
      });
    }
  }
  return best;
}

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
      detail: oneLine(failure.message, 240) || 'cannot create pods',
    });
  if (desired > 0 && available < desired && !d.spec?.paused) {
    const rollingOut =
      progressing?.status === 'True' &&
      (progressing.reason === 'ReplicaSetUpdated' || progressing.reason === 'NewReplicaSetCreated');
    if (available === 0) {
      out.push({ reason: 'Unavailable', severity: 'critical', detail: `0/${desired} replicas available` });
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
        detail: `${available}/${desired} replicas available`,
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

const NODE_PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** Node conditions worth waking someone for; one finding per bad condition. */
export function analyzeNode(n: KubeNode, now: number): Finding[] {
  const out: Finding[] = [];
  const conditions = n.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const since = toMillis(ready?.lastTransitionTime);
    const reason = ready?.status === 'Unknown' ? 'NodeUnknown' : 'NodeNotReady';
    out.push({
      reason,
      severity: 'critical',
      detail: `${ready?.status === 'Unknown' ? 'Unknown' : 'NotReady'}${since !== undefined ? ` for ${formatAge(now - since)}` : ''}: ${oneLine(ready?.message, 160) || 'no Ready condition'}`,
    });
    return out;
  }
  for (const type of NODE_PRESSURE) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status === 'True')
      out.push({ reason: type, severity: 'warning', detail: oneLine(c.message, 160) || type });
  }
  const net = conditions.find((c) => c.type === 'NetworkUnavailable');
  if (net?.status === 'True')
    out.push({
      reason: 'NetworkUnavailable',
      severity: 'error',
      detail: oneLine(net.message, 160) || 'network unavailable',
    });
  return out;
}

export function nodeIsReady(n: KubeNode): boolean {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** When an event last happened: series, then lastTimestamp, then eventTime, then creation. */
export function eventLastSeen(e: KubeEvent): number | undefined {
  return (
    toMillis(e.series?.lastObservedTime) ??
    toMillis(e.lastTimestamp) ??
    toMillis(e.eventTime) ??
    toMillis(e.metadata?.creationTimestamp)
  );
}

export function eventCount(e: KubeEvent): number {
  return e.series?.count ?? e.count ?? 1;
}

/** Warning-event reasons that are a problem by themselves, even on an otherwise healthy workload. */
export const SERIOUS_EVENT_REASONS: ReadonlySet<string> = new Set([
  'FailedCreate',
  'FailedMount',
  'FailedAttachVolume',
  'FailedScheduling',
  'FailedCreatePodSandBox',
  'OOMKilling',
  'SystemOOM',
  'Evicted',
  'NodeNotReady',
  'EvictionThresholdMet',
  'FreeDiskSpaceFailed',
  'ImageGCFailed',
]);
