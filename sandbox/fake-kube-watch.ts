/**
 * Stored writes and watches in the fake API server (fake-kube.ts): the resourceVersion counter, each
 * cluster's watch history (trimmed to `watchHistoryLimit`; `compactWatchHistory()` expires it), objects
 * stored and removed with the events they emit, and watches — replayed from a resourceVersion or started
 * with synthetic ADDED events, filtered by selectors, ended by `timeoutSeconds` (with a BOOKMARK when
 * allowed), dropped on demand, or answered with the ERROR event carrying a 410 Expired Status.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { clone } from './fake-kube-patch.ts';
import {
  fieldMatcher,
  labelMatcher,
  type Resource,
  type Send,
  type Store,
  type Stored,
  status,
} from './fake-kube-store.ts';
import type { FakeKubeOptions, RecordedRequest } from './fake-kube-types.ts';
import type { Json } from './kube-objects.ts';

export interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  plural: string;
  obj: Json;
  json: string;
}
export interface RolloutState {
  /** When the rollout last made progress (ms); the progress deadline counts from here. */
  lastProgressAt: number;
}
export interface ClusterState {
  history: HistoryEvent[];
  /** Watches from a resourceVersion below this get 410 Expired. */
  compactedRv: number;
  rollouts: Map<string, RolloutState>;
  podSeq: number;
}
export interface Watcher {
  cluster: string;
  plural: string;
  matches: (obj: Json) => boolean;
  res: ServerResponse;
  bookmarks: boolean;
  kind: string;
  apiVersion: string;
  timer?: NodeJS.Timeout;
}

