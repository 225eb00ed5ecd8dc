/**
 * What the analyzers say: a {@link Finding} (one thing wrong with one object, with its evidence), how
 * bad it is ({@link Severity}, ranked worst first) and the time thresholds the rules apply. The
 * per-object rules themselves live in analyze-pod.ts, analyze-workloads.ts and analyze-node.ts.
 */

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
