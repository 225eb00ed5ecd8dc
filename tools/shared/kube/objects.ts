/**
 * Small, pure helpers over Kubernetes objects shared by the analyzers and tools. Timestamps may be
 * `Date` (what @kubernetes/client-node deserializes) or RFC 3339 strings (raw JSON); both work.
 */

import type { V1LabelSelector, V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import type { Wire } from '../kube-port.ts';

export type Timestamp = Date | string | null | undefined;

/** Milliseconds since the epoch, or undefined for a missing/invalid time. */
export function toMillis(t: Timestamp): number | undefined {
  if (t === null || t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** "45s", "12m", "3h", "2d" — kubectl's AGE style. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

/** The controlling owner reference (`controller: true`), else the first one. */
export function controllerOf(meta: Wire<V1ObjectMeta> | undefined): V1OwnerReference | undefined {
  const refs = meta?.ownerReferences;
  if (!refs || refs.length === 0) return undefined;
  return refs.find((r) => r.controller) ?? refs[0];
}

/** `namespace/Kind/name` — the grouping key for workloads and objects. */
export function objectKey(namespace: string | undefined, kind: string, name: string): string {
  return `${namespace ?? ''}/${kind}/${name}`;
}

/** The Deployment a ReplicaSet's generated name implies (`checkout-7d4b9c8f6` → `checkout`), if the hash label matches. */
export function deploymentFromReplicaSetName(
  rsName: string,
  podTemplateHash: string | undefined,
): string | undefined {
  if (podTemplateHash && rsName.endsWith(`-${podTemplateHash}`))
    return rsName.slice(0, -(podTemplateHash.length + 1));
  return undefined;
}

/** Drops the last `-segment` of a generated name (`api-5d9f-x2x9z` → `api-5d9f`). */
export function stripGeneratedSuffix(name: string): string | undefined {
  const i = name.lastIndexOf('-');
  return i > 0 ? name.slice(0, i) : undefined;
}

/** A label selector as the API's `labelSelector` query string. */
export function selectorToString(sel: V1LabelSelector | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
    }
  }
  return parts.join(',');
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Up to `max` candidates closest to `wanted`: names containing it (or contained in it) first, then
 * by edit distance to the whole name or to its prefix of the same length (so a typo in "paymnets"
 * still finds "payments-staging"); ties alphabetically.
 */
export function closestNames(wanted: string, candidates: Iterable<string>, max = 3): string[] {
  const w = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const n = name.toLowerCase();
    const contains = n.includes(w) || w.includes(n);
    const score = contains
      ? -100 + Math.abs(n.length - w.length)
      : Math.min(editDistance(w, n), editDistance(w, n.slice(0, w.length)) + 1);
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** Collapses whitespace and cuts to `max` characters — for messages quoted as evidence. */
export function oneLine(s: string | undefined, max = 200): string {
  if (!s) return '';
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
