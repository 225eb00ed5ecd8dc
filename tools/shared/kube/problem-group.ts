/**
 * A problem group — what the status accumulator keeps per workload while pages stream in — and how a
 * group becomes a {@link Problem} of the report: its reasons tallied, its examples kept worst first,
 * its events folded per reason, a headline reason and a one-line summary, then ranked worst first.
 */

import { type Finding, SEVERITY_RANK, type Severity, worse } from './findings.ts';
import { oneLine } from './objects.ts';
import type { Problem, ProblemEvent, ProblemExample } from './status-report.ts';

/** Pods (or event occurrences) of one reason in a group, with one example detail. */
export interface ReasonTally {
  severity: Severity;
  count: number;
  detail: string;
}

/** What the accumulator keeps while streaming for one entry of the report (a workload, node condition or lone pod). */
export interface Group {
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

/** Warning events of one (reason, object) pair, summed over the pages they came in. */
export interface EventAgg {
  namespace?: string;
  reason: string;
  involvedKind: string;
  involvedName: string;
  count: number;
  lastSeen: number;
  message: string;
}

/** Adds `ex` to the group's examples, keeping at most `max`, the worst ones, worst first. */
export function addExample(g: Group, ex: ProblemExample & { severity: Severity }, max: number): void {
  if (g.examples.length < max) {
    g.examples.push(ex);
  } else {
    const last = g.examples[g.examples.length - 1];
    if (last && SEVERITY_RANK[ex.severity] < SEVERITY_RANK[last.severity])
      g.examples[g.examples.length - 1] = ex;
    else return;
  }
  g.examples.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

/** Counts `n` pods (or event occurrences) of `f.reason` in the group; the worst severity seen wins. */
export function tally(g: Group, f: Finding, n = 1): void {
  const r = g.reasons.get(f.reason);
  if (r) {
    r.count += n;
    r.severity = worse(r.severity, f.severity);
  } else {
    g.reasons.set(f.reason, { severity: f.severity, count: n, detail: f.detail });
  }
}

/** Folds group `g` into `target` (a ReplicaSet's group into its Deployment's): affected, reasons, examples. */
export function mergeGroup(target: Group, g: Group, maxExamples: number): void {
  target.severity = worse(target.severity, g.severity);
  target.affected += g.affected;
  for (const [reason, r] of g.reasons) {
    const have = target.reasons.get(reason);
    if (have) {
      have.count += r.count;
      have.severity = worse(have.severity, r.severity);
    } else target.reasons.set(reason, { ...r });
  }
  for (const ex of g.examples) addExample(target, ex, maxExamples);
}

/** Report order: worst severity first, then most affected, then by namespace and name. */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    b.affected - a.affected ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name)
  );
}

const CONSEQUENCES = new Set(['Unavailable', 'BelowDesired', 'RollingOut']);

/** The report entry for a group: reasons and events worst first, a headline reason, a one-line summary. */
export function toProblem(g: Group): Problem {
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
