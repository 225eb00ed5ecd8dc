/**
 * What workload_details answers: the target's state, the pod looked at, its containers, the chosen
 * log excerpt and recent events — filled in by the tool's run and read by its renderers
 * (workload-render.ts).
 */

import type { Finding } from './findings.ts';
import type { ContainerInfo, EventInfo } from './pod-details.ts';
import type { TargetKind } from './resolve-target.ts';

export interface WorkloadDetailsResult {
  cluster: string;
  namespace: string;
  target: { kind: TargetKind; name: string };
  /** For workloads: replica counts and status findings. */
  workload?: { desired: number; ready: number; findings: Finding[] };
  /** For workloads: how many pods, by state (Running, CrashLoopBackOff, …). */
  pods?: { total: number; byState: Record<string, number> };
  /** The pod looked at (for a workload, its most troubled pod). */
  pod?: {
    name: string;
    phase: string;
    node?: string;
    ready: boolean;
    /** ms since creation. */
    ageMs?: number;
    finding?: Finding;
  };
  containers: ContainerInfo[];
  logs?: { container: string; previous: boolean; why: string; lines: string[]; dropped: number };
  events: EventInfo[];
  notes: string[];
}
