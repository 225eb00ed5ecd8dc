/**
 * Pure helpers for looking at one workload or pod: which pod is worth looking at, which container
 * and which instance (current or previous) to read logs from, container states as plain data, and
 * bounded, redacted log tails.
 */

import type { V1ContainerStatus } from '@kubernetes/client-node';
import type { KubeEvent, KubePod, Wire } from '../kube-port.ts';
import { redactLines } from '../redact.ts';
import { analyzePod } from './analyze-pod.ts';
import { eventCount, eventLastSeen } from './events.ts';
import { DEFAULT_THRESHOLDS, type Finding, SEVERITY_RANK, type Thresholds } from './findings.ts';
import { oneLine, toMillis } from './objects.ts';

export interface ContainerInfo {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  restarts: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  exitCode?: number;
  /** ISO time the current state began (running/terminated). */
  since?: string;
  lastTermination?: { reason?: string; exitCode: number; finishedAt?: string; message?: string };
}

function iso(t: Date | string | undefined | null): string | undefined {
  const ms = toMillis(t);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function info(cs: Wire<V1ContainerStatus>, init: boolean): ContainerInfo {
  const out: ContainerInfo = {
    name: cs.name,
    init,
    image: cs.image,
    ready: cs.ready,
    restarts: cs.restartCount ?? 0,
    state: cs.state?.running
      ? 'running'
      : cs.state?.waiting
        ? 'waiting'
        : cs.state?.terminated
          ? 'terminated'
          : 'unknown',
  };
  const w = cs.state?.waiting;
  const term = cs.state?.terminated;
  if (w?.reason) out.reason = w.reason;
  if (w?.message) out.message = oneLine(w.message, 300);
  if (term) {
    out.exitCode = term.exitCode;
    if (term.reason) out.reason = term.reason;
    if (term.message) out.message = oneLine(term.message, 300);
    const since = iso(term.finishedAt);
    if (since) out.since = since;
  }
  const started = iso(cs.state?.running?.startedAt);
  if (started) out.since = started;
  const last = cs.lastState?.terminated;
  if (last) {
    const lt: NonNullable<ContainerInfo['lastTermination']> = { exitCode: last.exitCode };
    if (last.reason) lt.reason = last.reason;
    const fin = iso(last.finishedAt);
    if (fin) lt.finishedAt = fin;
    if (last.message) lt.message = oneLine(last.message, 300);
    out.lastTermination = lt;
  }
  return out;
}

/** Init containers first (they run first), then app containers; spec-only containers as `unknown`. */
export function describeContainers(pod: KubePod): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  const seen = new Set<string>();
  for (const cs of pod.status?.initContainerStatuses ?? []) {
    // Only interesting init containers: a finished, successful one is noise.
    if (cs.state?.terminated?.exitCode === 0) continue;
    out.push(info(cs, true));
  }
  for (const cs of pod.status?.containerStatuses ?? []) {
    out.push(info(cs, false));
    seen.add(cs.name);
  }
  for (const c of pod.spec?.containers ?? []) {
    if (seen.has(c.name)) continue;
    out.push({
      name: c.name,
      init: false,
      image: c.image ?? '',
      ready: false,
      restarts: 0,
      state: 'unknown',
    });
  }
  return out;
}

/** Higher is more worth looking at: a worse finding, then more restarts, then newer. */
export function podInterest(
  pod: KubePod,
  now: number,
  t: Thresholds = DEFAULT_THRESHOLDS,
): { finding?: Finding; score: number } {
  const f = analyzePod(pod, now, t);
  const sev = f ? 4 - SEVERITY_RANK[f.severity] : 0;
  const restarts = (pod.status?.containerStatuses ?? []).reduce((a, c) => a + (c.restartCount ?? 0), 0);
  const created = toMillis(pod.metadata?.creationTimestamp) ?? 0;
  // Severity dominates, restarts next (capped), recency breaks ties.
  const out: { finding?: Finding; score: number } = {
    score: sev * 1e15 + Math.min(restarts, 99_999) * 1e10 + created / 1000,
  };
  if (f) out.finding = f;
  return out;
}