/** Stored writes and watches over `clusters` (the fake's per-cluster object stores). */
export function createWatches(opts: FakeKubeOptions, clusters: Record<string, Store>, send: Send) {
  let rv = 5_000_000;
  const historyLimit = opts.watchHistoryLimit ?? 1000;
  const freshState = (): ClusterState => ({ history: [], compactedRv: 0, rollouts: new Map(), podSeq: 0 });
  const states: Record<string, ClusterState> = { main: freshState(), other: freshState() };
  const watchers = new Set<Watcher>();

  const stateOf = (cluster: string): ClusterState => {
    let st = states[cluster];
    if (!st) {
      st = freshState();
      states[cluster] = st;
    }
    return st;
  };

  const keyOf = (obj: Json): string => {
    const meta = (obj.metadata ?? {}) as Json;
    return `${meta.namespace ?? ''}/${meta.name}`;
  };

  /** Index of `key` in a sorted list, or -(insertion point) - 1. */
  const search = (items: Stored[], key: string): number => {
    let lo = 0;
    let hi = items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = (items[mid] as Stored).key;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo + 1);
  };

  const lookup = (cluster: string, plural: Resource['plural'], key: string): Json | undefined => {
    const items = clusters[cluster]?.[plural];
    if (!items) return undefined;
    const i = search(items, key);
    return i >= 0 ? (items[i] as Stored).obj : undefined;
  };

  const writeEvent = (w: Watcher, type: string, json: string): void => {
    w.res.write(`{"type":"${type}","object":${json}}\n`);
  };

  const emit = (
    cluster: string,
    type: HistoryEvent['type'],
    plural: string,
    obj: Json,
    json: string,
  ): void => {
    const st = stateOf(cluster);
    st.history.push({ rv, type, plural, obj, json });
    while (st.history.length > historyLimit) {
      const dropped = st.history.shift() as HistoryEvent;
      st.compactedRv = dropped.rv;
    }
    for (const w of watchers) {
      if (w.cluster === cluster && w.plural === plural && w.matches(obj)) writeEvent(w, type, json);
    }
  };

  /** Stores `obj` (a new object, never mutated afterwards) with the next resourceVersion. */
  const put = (cluster: string, plural: Resource['plural'], obj: Json): Json => {
    const store = clusters[cluster] as Store;
    rv += 1;
    (obj.metadata as Json).resourceVersion = String(rv);
    const key = keyOf(obj);
    const json = JSON.stringify(obj);
    const items = store[plural];
    const i = search(items, key);
    if (i >= 0) items[i] = { key, obj, json };
    else items.splice(-i - 1, 0, { key, obj, json });
    emit(cluster, i >= 0 ? 'MODIFIED' : 'ADDED', plural, obj, json);
    return obj;
  };

  const remove = (cluster: string, plural: Resource['plural'], key: string): void => {
    const items = (clusters[cluster] as Store)[plural];
    const i = search(items, key);
    if (i < 0) return;
    const obj = clone((items[i] as Stored).obj);
    items.splice(i, 1);
    rv += 1;
    (obj.metadata as Json).resourceVersion = String(rv);
    emit(cluster, 'DELETED', plural, obj, JSON.stringify(obj));
  };

  const endWatch = (w: Watcher, graceful: boolean): void => {
    watchers.delete(w);
    if (w.timer) clearTimeout(w.timer);
    if (!graceful) {
      w.res.destroy();
      return;
    }
    if (w.bookmarks) {
      writeEvent(
        w,
        'BOOKMARK',
        JSON.stringify({ kind: w.kind, apiVersion: w.apiVersion, metadata: { resourceVersion: String(rv) } }),
      );
    }
    w.res.end();
  };

  const startWatch = (
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest,
    cluster: string,
    resource: Resource,
    namespace: string | undefined,
    q: URLSearchParams,
    forceExpired: boolean,
  ) => {
    let byField: (obj: Json) => boolean;
    let byLabel: (obj: Json) => boolean;
    try {
      byField = fieldMatcher(q.get('fieldSelector') ?? undefined);
      byLabel = labelMatcher(q.get('labelSelector') ?? undefined);
    } catch (e) {
      return send(res, rec, 400, status(400, 'BadRequest', (e as Error).message));
    }
    const inNamespace = (obj: Json) =>
      namespace === undefined ||
      !resource.namespaced ||
      (obj.metadata as Json | undefined)?.namespace === namespace;
    const matches = (obj: Json) => inNamespace(obj) && byField(obj) && byLabel(obj);
    const st = stateOf(cluster);
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    // The API server answers a watch at once, before any event: clients wait for these headers.
    res.flushHeaders();
    const from = q.get('resourceVersion');
    if (forceExpired || (from && from !== '0' && Number(from) < st.compactedRv)) {
      const body = status(410, 'Expired', `too old resource version: ${from ?? ''} (${st.compactedRv})`);
      res.end(`{"type":"ERROR","object":${body}}\n`);
      return;
    }
    const apiVersion = resource.group ? `${resource.group}/v1` : 'v1';
    const w: Watcher = {
      cluster,
      plural: resource.plural,
      matches,
      res,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      kind: resource.kind,
      apiVersion,
    };
    if (!from || from === '0') {
      for (const s of (clusters[cluster] as Store)[resource.plural])
        if (matches(s.obj)) writeEvent(w, 'ADDED', s.json);
    } else {
      const after = Number(from);
      for (const ev of st.history) {
        if (ev.rv > after && ev.plural === resource.plural && matches(ev.obj))
          writeEvent(w, ev.type, ev.json);
      }
    }
    watchers.add(w);
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) w.timer = setTimeout(() => endWatch(w, true), timeoutSeconds * 1000);
    const gone = () => {
      watchers.delete(w);
      if (w.timer) clearTimeout(w.timer);
    };
    res.on('close', gone);
    req.on('close', gone);
  };

  return {
    get rv() {
      return rv;
    },
    set rv(v: number) {
      rv = v;
    },
    states,
    watchers,
    freshState,
    stateOf,
    keyOf,
    lookup,
    put,
    remove,
    endWatch,
    startWatch,
  };
}

export type Watches = ReturnType<typeof createWatches>;
