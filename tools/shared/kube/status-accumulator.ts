/**
 * The streaming cluster-status analysis: feed it pages of pods, workloads, nodes and Warning events
 * in any order as they arrive, then `finish()` for a report of counts and problems grouped by owning
 * workload, worst first.
 *
 * Memory is bounded by the number of *problem groups* and *workloads*, never by the number of pods:
 * a pod is counted and, if something is wrong, folded into its owner's group (at most `maxExamples`
 * example pods each); healthy pods leave nothing behind. Pods are grouped by their controlling owner
 * as they stream in; ReplicaSet groups are resolved to their Deployment at `finish()` via the
 * ReplicaSets seen (ownerReferences), falling back to the `pod-template-hash` naming rule when the
 * ReplicaSets could not be listed.
 */

import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEvent,
  KubeNode,
  KubePod,
  KubeReplicaSet,
  KubeStatefulSet,
} from '../kube-port.ts';
import { analyzeNode, nodeIsReady } from './analyze-node.ts';
import { analyzePod } from './analyze-pod.ts';
import { analyzeDaemonSet, analyzeDeployment, analyzeStatefulSet } from './analyze-workloads.ts';
import { eventCount, eventLastSeen, SERIOUS_EVENT_REASONS } from './events.ts';
import {
  DEFAULT_THRESHOLDS,
  type Finding,
  SEVERITIES,
  SEVERITY_RANK,
  type Severity,
  type Thresholds,
  worse,
} from './findings.ts';
import {
  controllerOf,
  deploymentFromReplicaSetName,
  objectKey,
  oneLine,
  stripGeneratedSuffix,
} from './objects.ts';
import {
  addExample,
  compareProblems,
  type EventAgg,
  type Group,
  mergeGroup,
  tally,
  toProblem,
} from './problem-group.ts';
import type { StatusCounts, StatusReport, WorkloadKind } from './status-report.ts';

export interface StatusAccumulatorOptions {
  /** Analysis time in ms since the epoch (default now). */
  now?: number;
  thresholds?: Partial<Thresholds>;
  /** Example pods kept per problem group (default 3). */
  maxExamples?: number;
  /** Problem groups kept while streaming; further problems are only counted (default 2,000). */
  maxGroups?: number;
  /** Distinct (reason, object) Warning-event pairs kept (default 2,000). */
  maxEventKeys?: number;
  /** Problems in the report (default 40). */
  maxProblems?: number;
}

export interface StatusAccumulator {
  addPods(pods: readonly KubePod[]): void;
  addDeployments(items: readonly KubeDeployment[]): void;
  addReplicaSets(items: readonly KubeReplicaSet[]): void;
  addStatefulSets(items: readonly KubeStatefulSet[]): void;
  addDaemonSets(items: readonly KubeDaemonSet[]): void;
  addNodes(items: readonly KubeNode[]): void;
  /** Warning events (others are ignored); older than the event window are ignored too. */
  addEvents(items: readonly KubeEvent[]): void;
  finish(): StatusReport;
}

