/**
 * How the fake API server holds a cluster (fake-kube.ts): the resources it serves and their kinds and
 * groups, each kind's objects kept sorted by `namespace/name` with their JSON, planted logs; field paths
 * and the API server's field and label selectors; its `Status` error bodies, and the type of the
 * server's `send` that every route answers through.
 */

import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from './fake-kube-types.ts';
import type { FakeObjects, Json } from './kube-objects.ts';

export interface Stored {
  key: string;
  obj: Json;
  json: string;
}

export type Store = Record<Exclude<keyof FakeObjects, 'logs'>, Stored[]> & { logs: Record<string, string> };

export interface Resource {
  plural: keyof Omit<FakeObjects, 'logs'>;
  kind: string;
  group: '' | 'apps';
  namespaced: boolean;
}

export const RESOURCES: Record<string, Resource> = {
  pods: { plural: 'pods', kind: 'Pod', group: '', namespaced: true },
  events: { plural: 'events', kind: 'Event', group: '', namespaced: true },
  nodes: { plural: 'nodes', kind: 'Node', group: '', namespaced: false },
  namespaces: { plural: 'namespaces', kind: 'Namespace', group: '', namespaced: false },
  deployments: { plural: 'deployments', kind: 'Deployment', group: 'apps', namespaced: true },
  replicasets: { plural: 'replicasets', kind: 'ReplicaSet', group: 'apps', namespaced: true },
  statefulsets: { plural: 'statefulsets', kind: 'StatefulSet', group: 'apps', namespaced: true },
  daemonsets: { plural: 'daemonsets', kind: 'DaemonSet', group: 'apps', namespaced: true },
};

export function toStore(objects: FakeObjects): Store {
  const store = { logs: { ...objects.logs } } as Store;
  for (const r of Object.values(RESOURCES)) {
    const items = objects[r.plural].map((obj) => {
      const meta = (obj.metadata ?? {}) as Json;
      return { key: `${meta.namespace ?? ''}/${meta.name}`, obj, json: JSON.stringify(obj) };
    });
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    store[r.plural] = items;
  }
  return store;
}

/** A log planted for the container's current instance, if any. */
export function text0(store: Store, meta: Json, container: string): string | undefined {
  return store.logs[`${meta.namespace}/${meta.name}/${container}`];
}

export function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

/** `a=b,c!=d` (also `==`), as the API server's field selectors. */
export function fieldMatcher(selector: string | undefined): (obj: Json) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(',').map((t) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(t.trim());
    if (!m) throw new Error(`invalid field selector term ${t}`);
    return { path: m[1] as string, neg: m[2] === '!=', value: m[3] as string };
  });
  return (obj) =>
    terms.every((t) => {
      const v = get(obj, t.path);
      const s = v === undefined || v === null ? '' : String(v);
      return t.neg ? s !== t.value : s === t.value;
    });
}

/** `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function labelMatcher(selector: string | undefined): (obj: Json) => boolean {
  if (!selector) return () => true;
  const terms: ((labels: Record<string, string>) => boolean)[] = [];
  for (const raw of selector.match(/[^,(]+(\([^)]*\))?/g) ?? []) {
    const t = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const key = m[1] as string;
      const set = new Set((m[3] as string).split(',').map((s) => s.trim()));
      const neg = m[2] === 'notin';
      terms.push((l) =>
        neg ? !(key in l) || !set.has(l[key] as string) : key in l && set.has(l[key] as string),
      );
      continue;
    }
    m = /^([^!=]+)(!=|==|=)(.*)$/.exec(t);
    if (m) {
      const key = (m[1] as string).trim();
      const value = (m[3] as string).trim();
      const neg = m[2] === '!=';
      terms.push((l) => (neg ? l[key] !== value : l[key] === value));
      continue;
    }
    if (t.startsWith('!')) terms.push((l) => !(t.slice(1) in l));
    else terms.push((l) => t in l);
  }
  return (obj) => {
    const labels = ((obj.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
    return terms.every((f) => f(labels));
  };
}

export function status(code: number, reason: string, message: string, details?: Json): string {
  const body: Json = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return JSON.stringify(body);
}

/** Answers a request (recording the status in `rec`): the server's `send`, which routes share. */
export type Send = (
  res: ServerResponse,
  rec: RecordedRequest,
  code: number,
  body: string,
  type?: string,
) => void;
