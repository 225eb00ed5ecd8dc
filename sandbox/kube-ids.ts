/**
 * Identifiers and times for the Kubernetes object builders (kube-objects.ts): the fixed default `now`,
 * increasing resourceVersions, stable UUIDs, hashes and pod IPs derived from seeds, the safe-alphabet
 * suffixes Kubernetes generates, and RFC 3339 timestamps.
 */

import { createHash } from 'node:crypto';

/** Builder defaults; fixed so object output is deterministic unless a test passes its own `now`. */
export const DEFAULT_NOW = new Date('2026-03-02T10:00:00Z');

let resourceVersion = 100000;
export function nextResourceVersion(): string {
  resourceVersion += 1;
  return String(resourceVersion);
}

export function hex(seed: string, length: number): string {
  let out = '';
  let i = 0;
  while (out.length < length) {
    out += createHash('sha1').update(`${seed}#${i}`).digest('hex');
    i += 1;
  }
  return out.slice(0, length);
}

/** A stable UUID derived from `seed`. */
export function uid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** The alphabet Kubernetes uses for pod-template hashes and generated name suffixes. */
export function safeSuffix(seed: string, length: number): string {
  const h = createHash('sha1').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[(h[i % h.length] ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/** RFC 3339 (seconds) `minutesAgo` before `now`, as the API server writes timestamps. */
export function ago(now: Date, minutesAgo: number): string {
  return `${new Date(now.getTime() - minutesAgo * 60_000).toISOString().slice(0, 19)}Z`;
}

export function ip(seed: string): string {
  const h = createHash('sha1').update(seed).digest();
  return `10.${(h[0] ?? 0) % 250}.${(h[1] ?? 0) % 250}.${((h[2] ?? 0) % 250) + 2}`;
}