export interface ContainerChoice {
  container: string;
  previous: boolean;
  /** Why this container/instance, for the reader. */
  why: string;
}

/**
 * The container to read: the requested one, else the one with the finding, else the pod's
 * `kubectl.kubernetes.io/default-container`, else the first. The previous instance when asked, or —
 * unless `previous` is explicitly false — when the container is not running but has terminated
 * before (a crash loop: the current instance has no output yet; the previous one shows the crash).
 */
export function chooseContainer(
  pod: KubePod,
  opts: { container?: string; previous?: boolean; finding?: Finding },
): ContainerChoice | { error: string } {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const initNames = (pod.spec?.initContainers ?? []).map((c) => c.name);
  let container: string | undefined;
  let why: string;
  if (opts.container) {
    if (!names.includes(opts.container) && !initNames.includes(opts.container)) {
      return {
        error: `Pod ${pod.metadata?.name} has no container "${opts.container}"; containers: ${[...initNames, ...names].join(', ')}.`,
      };
    }
    container = opts.container;
    why = 'as requested';
  } else if (opts.finding?.container) {
    container = opts.finding.container;
    why = opts.finding.reason;
  } else {
    const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    container = annotated && names.includes(annotated) ? annotated : names[0];
    why =
      annotated && names.includes(annotated)
        ? 'default container'
        : names.length > 1
          ? 'first container'
          : 'only container';
  }
  if (!container) return { error: `Pod ${pod.metadata?.name} has no containers.` };
  const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  let previous = opts.previous ?? false;
  if (opts.previous === undefined && cs && !cs.state?.running && cs.lastState?.terminated) {
    previous = true;
    const last = cs.lastState.terminated;
    why = `${why}: the last run exited ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}`;
  }
  return { container, previous, why };
}

export interface LogTail {
  lines: string[];
  /** Lines dropped from the top to stay in budget. */
  dropped: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what we strip.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * The last lines of `text`, redacted (across lines too: tools/shared/redact.ts redactLines), each at
 * most `maxLineChars`, keeping at most `maxLines`
 * lines and `maxChars` characters in total (from the end: the newest lines matter most).
 */
export function tailLog(
  text: string,
  redact: (s: string) => string,
  opts: { maxLines: number; maxChars: number; maxLineChars?: number },
): LogTail {
  const maxLine = opts.maxLineChars ?? 300;
  // What spans lines first (a private key, a Secret's data block), then each line.
  const raw = redactLines(text.split('\n'));
  if (raw[raw.length - 1] === '') raw.pop();
  const lines: string[] = [];
  let chars = 0;
  let i = raw.length - 1;
  for (; i >= 0 && lines.length < opts.maxLines; i--) {
    let line = redact((raw[i] ?? '').replace(ANSI, '').replace(/\r$/, ''));
    if (line.length > maxLine) line = `${line.slice(0, maxLine - 1)}…`;
    if (chars + line.length + 1 > opts.maxChars) break;
    lines.push(line);
    chars += line.length + 1;
  }
  lines.reverse();
  return { lines, dropped: i + 1 };
}

export interface EventInfo {
  type: string;
  reason: string;
  object: string;
  count: number;
  /** ISO time last seen. */
  lastSeen: string;
  message: string;
}

/** Newest first, at most `max`. */
export function recentEvents(events: Iterable<KubeEvent>, max: number): EventInfo[] {
  const out: (EventInfo & { at: number })[] = [];
  for (const e of events) {
    const at = eventLastSeen(e) ?? 0;
    out.push({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      count: eventCount(e),
      lastSeen: new Date(at).toISOString(),
      message: oneLine(e.message, 240),
      at,
    });
  }
  out.sort((a, b) => b.at - a.at);
  return out.slice(0, max).map(({ at: _at, ...e }) => e);
}
