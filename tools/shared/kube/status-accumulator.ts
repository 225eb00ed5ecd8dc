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
import {
  analyzeDaemonSet,
  analyzeDeployment,
  analyzeNode,
  analyzePod,
  analyzeStatefulSet,
  DEFAULT_THRESHOLDS,
  eventCount,
  eventLastSeen,
  type Finding,
  nodeIsReady,
  SERIOUS_EVENT_REASONS,
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

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface ProblemExample {
  /** Pod or node name. */
  name: string;
  reason: string;
  detail: string;
}

/** Warning events of one reason about the entry's objects (aggregated per object, then per reason). */
export interface ProblemEvent {
  reason: string;
  /** The object of the latest occurrence, `Pod/checkout-7d4b9c8f6-x2x9z`. */
  object: string;
  /** How many distinct objects had this event. */
  objects: number;
  /** Occurrences, summed over objects. */
  count: number;
  /** ISO time last seen. */
  lastSeen: string;
  message: string;
}

/** One entry of the report: a workload (or node condition, or lone pod) and everything wrong with it. */
export interface Problem {
  severity: Severity;
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod, Node (a node condition group), … */
  kind: string;
  namespace?: string;
  /** Workload name; for `Node` groups, the condition (NodeNotReady, MemoryPressure, …). */
  name: string;
  /** The worst reason, e.g. CrashLoopBackOff. */
  reason: string;
  /** One line: counts, reasons and evidence. */
  summary: string;
  /** Pods (or nodes) affected. */
  affected: number;
  /** Per-reason pod counts with one example detail each, worst first (at most 4). */
  reasons: { reason: string; severity: Severity; count: number; detail: string }[];
  /** The workload's own status findings (replicas available, rollout deadline, …). */
  status: Finding[];
  examples: ProblemExample[];
  /** Recent Warning events about the workload or its pods, most frequent first (at most 3). */
  events: ProblemEvent[];
}

export interface StatusCounts {
  nodes: { total: number; ready: number; cordoned: number };
  workloads: {
    total: number;
    healthy: number;
    byKind: Record<WorkloadKind, { total: number; healthy: number }>;
  };
  pods: { total: number; byPhase: Record<string, number>; withProblems: number };
  /** Recent Warning events: distinct (reason, object) pairs and their summed counts. */
  events: { distinct: number; total: number };
}

export interface StatusReport {
  /** When the analysis ran (ISO). */
  at: string;
  counts: StatusCounts;
  /** Worst first, at most `maxProblems`. */
  problems: Problem[];
  /** Problems beyond `problems` (including any past the group cap). */
  omittedProblems: number;
  /** Problem groups by severity, including omitted ones. */
  bySeverity: Record<Severity, number>;
  /** Problem pods/nodes that fell into groups past the group cap (counted, not analysed further). */
  unlistedObjects: number;
}

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

interface ReasonTally {
  severity: Severity;
  count: number;
  detail: string;
}

interface Group {
  namespace?: string;
  kind: string;
  name: string;
  severity: Severity;
  affected: number;
  reasons: Map<string, ReasonTally>;
  examples: (ProblemExample & { severity: Severity })[];
  status: Finding[];
  events: EventAgg[];
  /** pod-template-hash of a pod in a ReplicaSet group, to name its Deployment if RSes are unknown. */
  hashHint?: string;
}

interface EventAgg {
  namespace?: string;
  reason: string;
  involvedKind: string;
  involvedName: string;
  count: number;
  lastSeen: number;
  message: string;
}

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

  const addExample = (g: Group, ex: ProblemExample & { severity: Severity }): void => {
    if (g.examples.length < maxExamples) {
      g.examples.push(ex);
    } else {
      const last = g.examples[g.examples.length - 1];
      if (last && SEVERITY_RANK[ex.severity] < SEVERITY_RANK[last.severity])
        g.examples[g.examples.length - 1] = ex;
      else return;
    }
    g.examples.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  };

  const tally = (g: Group, f: Finding, n = 1): void => {
    const r = g.reasons.get(f.reason);
    if (r) {
      r.count += n;
      r.severity = worse(r.severity, f.severity);
    } else {
      g.reasons.set(f.reason, { severity: f.severity, count: n, detail: f.detail });
    }
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
        addExample(g, {
          name: podName,
          reason: f.reason,
          detail: f.container ? `${f.container}: ${f.detail}` : f.detail,
          severity: f.severity,
        });
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
          addExample(g, { name: nodeName, reason: f.reason, detail: f.detail, severity: f.severity });
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
        target.severity = worse(target.severity, g.severity);
        target.affected += g.affected;
        for (const [reason, r] of g.reasons) {
          const have = target.reasons.get(reason);
          if (have) {
            have.count += r.count;
            have.severity = worse(have.severity, r.severity);
          } else target.reasons.set(reason, { ...r });
        }
        for (const ex of g.examples) addExample(target, ex);
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
      all.sort(
        (a, b) =>
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
          b.affected - a.affected ||
          (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
          a.name.localeCompare(b.name),
      );
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

const CONSEQUENCES = new Set(['Unavailable', 'BelowDesired', 'RollingOut']);

function toProblem(g: Group): Problem {
  const reasons = [...g.reasons.entries()]
    .map(([reason, r]) => ({ reason, severity: r.severity, count: r.count, detail: r.detail }))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count)
    .slice(0, 4);
  const status = [...g.status].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  // Events are aggregated per (reason, object); within an entry, one line per reason reads better.
  const byReason = new Map<string, ProblemEvent & { last: number }>();
  for (const e of g.events) {
    const have = byReason.get(e.reason);
    if (!have) {
      byReason.set(e.reason, {
        reason: e.reason,
        object: `${e.involvedKind}/${e.involvedName}`,
        objects: 1,
        count: e.count,
        lastSeen: '',
        last: e.lastSeen,
        message: e.message,
      });
      continue;
    }
    have.objects += 1;
    have.count += e.count;
    if (e.lastSeen > have.last) {
      have.last = e.lastSeen;
      have.message = e.message;
      have.object = `${e.involvedKind}/${e.involvedName}`;
    }
  }
  const events = [...byReason.values()]
    .sort((a, b) => b.count - a.count || b.last - a.last)
    .slice(0, 3)
    .map(({ last, ...e }) => ({ ...e, lastSeen: new Date(last).toISOString() }));
  // Headline: the worst cause. "Unavailable"/"BelowDesired"/"RollingOut" are consequences of what
  // the pods say, so they headline only when nothing else explains the entry.
  const candidates = [...reasons.map((r) => ({ reason: r.reason, severity: r.severity })), ...status];
  candidates.sort(
    (a, b) =>
      Number(CONSEQUENCES.has(a.reason)) - Number(CONSEQUENCES.has(b.reason)) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
  const reason = candidates[0]?.reason ?? events[0]?.reason ?? 'Unknown';
  const p: Problem = {
    severity: g.severity,
    kind: g.kind,
    name: g.name,
    reason,
    summary: summarizeGroup(g.kind, g.affected, reasons, status, events),
    affected: g.affected,
    reasons,
    status,
    examples: g.examples.map(({ name, reason: r, detail }) => ({ name, reason: r, detail })),
    events,
  };
  if (g.namespace) p.namespace = g.namespace;
  return p;
}

function summarizeGroup(
  kind: string,
  affected: number,
  reasons: Problem['reasons'],
  status: Finding[],
  events: ProblemEvent[],
): string {
  const parts: string[] = [];
  const unit = kind === 'Node' ? 'node' : 'pod';
  const podReasons = reasons.filter((r) => r.count > 0);
  if (kind === 'Node') {
    for (const r of podReasons.slice(0, 1)) parts.push(oneLine(r.detail, 120));
  } else if (affected > 0 && podReasons.length > 0) {
    parts.push(
      podReasons
        .slice(0, 2)
        .map((r) => `${r.count} ${unit}${r.count === 1 ? '' : 's'} ${r.reason}: ${oneLine(r.detail, 90)}`)
        .join('; '),
    );
  } else if (podReasons.length > 0) {
    // Event-only entries: the tally counts event occurrences, not pods.
    const r = podReasons[0];
    if (r) parts.push(`${r.reason} ×${r.count}: ${oneLine(r.detail, 120)}`);
  }
  for (const s of status.slice(0, 2)) parts.push(`${s.reason}: ${oneLine(s.detail, 90)}`);
  if (parts.length === 0 && events[0])
    parts.push(`${events[0].reason} ×${events[0].count}: ${oneLine(events[0].message, 120)}`);
  return parts.join('; ');
}
