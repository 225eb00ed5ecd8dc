/**
 * The pod analyzer: looks at one pod's real status fields (phase, container states, conditions) and
 * says what, if anything, is worst about it — the rules k8sgpt-style analyzers apply, written against
 * the API's field shapes. A pure function of (pod, now, thresholds); the streaming accumulator groups
 * its output.
 */

import type { V1Container, V1ContainerStatus } from '@kubernetes/client-node';
import type { KubePod, Wire } from '../kube-port.ts';
import { DEFAULT_THRESHOLDS, type Finding, SEVERITY_RANK, type Thresholds } from './findings.ts';
import { formatAge, oneLine, toMillis } from './objects.ts';

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
  const containers: Finding[] = [];
  for (const cs of st?.initContainerStatuses ?? []) {
    const f = containerFinding(pod, cs, true, now, t);
    if (f) containers.push(f);
  }
  for (const cs of st?.containerStatuses ?? []) {
    const f = containerFinding(pod, cs, false, now, t);
    if (f) containers.push(f);
  }
  for (const f of containers) consider(f);
  if (best && SEVERITY_RANK[best.severity] <= SEVERITY_RANK.error)
    return withOtherContainers(best, containers);

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
        detail: `running but not Ready for ${formatAge(now - since)}${ready.reason ? ` (${ready.reason})` : ''}${unready.length ? `: containers ${unready.join(', ')} failing readiness` : ''}`,
      });
    }
  }
  return best && withOtherContainers(best, containers);
}

/**
 * A pod's finding names its worst container (`container`, `detail`); every other failing container
 * (sidecars crash-looping too) is named after it with its own reason, exit code and restarts, so
 * the summary reads like `kubectl describe pod`: `…; also sidecar: CrashLoopBackOff, exit 137 (OOMKilled), 4 restarts`.
 */
function withOtherContainers(best: Finding, containers: readonly Finding[]): Finding {
  const others = containers.filter(
    (f) =>
      f !== best &&
      f.container &&
      f.container !== best.container &&
      SEVERITY_RANK[f.severity] <= SEVERITY_RANK.warning,
  );
  if (!others.length) return best;
  const also = others.map((f) => `${f.container}: ${f.reason}, ${f.detail}`).join('; ');
  return { ...best, detail: `${best.detail}; also ${also}` };
}