/** A fresh accumulator; see the module comment for what it keeps and what it bounds. */
export function createStatusAccumulator(opts: StatusAccumulatorOptions = {}): StatusAccumulator {
  const now = opts.now ?? Date.now();
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const maxExamples = opts.maxExamples ?? 3;
  const maxGroups = opts.maxGroups ?? 2000;
  const maxEventKeys = opts.maxEventKeys ?? 2000;
  const maxProblems = opts.maxProblems ?? 40;

  const groups = new Map<string, Group>();
  // Problem groups past `maxGroups` are only counted: distinct keys (bounded too) and their severity.
  const overflow: Record<Severity, number> = { critical: 0, error: 0, warning: 0, notice: 0 };
  const overflowKeys = new Set<string>();
  let overflowObjects = 0;
  const events = new Map<string, EventAgg>();
  let eventTotal = 0;
  /** `ns/rsName` → Deployment name, from ReplicaSets' owner references. */
  const rsToDeployment = new Map<string, string>();
  const workloads: Record<WorkloadKind, Set<string>> = {
    Deployment: new Set(),
    StatefulSet: new Set(),
    DaemonSet: new Set(),
  };
  const counts: StatusCounts = {
    nodes: { total: 0, ready: 0, cordoned: 0 },
    workloads: {
      total: 0,
      healthy: 0,
      byKind: {
        Deployment: { total: 0, healthy: 0 },
        StatefulSet: { total: 0, healthy: 0 },
        DaemonSet: { total: 0, healthy: 0 },
      },
    },
    pods: { total: 0, byPhase: {}, withProblems: 0 },
    events: { distinct: 0, total: 0 },
  };

  const groupFor = (
    namespace: string | undefined,
    kind: string,
    name: string,
    severity: Severity,
  ): Group | undefined => {
    const key = objectKey(namespace, kind, name);
    let g = groups.get(key);
    if (!g) {
      if (groups.size >= maxGroups) {
        overflowObjects += 1;
        if (!overflowKeys.has(key) && overflowKeys.size < maxGroups * 10) {
          overflowKeys.add(key);
          overflow[severity] += 1;
        }
        return undefined;
      }
      g = { kind, name, severity, affected: 0, reasons: new Map(), examples: [], status: [], events: [] };
      if (namespace) g.namespace = namespace;
      groups.set(key, g);
    }
    g.severity = worse(g.severity, severity);
    return g;
  };

  const addWorkloadFindings = (
    namespace: string | undefined,
    kind: string,
    name: string,
    findings: Finding[],
  ): void => {
    if (findings.length === 0) return;
    let sev: Severity = 'notice';
    for (const f of findings) sev = worse(sev, f.severity);
    const g = groupFor(namespace, kind, name, sev);
    if (g) g.status.push(...findings);
  };

  const resolvePodOwner = (
    namespace: string | undefined,
    podName: string,
  ): { kind: string; name: string } => {
    // For events about pods we no longer hold: derive the owner from the generated pod name.
    const base = stripGeneratedSuffix(podName);
    if (base) {
      const dep = rsToDeployment.get(`${namespace}/${base}`);
      if (dep) return { kind: 'Deployment', name: dep };
      if (workloads.StatefulSet.has(objectKey(namespace, 'StatefulSet', base)) && /-\d+$/.test(podName)) {
        return { kind: 'StatefulSet', name: base };
      }
      if (workloads.DaemonSet.has(objectKey(namespace, 'DaemonSet', base)))
        return { kind: 'DaemonSet', name: base };
      const rsBase = stripGeneratedSuffix(base);
      if (rsBase && workloads.Deployment.has(objectKey(namespace, 'Deployment', rsBase)))
        return { kind: 'Deployment', name: rsBase };
    }
    return { kind: 'Pod', name: podName };
  };

  return {
    addPods(pods) {
      for (const pod of pods) {
        counts.pods.total += 1;
        const phase = pod.status?.phase ?? 'Unknown';
        counts.pods.byPhase[phase] = (counts.pods.byPhase[phase] ?? 0) + 1;
        const f = analyzePod(pod, now, t);
        if (!f) continue;
        if (SEVERITY_RANK[f.severity] <= SEVERITY_RANK.warning) counts.pods.withProblems += 1;
        const ns = pod.metadata?.namespace;
        const podName = pod.metadata?.name ?? '?';
        const owner = controllerOf(pod.metadata);
        const kind = owner?.kind ?? 'Pod';
        const name = owner?.name ?? podName;
        const g = groupFor(ns, kind, name, f.severity);
        if (!g) continue;
        g.affected += 1;
        if (kind === 'ReplicaSet' && !g.hashHint) g.hashHint = pod.metadata?.labels?.['pod-template-hash'];
        tally(g, f);
        addExample(
          g,
          {
            name: podName,
            reason: f.reason,
            detail: f.container ? `${f.container}: ${f.detail}` : f.detail,
            severity: f.severity,
          },
          maxExamples,
        );
      }
    },

    addReplicaSets(items) {
      for (const rs of items) {
        const owner = controllerOf(rs.metadata);
        if (owner?.kind === 'Deployment' && rs.metadata?.name) {
          rsToDeployment.set(`${rs.metadata.namespace}/${rs.metadata.name}`, owner.name);
        }
      }
    },

    addDeployments(items) {
      for (const d of items) {
        const ns = d.metadata?.namespace;
        const name = d.metadata?.name ?? '?';
        workloads.Deployment.add(objectKey(ns, 'Deployment', name));
        addWorkloadFindings(ns, 'Deployment', name, analyzeDeployment(d));
      }
    },

    addStatefulSets(items) {
      for (const s of items) {
        const ns = s.metadata?.namespace;
        const name = s.metadata?.name ?? '?';
        workloads.StatefulSet.add(objectKey(ns, 'StatefulSet', name));
        addWorkloadFindings(ns, 'StatefulSet', name, analyzeStatefulSet(s));
      }
    },

    addDaemonSets(items) {
      for (const ds of items) {
        const ns = ds.metadata?.namespace;
        const name = ds.metadata?.name ?? '?';
        workloads.DaemonSet.add(objectKey(ns, 'DaemonSet', name));
        addWorkloadFindings(ns, 'DaemonSet', name, analyzeDaemonSet(ds));
      }
    },

    addNodes(items) {
      for (const n of items) {
        counts.nodes.total += 1;
        if (nodeIsReady(n)) counts.nodes.ready += 1;
        if (n.spec?.unschedulable) counts.nodes.cordoned += 1;
        const nodeName = n.metadata?.name ?? '?';
        for (const f of analyzeNode(n, now)) {
          // Nodes group by condition, so 40 NotReady nodes are one entry, not 40.
          const g = groupFor(undefined, 'Node', f.reason, f.severity);
          if (!g) continue;
          g.affected += 1;
          tally(g, f);
          addExample(
            g,
            { name: nodeName, reason: f.reason, detail: f.detail, severity: f.severity },
            maxExamples,
          );
        }
      }
    },

    addEvents(items) {
      for (const e of items) {
        if (e.type !== 'Warning') continue;
        const last = eventLastSeen(e);
        if (last === undefined || now - last > t.eventWindowMs) continue;
        const io = e.involvedObject;
        const ns = io?.namespace ?? e.metadata?.namespace;
        const key = `${ns ?? ''}/${e.reason}/${io?.kind}/${io?.name}`;
        const n = eventCount(e);
        eventTotal += n;
        const agg = events.get(key);
        if (agg) {
          agg.count += n;
          if (last > agg.lastSeen) {
            agg.lastSeen = last;
            agg.message = oneLine(e.message, 200);
          }
          continue;
        }
        if (events.size >= maxEventKeys) continue;
        const a: EventAgg = {
          reason: e.reason ?? 'Unknown',
          involvedKind: io?.kind ?? '?',
          involvedName: io?.name ?? '?',
          count: n,
          lastSeen: last,
          message: oneLine(e.message, 200),
        };
        if (ns) a.namespace = ns;
        events.set(key, a);
      }
    },

    finish() {
      // 1. ReplicaSet groups → their Deployment.
      for (const [key, g] of [...groups]) {
        if (g.kind !== 'ReplicaSet') continue;
        const dep =
          rsToDeployment.get(`${g.namespace}/${g.name}`) ?? deploymentFromReplicaSetName(g.name, g.hashHint);
        if (!dep) continue;
        groups.delete(key);
        const depKey = objectKey(g.namespace, 'Deployment', dep);
        const target = groups.get(depKey);
        if (!target) {
          groups.set(depKey, { ...g, kind: 'Deployment', name: dep });
          continue;
        }
        mergeGroup(target, g, maxExamples);
      }

      // 2. Warning events → the group of the workload they concern, or an entry of their own.
      for (const ev of events.values()) {
        let owner: { kind: string; name: string };
        if (ev.involvedKind === 'Pod') owner = resolvePodOwner(ev.namespace, ev.involvedName);
        else if (ev.involvedKind === 'ReplicaSet') {
          const dep =
            rsToDeployment.get(`${ev.namespace}/${ev.involvedName}`) ?? stripGeneratedSuffix(ev.involvedName);
          owner = dep ? { kind: 'Deployment', name: dep } : { kind: 'ReplicaSet', name: ev.involvedName };
        } else owner = { kind: ev.involvedKind, name: ev.involvedName };
        const ns = ev.involvedKind === 'Node' ? undefined : ev.namespace;
        let g = groups.get(objectKey(ns, owner.kind, owner.name));
        if (!g && ev.involvedKind === 'Node') {
          // Attach node events to the node-condition group that lists the node, if any.
          for (const cand of groups.values()) {
            if (cand.kind === 'Node' && cand.examples.some((x) => x.name === ev.involvedName)) {
              g = cand;
              break;
            }
          }
        }
        const sev: Severity = SERIOUS_EVENT_REASONS.has(ev.reason) ? 'warning' : 'notice';
        if (!g) {
          g = groupFor(ns, owner.kind, owner.name, sev);
          if (!g) continue;
        }
        if (g.affected === 0 && g.status.length === 0) {
          // An entry made of events only: the events are its reasons.
          g.severity = worse(g.severity, sev);
          tally(g, { reason: ev.reason, severity: sev, detail: ev.message }, ev.count);
        }
        g.events.push(ev);
      }

      // 3. Workload health counts.
      const unhealthy = new Set<string>();
      for (const [key, g] of groups) {
        if (SEVERITY_RANK[g.severity] <= SEVERITY_RANK.warning) unhealthy.add(key);
      }
      for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet'] as const) {
        const total = workloads[kind].size;
        let bad = 0;
        for (const k of workloads[kind]) if (unhealthy.has(k)) bad += 1;
        counts.workloads.byKind[kind] = { total, healthy: total - bad };
        counts.workloads.total += total;
        counts.workloads.healthy += total - bad;
      }
      counts.events = { distinct: events.size, total: eventTotal };

      // 4. Order and render.
      const all = [...groups.values()].map(toProblem);
      all.sort(compareProblems);
      const bySeverity: Record<Severity, number> = { ...overflow };
      for (const p of all) bySeverity[p.severity] += 1;
      const overflowed = SEVERITIES.reduce((n, s) => n + overflow[s], 0);
      return {
        at: new Date(now).toISOString(),
        counts,
        problems: all.slice(0, maxProblems),
        omittedProblems: Math.max(0, all.length - maxProblems) + overflowed,
        bySeverity,
        unlistedObjects: overflowObjects,
      };
    },
  };
}
