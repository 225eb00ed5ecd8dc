/**
 * What a cluster-status analysis reports: counts of nodes, workloads, pods and Warning events, and
 * problems grouped by workload (or node condition, or lone pod), worst first. Plain data, built by
 * the status accumulator and rendered by the cluster_status tool.
 */

import type { Finding, Severity } from './findings.ts';

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
  /** Workload name; for `Node` groups, the condition (NotReady, MemoryPressure, …). */
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
