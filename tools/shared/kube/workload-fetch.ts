/**
 * The reads workload_details makes once it knows its target: the workload's replica counts, which
 * pods are really its own, the events about it and its pod, and the chosen container's log tail.
 */

import { isAppError } from '../errors.ts';
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEvent,
  KubePod,
  KubePort,
  KubeStatefulSet,
} from '../kube-port.ts';
import type { Ports } from '../ports.ts';
import { analyzeDaemonSet, analyzeDeployment, analyzeStatefulSet } from './analyze-workloads.ts';
import type { Finding } from './findings.ts';
import { controllerOf } from './objects.ts';
import { type EventInfo, recentEvents, tailLog } from './pod-details.ts';
import type { TargetKind, Workload } from './resolve-target.ts';
import type { WorkloadDetailsResult } from './workload-details-result.ts';

const DEFAULT_TAIL = 50;
const LOG_CHAR_BUDGET = 8000;
const MAX_EVENTS = 10;

/** Desired and ready replicas of a workload, and the findings about its own status. */
export function workloadCounts(
  kind: TargetKind,
  w: Workload,
): { desired: number; ready: number; findings: Finding[] } {
  if (kind === 'Deployment') {
    const d = w as KubeDeployment;
    return {
      desired: d.spec?.replicas ?? 1,
      ready: d.status?.readyReplicas ?? 0,
      findings: analyzeDeployment(d),
    };
  }
  if (kind === 'StatefulSet') {
    const s = w as KubeStatefulSet;
    return {
      desired: s.spec?.replicas ?? 1,
      ready: s.status?.readyReplicas ?? 0,
      findings: analyzeStatefulSet(s),
    };
  }
  const ds = w as KubeDaemonSet;
  return {
    desired: ds.status?.desiredNumberScheduled ?? 0,
    ready: ds.status?.numberReady ?? 0,
    findings: analyzeDaemonSet(ds),
  };
}

/** Is `pod` really this workload's (a selector can match strangers)? */
export function ownedBy(pod: KubePod, kind: TargetKind, name: string): boolean {
  const owner = controllerOf(pod.metadata);
  if (!owner) return false;
  if (kind === 'Deployment') return owner.kind === 'ReplicaSet' && owner.name.startsWith(`${name}-`);
  return owner.kind === kind && owner.name === name;
}

/**
 * The newest events (at most 10) about the objects `names` (one page, 100 per object). Forbidden
 * events are not an error: a note says so and the list is empty.
 */
export async function collectEvents(
  kube: KubePort,
  names: string[],
  base: { cluster?: string; namespace: string; signal: AbortSignal },
  notes: string[],
): Promise<EventInfo[]> {
  const all: KubeEvent[] = [];
  try {
    await Promise.all(
      names.map(async (name) => {
        for await (const page of kube.list('events', {
          ...base,
          fieldSelector: `involvedObject.name=${name}`,
          limit: 100,
        })) {
          all.push(...page.items);
          if (page.endOfPage) break; // one page, 100 per object, is plenty
        }
      }),
    );
  } catch (e) {
    if (isAppError(e) && e.code === 'kube_forbidden') {
      notes.push(`Events not shown: ${e.userMessage}`);
      return [];
    }
    throw e;
  }
  return recentEvents(all, MAX_EVENTS);
}

/** Has the container ever run (so that it has a log)? */
export function hasStarted(pod: KubePod, container: string): boolean {
  const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  return Boolean(cs && (cs.state?.running || cs.state?.terminated || cs.lastState?.terminated));
}

/**
 * The last `inp.tailLines` (default 50) log lines of `choice.container`, redacted and within 8,000
 * characters. When the previous instance was chosen (not asked for) and is gone, the current one
 * instead. Forbidden, bad-request and not-found answers become a note and `undefined`.
 */
export async function readLogs(
  kube: KubePort,
  deps: Ports,
  pod: KubePod,
  choice: { container: string; previous: boolean; why: string },
  inp: { tailLines?: number; previous?: boolean },
  base: { cluster?: string; signal: AbortSignal },
  notes: string[],
): Promise<WorkloadDetailsResult['logs']> {
  const tail = inp.tailLines ?? DEFAULT_TAIL;
  const ref = {
    ...base,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    container: choice.container,
  };
  const read = (previous: boolean) =>
    kube.readPodLog({ ...ref, tailLines: tail, previous, limitBytes: 256 * 1024 });
  let previous = choice.previous;
  let why = choice.why;
  let text: string;
  try {
    text = await read(previous);
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (previous && e.code === 'kube_bad_request' && inp.previous === undefined) {
      // No previous instance after all (e.g. it was garbage-collected): show the current one.
      previous = false;
      why = `${why}; no previous instance is kept, so the current one`;
      try {
        text = await read(false);
      } catch (e2) {
        if (!isAppError(e2)) throw e2;
        notes.push(`Logs not shown: ${e2.userMessage}`);
        return undefined;
      }
    } else if (e.code === 'kube_forbidden' || e.code === 'kube_bad_request' || e.code === 'kube_not_found') {
      notes.push(`Logs not shown: ${e.userMessage}`);
      return undefined;
    } else throw e;
  }
  const t = tailLog(text, deps.redact, { maxLines: tail, maxChars: LOG_CHAR_BUDGET });
  return { container: choice.container, previous, why, lines: t.lines, dropped: t.dropped };
}
