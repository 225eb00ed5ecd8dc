/**
 * A fake Kubernetes API server for tests and benches: HTTPS on 127.0.0.1 (port 0) with the committed
 * test CA (sandbox/tls — see generate.sh there for why it is committed), and a temporary
 * kubeconfig pointing at it, so the real @kubernetes/client-node (and kubectl) run their real TLS,
 * auth-header, paging and error paths.
 *
 * It serves the read side the status tools use — pods (and logs), deployments, replicasets,
 * statefulsets, daemonsets, nodes, namespaces, core/v1 events — with the real API's list shapes and
 * chunking (`limit`, `continue`, `metadata.continue`, `remainingItemCount`, 410 on a stale token),
 * field and label selectors, legacy discovery (for kubectl), bearer-token auth (401 without it), and
 * failures on demand: `fail(/path/, 'forbidden' | 'unauthorized' | 'server-error' | 'hang' | 'expired')`.
 *
 * The kubeconfig has two contexts: `fake-main` (current; `objects`) and `fake-other` (served under the
 * path prefix `/clusters/other` from `other`), plus `fake-bad-ca` (same server, a CA that did not sign
 * it) for TLS-verification tests.
 *
 * The deploy side (issue 6):
 * - `PATCH` of any named namespaced object with `application/strategic-merge-patch+json` (lists of
 *   containers, env, ports, volumes… merged by their real merge keys; `$patch: replace|delete`;
 *   `null` deletes) or `application/merge-patch+json`; a `metadata.resourceVersion` in the patch is
 *   a precondition (409 on mismatch); `application/json-patch+json` too (what `kubectl rollout undo`
 *   sends). Deployments are validated like the API server does for the
 *   fields the deploy flow touches — plus two fake-only rules that make bad requests easy to write:
 *   an image with whitespace or upper-case letters, and a patch that would add a container (an
 *   unknown container name), are 422 Invalid with a real Status body (`details.causes`).
 * - `dryRun=All` validates and returns the would-be object (generation bumped) and persists nothing.
 *   Persisted writes are also listed in `writes`, so a test can assert the cluster saw none.
 * - A Deployment controller simulation, for Deployments whose spec a PATCH changed: a ReplicaSet per
 *   pod template (pod-template-hash label, incrementing `deployment.kubernetes.io/revision`, an old
 *   one reused — and renumbered — on rollback), a rolling update one step per `rolloutTickMs` (new
 *   pods start, become Ready one a tick, old ones scale down within maxSurge/maxUnavailable), and the
 *   status fields and Progressing/Available conditions the real controller writes. An image matching
 *   `neverReady` gives pods stuck in ImagePullBackOff / CrashLoopBackOff / Unschedulable, and after
 *   `progressDeadlineSeconds × timeScale` the Deployment gets Progressing=False
 *   ProgressDeadlineExceeded.
 * - Watches (`watch=1|true`) on any list path: `resourceVersion` (history replayed from it; unset or
 *   `0` → synthetic ADDED first), `fieldSelector`/`labelSelector`, `allowWatchBookmarks`,
 *   `timeoutSeconds`; newline-delimited JSON events with increasing resourceVersions. A
 *   resourceVersion older than the retained history (`watchHistoryLimit`, or everything before
 *   `compactWatchHistory()`) gets what the real API server sends: HTTP 200 and one ERROR event with
 *   a 410 Expired Status. `dropWatches()` cuts every open watch (to test resume).
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DeploymentOptions,
  emptyObjects,
  type FakeObjects,
  type Json,
  makeDeployment,
  makeNamespace,
  makePod,
  nameOf,
  type PodOptions,
  type PodState,
  safeSuffix,
  uid,
} from './kube-objects.ts';

export * from './kube-objects.ts';

const TLS_DIR = fileURLToPath(new URL('./tls/', import.meta.url));
export const FAKE_CA_PATH = join(TLS_DIR, 'ca.crt');
export const OTHER_CA_PATH = join(TLS_DIR, 'other-ca.crt');

/** The bearer token in the kubeconfig and the identity the fake's 403 messages name. */
export const FAKE_TOKEN = 'fake-kube-token-0123456789';
export const FAKE_USER = 'system:serviceaccount:ops:shipmate';

/** `expired` on a watch is the API server's ERROR event with a 410 Status; `conflict` is 409. */
/**
 * `hang`: never answered. `stall-body` / `cut-body`: a 200 whose headers and first half of the body
 * arrive, then nothing more (stall) or the connection is destroyed (cut). `silent-watch`: a watch
 * answered 200 at once that then never sends an event, a bookmark or its end (a proxy or an API
 * server replica that lost its watch cache), while the connection stays open.
 */
export type FailureKind =
  | 'forbidden'
  | 'unauthorized'
  | 'server-error'
  | 'hang'
  | 'expired'
  | 'conflict'
  | 'stall-body'
  | 'cut-body'
  | 'silent-watch';

export interface RecordedRequest {
  method: string;
  /** Path without the query, cluster prefix included. */
  path: string;
  query: Record<string, string>;
  /** `main`, `other`. */
  cluster: string;
  userAgent: string;
  authorization: string;
  /** Status sent (0 while hanging; 200 once a watch started streaming). */
  status: number;
  /** The request body, for writes. */
  body?: string;
  contentType?: string;
}

/** A write the fake persisted (dry runs and refused requests are not writes). */
export interface RecordedWrite {
  method: string;
  cluster: string;
  resource: string;
  namespace?: string;
  name: string;
  contentType: string;
  /** The parsed request body. */
  patch: unknown;
  fieldManager?: string;
  /** The object's resourceVersion after the write. */
  resourceVersion: string;
}

/** How pods of an image that never becomes ready fail. */
export type NeverReadyKind = 'ImagePullBackOff' | 'CrashLoopBackOff' | 'Unschedulable';

/** The default `neverReady`: an image containing `missing` cannot be pulled; tag `broken` crash-loops. */
export function defaultNeverReady(image: string): NeverReadyKind | undefined {
  if (image.includes('missing')) return 'ImagePullBackOff';
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  if (tag === 'broken') return 'CrashLoopBackOff';
  return undefined;
}

export interface FakeKube {
  /** `https://127.0.0.1:<port>` */
  url: string;
  kubeconfigPath: string;
  /** Context names in the kubeconfig; the first is current. */
  contexts: string[];
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** TLS connections accepted so far (to check that clients pool connections). */
  readonly connections: number;
  /** Makes requests whose `path?query` matches fail; `times` limits how many (default: until cleared). */
  fail(path: RegExp, kind: FailureKind, opts?: { times?: number }): void;
  clearFailures(): void;
  /** Replaces a cluster's objects (`main` by default). */
  setObjects(objects: FakeObjects, cluster?: string): void;
  /** Resolves with the first recorded request matching `pred` (already received or future); rejects after `timeoutMs`. */
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Every write persisted, in order (PATCHes that changed stored state). */
  writes: RecordedWrite[];
  /** The stored object now (a copy), or undefined. */
  getObject(
    resource: keyof Omit<FakeObjects, 'logs'>,
    namespace: string | undefined,
    name: string,
    cluster?: string,
  ): Json | undefined;
  /** Stored objects of a kind now (copies), optionally in one namespace. */
  listObjects(resource: keyof Omit<FakeObjects, 'logs'>, namespace?: string, cluster?: string): Json[];
  /** Watch connections open now. */
  readonly openWatches: number;
  /**
   * Ends every open watch: abruptly (socket destroyed, as a dropped connection) by default, or
   * `graceful`ly (a BOOKMARK at the current resourceVersion when the client allowed bookmarks, then
   * the end of the response, as on `timeoutSeconds`). Returns how many were open.
   */
  dropWatches(opts?: { graceful?: boolean }): number;
  /** Forgets the watch history: a watch from any resourceVersion seen so far gets 410 Expired. */
  compactWatchHistory(): void;
  close(): Promise<void>;
}

export interface FakeKubeOptions {
  objects?: FakeObjects;
  /** Objects of the `fake-other` context. */
  other?: FakeObjects;
  /** One rolling-update step every this many ms (default 50). */
  rolloutTickMs?: number;
  /**
   * Real seconds → fake seconds for the controller's clocks (default 0.001: a 600 s
   * progressDeadlineSeconds passes in 0.6 s).
   */
  timeScale?: number;
  /** Which images never become ready, and how their pods fail (default {@link defaultNeverReady}). */
  neverReady?: (image: string) => NeverReadyKind | undefined | false;
  /** Watch events kept for resuming; a watch from before the oldest kept gets 410 (default 1,000). */
  watchHistoryLimit?: number;
}

interface Stored {
  key: string;
  obj: Json;
  json: string;
}

type Store = Record<Exclude<keyof FakeObjects, 'logs'>, Stored[]> & { logs: Record<string, string> };

interface Resource {
  plural: keyof Omit<FakeObjects, 'logs'>;
  kind: string;
  group: '' | 'apps';
  namespaced: boolean;
}

const RESOURCES: Record<string, Resource> = {
  pods: { plural: 'pods', kind: 'Pod', group: '', namespaced: true },
  events: { plural: 'events', kind: 'Event', group: '', namespaced: true },
  nodes: { plural: 'nodes', kind: 'Node', group: '', namespaced: false },
  namespaces: { plural: 'namespaces', kind: 'Namespace', group: '', namespaced: false },
  deployments: { plural: 'deployments', kind: 'Deployment', group: 'apps', namespaced: true },
  replicasets: { plural: 'replicasets', kind: 'ReplicaSet', group: 'apps', namespaced: true },
  statefulsets: { plural: 'statefulsets', kind: 'StatefulSet', group: 'apps', namespaced: true },
  daemonsets: { plural: 'daemonsets', kind: 'DaemonSet', group: 'apps', namespaced: true },
};

function toStore(objects: FakeObjects): Store {
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

function get(obj: unknown, path: string): unknown {
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

function status(code: number, reason: string, message: string, details?: Json): string {
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

// ---------------------------------------------------------------------------------------------
// Patches, as the API server applies them to the fields the deploy flow touches.

/** Lists merged by a key under strategic merge (the API's `patchMergeKey`s); other lists replace. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  resourceClaims: 'name',
};

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Drops `$…` directive keys, recursively. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

interface MergeNotes {
  /** `path[index]` of list items a merge added (no existing item had their merge key). */
  added: { path: string; key: string; value: unknown }[];
}

/** application/strategic-merge-patch+json: maps merge, `null` deletes, keyed lists merge by key. */
export function strategicMerge(
  orig: unknown,
  patch: Json,
  path = '',
  notes: MergeNotes = { added: [] },
): unknown {
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Json = isObj(orig) ? { ...orig } : {};
  for (const [k, v] of Object.entries(patch)) {
    // $setElementOrder/…, $retainKeys, $deleteFromPrimitiveList/…: ordering and pruning hints.
    if (k.startsWith('$')) continue;
    const p = path ? `${path}.${k}` : k;
    const key = MERGE_KEYS[k];
    if (v === null) delete out[k];
    else if (Array.isArray(v) && key)
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, key, p, notes);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v, p, notes);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

function mergeList(
  orig: unknown[],
  patch: unknown[],
  key: string,
  path: string,
  notes: MergeNotes,
): unknown[] {
  if (patch.some((i) => isObj(i) && i.$patch === 'replace')) {
    return patch.filter((i) => !(isObj(i) && i.$patch === 'replace')).map(stripDirectives);
  }
  const out = [...orig];
  for (const item of patch) {
    if (!isObj(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMerge(out[idx], item, `${path}[${idx}]`, notes);
    } else {
      notes.added.push({ path: `${path}[${out.length}]`, key, value: item[key] });
      out.push(strategicMerge(undefined, item, `${path}[${out.length}]`, notes));
    }
  }
  return out;
}

/** application/merge-patch+json (RFC 7386). */
export function mergePatch(orig: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(orig) ? { ...orig } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * application/json-patch+json (RFC 6902: add, remove, replace, test, copy, move). Throws with the
 * API server's wording on a failed `test` or a missing path.
 */
export function jsonPatch(orig: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('json patch must be an array of operations');
  let doc = clone(orig);
  const parse = (p: unknown): string[] => {
    if (typeof p !== 'string' || (p !== '' && !p.startsWith('/')))
      throw new Error(`invalid JSON pointer "${p}"`);
    return p === ''
      ? []
      : p
          .slice(1)
          .split('/')
          .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const parentOf = (path: string[]): { parent: unknown; key: string } => {
    let cur: unknown = doc;
    for (const t of path.slice(0, -1)) {
      cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
      if (cur === undefined) throw new Error(`doc is missing path: /${path.join('/')}`);
    }
    return { parent: cur, key: path[path.length - 1] ?? '' };
  };
  const read = (path: string[]): unknown => {
    if (path.length === 0) return doc;
    const { parent, key } = parentOf(path);
    const v = Array.isArray(parent) ? parent[Number(key)] : isObj(parent) ? parent[key] : undefined;
    if (v === undefined) throw new Error(`doc is missing path: /${path.join('/')}`);
    return v;
  };
  const write = (path: string[], value: unknown, insert: boolean): void => {
    if (path.length === 0) {
      doc = value;
      return;
    }
    const { parent, key } = parentOf(path);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else if (isObj(parent)) parent[key] = value;
    else throw new Error(`doc is missing path: /${path.join('/')}`);
  };
  const del = (path: string[]): void => {
    read(path);
    const { parent, key } = parentOf(path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Json)[key];
  };
  for (const op of ops as Json[]) {
    const path = parse(op.path);
    switch (op.op) {
      case 'add':
        write(path, clone(op.value), true);
        break;
      case 'replace':
        read(path);
        write(path, clone(op.value), false);
        break;
      case 'remove':
        del(path);
        break;
      case 'test':
        if (!sameJson(read(path), op.value)) throw new Error(`testing value /${path.join('/')} failed`);
        break;
      case 'copy':
        write(path, clone(read(parse(op.from))), true);
        break;
      case 'move': {
        const from = parse(op.from);
        const v = read(from);
        del(from);
        write(path, v, true);
        break;
      }
      default:
        throw new Error(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** JSON with sorted keys: the same template always hashes the same. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

/**
 * A pod template without the pod-template-hash label, and without nulls and empty maps/lists — the
 * API server compares templates as Go structs, where `"creationTimestamp": null` (which kubectl
 * sends back) and an absent field are the same.
 */
function bareTemplate(t: unknown): Json {
  const c = clone((t ?? {}) as Json);
  const labels = (c.metadata as Json | undefined)?.labels as Record<string, string> | undefined;
  if (labels) delete labels[HASH_LABEL];
  return (normalized(c) ?? {}) as Json;
}

function normalized(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(normalized).filter((x) => x !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (isObj(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalized(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return v;
}

interface Cause {
  reason: string;
  field: string;
  message: string;
}

/**
 * The API server's validation of the Deployment fields a deploy changes, plus the fake's two extra
 * rules (see the file comment): images with whitespace or upper case, containers a patch added.
 */
function validateDeployment(next: Json, old: Json, notes: MergeNotes): Cause[] {
  const causes: Cause[] = [];
  const spec = (next.spec ?? {}) as Json;
  const tmpl = (spec.template ?? {}) as Json;
  const podSpec = (tmpl.spec ?? {}) as Json;
  const base = 'spec.template.spec.containers';
  for (const a of notes.added) {
    if (a.path.startsWith(`${base}[`) && a.key === 'name') {
      causes.push({
        reason: 'FieldValueNotFound',
        field: `${a.path}.name`,
        message: `Not found: ${JSON.stringify(a.value)} (the pod template has no such container)`,
      });
    }
  }
  const containers = (podSpec.containers ?? []) as Json[];
  if (containers.length === 0)
    causes.push({ reason: 'FieldValueRequired', field: base, message: 'Required value' });
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const name = typeof c.name === 'string' ? c.name : '';
    const image = typeof c.image === 'string' ? c.image : '';
    if (!name)
      causes.push({ reason: 'FieldValueRequired', field: `${base}[${i}].name`, message: 'Required value' });
    else if (seen.has(name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `${base}[${i}].name`,
        message: `Duplicate value: "${name}"`,
      });
    seen.add(name);
    if (!image)
      causes.push({ reason: 'FieldValueRequired', field: `${base}[${i}].image`, message: 'Required value' });
    else if (/\s/.test(image))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${base}[${i}].image`,
        message: `Invalid value: ${JSON.stringify(image)}: invalid reference format: must not contain whitespace`,
      });
    else if (/[A-Z]/.test(repositoryOf(image)))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${base}[${i}].image`,
        message: `Invalid value: ${JSON.stringify(image)}: invalid reference format: repository name must be lowercase`,
      });
  });
  const replicas = spec.replicas;
  if (typeof replicas === 'number' && replicas < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
    });
  }
  const oldSpec = (old.spec ?? {}) as Json;
  if (!sameJson(spec.selector, oldSpec.selector)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.selector',
      message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
    });
  }
  const want = ((spec.selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
  const labels = ((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  if (Object.entries(want).some(([k, v]) => labels[k] !== v)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
  return causes;
}

/** `registry:5000/team/app` of `registry:5000/team/app:1.2@sha256:…` (tags may be upper case; names not). */
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** `25%` of `total`, rounded up (surge) or down (unavailable); a plain number as is. */
function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** RFC 3339 with seconds, as the API server writes times. */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const API_RESOURCES_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    {
      name: 'events',
      singularName: 'event',
      namespaced: true,
      kind: 'Event',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['ev'],
    },
    {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['ns'],
    },
    {
      name: 'nodes',
      singularName: 'node',
      namespaced: false,
      kind: 'Node',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['no'],
    },
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  ],
};
const API_RESOURCES_APPS = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'apps/v1',
  resources: [
    {
      name: 'daemonsets',
      singularName: 'daemonset',
      namespaced: true,
      kind: 'DaemonSet',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['ds'],
      categories: ['all'],
    },
    {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['get', 'list', 'patch', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
    },
    {
      name: 'replicasets',
      singularName: 'replicaset',
      namespaced: true,
      kind: 'ReplicaSet',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['rs'],
      categories: ['all'],
    },
    {
      name: 'statefulsets',
      singularName: 'statefulset',
      namespaced: true,
      kind: 'StatefulSet',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['sts'],
      categories: ['all'],
    },
  ],
};
const API_GROUPS = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    {
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    },
  ],
};

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const clusters: Record<string, Store> = {
    main: toStore(opts.objects ?? emptyObjects()),
    other: toStore(opts.other ?? emptyObjects()),
  };
  const requests: RecordedRequest[] = [];
  const waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  let failures: { path: RegExp; kind: FailureKind; remaining: number }[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let rv = 5_000_000;

  /** Responses to send only half of (see {@link FailureKind}). */
  const brokenBodies = new WeakMap<ServerResponse, 'stall-body' | 'cut-body'>();
  const send = (
    res: ServerResponse,
    rec: RecordedRequest,
    code: number,
    body: string,
    type = 'application/json',
  ): void => {
    rec.status = code;
    res.writeHead(code, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache, private',
    });
    const broken = brokenBodies.get(res);
    if (broken) {
      res.write(body.slice(0, Math.floor(body.length / 2)));
      if (broken === 'cut-body') setTimeout(() => res.socket?.destroy(), 20);
      return; // stall-body: close() destroys the socket
    }
    res.end(body);
  };

  // -------------------------------------------------------------------------------------------
  // Writes, watches and the Deployment controller simulation.

  const tickMs = opts.rolloutTickMs ?? 50;
  const timeScale = opts.timeScale ?? 0.001;
  const neverReady = opts.neverReady ?? defaultNeverReady;
  const historyLimit = opts.watchHistoryLimit ?? 1000;
  const writes: RecordedWrite[] = [];

  interface HistoryEvent {
    rv: number;
    type: 'ADDED' | 'MODIFIED' | 'DELETED';
    plural: string;
    obj: Json;
    json: string;
  }
  interface RolloutState {
    /** When the rollout last made progress (ms); the progress deadline counts from here. */
    lastProgressAt: number;
  }
  interface ClusterState {
    history: HistoryEvent[];
    /** Watches from a resourceVersion below this get 410 Expired. */
    compactedRv: number;
    rollouts: Map<string, RolloutState>;
    podSeq: number;
  }
  interface Watcher {
    cluster: string;
    plural: string;
    matches: (obj: Json) => boolean;
    res: ServerResponse;
    bookmarks: boolean;
    kind: string;
    apiVersion: string;
    timer?: NodeJS.Timeout;
  }
  const freshState = (): ClusterState => ({ history: [], compactedRv: 0, rollouts: new Map(), podSeq: 0 });
  const states: Record<string, ClusterState> = { main: freshState(), other: freshState() };
  const watchers = new Set<Watcher>();
  let ticker: NodeJS.Timeout | undefined;

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

  const handlePatch = (
    res: ServerResponse,
    rec: RecordedRequest,
    cluster: string,
    resource: Resource,
    namespace: string,
    name: string,
    body: string,
    o: { contentType: string; query: URLSearchParams },
  ) => {
    const key = `${namespace}/${name}`;
    const old = lookup(cluster, resource.plural, key);
    if (!old) {
      const details: Json = { name, kind: resource.plural };
      if (resource.group) details.group = resource.group;
      return send(res, rec, 404, status(404, 'NotFound', `${resource.plural} "${name}" not found`, details));
    }
    const dryRun = o.query.getAll('dryRun');
    if (dryRun.length > 0 && !(dryRun.length === 1 && dryRun[0] === 'All')) {
      return send(
        res,
        rec,
        400,
        status(
          400,
          'BadRequest',
          `dryRun: Unsupported value: "${dryRun.join(',')}": supported values: "All"`,
        ),
      );
    }
    const type = o.contentType.split(';')[0]?.trim() ?? '';
    const strategic = type === 'application/strategic-merge-patch+json';
    const json6902 = type === 'application/json-patch+json';
    if (!strategic && !json6902 && type !== 'application/merge-patch+json') {
      return send(
        res,
        rec,
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (fake-kube does not implement ${type || 'this type'})`,
        ),
      );
    }
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (e) {
      return send(res, rec, 400, status(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`));
    }
    if (!isObj(patch) && !(json6902 && Array.isArray(patch))) {
      return send(res, rec, 400, status(400, 'BadRequest', 'error decoding patch: not a JSON object'));
    }
    const oldMeta = (old.metadata ?? {}) as Json;
    const wantRv = isObj(patch) ? (patch.metadata as Json | undefined)?.resourceVersion : undefined;
    if (wantRv !== undefined && wantRv !== oldMeta.resourceVersion) {
      return send(
        res,
        rec,
        409,
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: resource.group, kind: resource.plural },
        ),
      );
    }
    const notes: MergeNotes = { added: [] };
    let merged: Json;
    try {
      merged = (
        json6902
          ? jsonPatch(old, patch)
          : strategic
            ? strategicMerge(clone(old), patch as Json, '', notes)
            : mergePatch(clone(old), patch)
      ) as Json;
    } catch (e) {
      return send(res, rec, 422, status(422, 'Invalid', (e as Error).message));
    }
    // Identity and status are the server's: a patch of the main resource cannot change them.
    const meta = { ...((merged.metadata ?? {}) as Json) };
    for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation'])
      if (oldMeta[k] !== undefined) meta[k] = oldMeta[k];
    merged.metadata = meta;
    if (old.status !== undefined) merged.status = clone(old.status);
    else delete merged.status;
    if (resource.plural === 'deployments') {
      const causes = validateDeployment(merged, old, notes);
      if (causes.length > 0) {
        const all = causes.map((c) => `${c.field}: ${c.message}`);
        const kind = `${resource.kind}${resource.group ? `.${resource.group}` : ''}`;
        return send(
          res,
          rec,
          422,
          status(
            422,
            'Invalid',
            `${kind} "${name}" is invalid: ${all.length === 1 ? all[0] : `[${all.join(', ')}]`}`,
            {
              name,
              group: resource.group,
              kind: resource.kind,
              causes,
            },
          ),
        );
      }
    }
    const specChanged = !sameJson(old.spec, merged.spec);
    if (specChanged && typeof oldMeta.generation === 'number') meta.generation = oldMeta.generation + 1;
    if (dryRun.length > 0) return send(res, rec, 200, JSON.stringify(merged));
    if (sameJson(old, merged)) return send(res, rec, 200, JSON.stringify(old));
    put(cluster, resource.plural, merged);
    const write: RecordedWrite = {
      method: 'PATCH',
      cluster,
      resource: resource.plural,
      namespace,
      name,
      contentType: type,
      patch,
      resourceVersion: String(meta.resourceVersion),
    };
    const fieldManager = o.query.get('fieldManager');
    if (fieldManager) write.fieldManager = fieldManager;
    writes.push(write);
    if (resource.plural === 'deployments' && specChanged) startRollout(cluster, key);
    return send(res, rec, 200, JSON.stringify(merged));
  };

  /** The controller acts on the next tick, as the real one acts after the write returned. */
  const startRollout = (cluster: string, key: string): void => {
    stateOf(cluster).rollouts.set(key, { lastProgressAt: Date.now() });
    if (!ticker) ticker = setInterval(tick, tickMs);
  };

  const tick = (): void => {
    let active = 0;
    for (const [cluster, st] of Object.entries(states)) {
      for (const [key, r] of [...st.rollouts]) {
        let keep = false;
        try {
          keep = reconcile(cluster, key, r);
        } catch (e) {
          console.error(`fake-kube: deployment controller failed on ${cluster}/${key}:`, e);
        }
        if (keep) active += 1;
        else st.rollouts.delete(key);
      }
    }
    if (active === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  const isReadyPod = (p: Json): boolean =>
    (((p.status as Json | undefined)?.conditions ?? []) as Json[]).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  const isStartingPod = (p: Json): boolean =>
    (((p.status as Json | undefined)?.containerStatuses ?? []) as Json[]).some(
      (c) => ((c.state as Json | undefined)?.waiting as Json | undefined)?.reason === 'ContainerCreating',
    );
  const ownerName = (o: Json): string | undefined =>
    (((o.metadata as Json).ownerReferences ?? []) as Json[]).find((r) => r.controller)?.name as
      | string
      | undefined;
  const ownerUid = (o: Json): string | undefined =>
    (((o.metadata as Json).ownerReferences ?? []) as Json[]).find((r) => r.controller)?.uid as
      | string
      | undefined;
  const revisionOf = (o: Json): number =>
    Number(((o.metadata as Json).annotations as Record<string, string> | undefined)?.[REVISION] ?? 0) || 0;
  const podsOf = (cluster: string, namespace: string, rsName: string): Json[] =>
    (clusters[cluster] as Store).pods
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerName(s.obj) === rsName)
      .map((s) => s.obj);

  /** A pod of `rs` in `state`, its containers' images as the template says. */
  const makeRsPod = (cluster: string, rs: Json, state: PodState, name?: string, created?: string): Json => {
    const meta = rs.metadata as Json;
    const tmpl = (rs.spec as Json).template as Json;
    const cs = ((tmpl.spec as Json).containers ?? []) as Json[];
    // makePod puts `state` on the first container: put the failing one first.
    const broken = cs.findIndex((c) => neverReady(String(c.image)));
    const ordered = broken > 0 ? [cs[broken] as Json, ...cs.filter((_, i) => i !== broken)] : cs;
    const st = stateOf(cluster);
    st.podSeq += 1;
    const podName = name ?? `${meta.name}-${safeSuffix(`${cluster}/${meta.name}/${st.podSeq}`, 5)}`;
    const pod = makePod({
      namespace: String(meta.namespace),
      name: podName,
      now: new Date(),
      owner: { kind: 'ReplicaSet', name: String(meta.name) },
      labels: { ...(((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>) },
      containers: ordered.map((c) => String(c.name)),
      image: String(ordered[0]?.image ?? ''),
      state,
      ageMinutes: 0,
    });
    const images = new Map(ordered.map((c) => [String(c.name), String(c.image)]));
    for (const c of ((pod.spec as Json).containers ?? []) as Json[]) c.image = images.get(String(c.name));
    for (const c of ((pod.status as Json).containerStatuses ?? []) as Json[])
      c.image = images.get(String(c.name));
    if (created) (pod.metadata as Json).creationTimestamp = created;
    return pod;
  };

  const stateForNewPod = (rs: Json): PodState => {
    const cs = ((((rs.spec as Json).template as Json).spec as Json).containers ?? []) as Json[];
    for (const c of cs) {
      const kind = neverReady(String(c.image));
      if (kind === 'ImagePullBackOff') return { kind: 'imagePull', image: String(c.image), backoff: true };
      if (kind === 'CrashLoopBackOff') return { kind: 'crashLoop', restarts: 3, exitCode: 1 };
      if (kind === 'Unschedulable') return { kind: 'unschedulable' };
    }
    return { kind: 'containerCreating', sinceMinutes: 0 };
  };

  /** Sets a ReplicaSet's replicas (dropping unready pods first) and status; returns the stored copy. */
  const scaleReplicaSet = (cluster: string, rs: Json, replicas: number, readyNow?: number): Json => {
    const next = clone(rs);
    const spec = next.spec as Json;
    const meta = next.metadata as Json;
    const before = Number(spec.replicas ?? 0);
    const st = (next.status ?? {}) as Json;
    let ready = readyNow ?? Number(st.readyReplicas ?? 0);
    if (readyNow === undefined && replicas < before) {
      const unhealthy = Math.max(0, before - ready);
      ready = Math.max(0, ready - Math.max(0, before - replicas - unhealthy));
      const pods = podsOf(cluster, String(meta.namespace), String(meta.name)).sort(
        (a, b) => Number(isReadyPod(a)) - Number(isReadyPod(b)),
      );
      for (const p of pods.slice(0, before - replicas)) remove(cluster, 'pods', keyOf(p));
    }
    ready = Math.min(ready, replicas);
    spec.replicas = replicas;
    const status: Json = { replicas, observedGeneration: meta.generation ?? 1 };
    if (replicas > 0) status.fullyLabeledReplicas = replicas;
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    next.status = status;
    if (sameJson(next, rs)) return rs;
    return put(cluster, 'replicasets', next);
  };

  const setCondition = (
    status: Json,
    type: string,
    value: string,
    reason: string,
    message: string,
    now: string,
    touch: boolean,
  ): void => {
    const conditions = ((status.conditions ?? []) as Json[]).map((c) => ({ ...c }));
    const i = conditions.findIndex((c) => c.type === type);
    const old = i >= 0 ? conditions[i] : undefined;
    const same = old && old.status === value && old.reason === reason && old.message === message;
    if (same && !touch) return;
    const c: Json = {
      type,
      status: value,
      lastUpdateTime: now,
      lastTransitionTime: old && old.status === value ? old.lastTransitionTime : now,
      reason,
      message,
    };
    if (i >= 0) conditions[i] = c;
    else conditions.push(c);
    status.conditions = conditions;
  };

  /**
   * One step of the Deployment controller for one Deployment; returns whether to keep ticking.
   * Follows the real controller's rolling update: maxSurge/maxUnavailable bound the pods, old
   * ReplicaSets scale down as new pods become available, status is computed from the ReplicaSets.
   */
  const reconcile = (cluster: string, key: string, r: RolloutState): boolean => {
    const stored = lookup(cluster, 'deployments', key);
    if (!stored) return false;
    const d = clone(stored);
    const meta = d.metadata as Json;
    const spec = d.spec as Json;
    const namespace = String(meta.namespace);
    const name = String(meta.name);
    const tmpl = spec.template as Json;
    const desired = Number(spec.replicas ?? 1);
    const nowMs = Date.now();
    const now = rfc3339(nowMs);
    const strategy = (spec.strategy ?? {}) as Json;
    const rolling = (strategy.rollingUpdate ?? {}) as Json;
    let surge = strategy.type === 'Recreate' ? 0 : intOrPercent(rolling.maxSurge ?? '25%', desired, true);
    let unavailable =
      strategy.type === 'Recreate' ? desired : intOrPercent(rolling.maxUnavailable ?? '25%', desired, false);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    surge = Math.max(0, surge);
    const minAvailable = Math.max(0, desired - unavailable);

    // The ReplicaSet for the current template: an existing one (a rollback) or a new one.
    const owned = (clusters[cluster] as Store).replicasets
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerUid(s.obj) === meta.uid)
      .map((s) => s.obj);
    const bare = bareTemplate(tmpl);
    let newRs = owned.find((rs) => sameJson(bareTemplate((rs.spec as Json).template), bare));
    const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let created = false;
    if (!newRs) {
      const hash = safeSuffix(canonicalJson(bare), 10);
      const rsName = `${name}-${hash}`;
      const labels = { ...(((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>) };
      labels[HASH_LABEL] = hash;
      const selector = clone((spec.selector ?? {}) as Json);
      selector.matchLabels = { ...((selector.matchLabels ?? {}) as Json), [HASH_LABEL]: hash };
      newRs = put(cluster, 'replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace,
          uid: uid(`ReplicaSet/${namespace}/${rsName}`),
          generation: 1,
          creationTimestamp: now,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(desired),
            'deployment.kubernetes.io/max-replicas': String(desired + surge),
            [REVISION]: String(maxRevision + 1),
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: meta.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 0,
          selector,
          template: { ...clone(tmpl), metadata: { ...clone((tmpl.metadata ?? {}) as Json), labels } },
        },
        status: { replicas: 0, observedGeneration: 1 },
      });
      created = true;
    } else if (revisionOf(newRs) < maxRevision) {
      // Rolling back to an old template reuses its ReplicaSet under the next revision number.
      const next = clone(newRs);
      const ann = ((next.metadata as Json).annotations ?? {}) as Record<string, string>;
      const history = [ann['deployment.kubernetes.io/revision-history'], ann[REVISION]].filter(Boolean);
      ann['deployment.kubernetes.io/revision-history'] = history.join(',');
      ann[REVISION] = String(maxRevision + 1);
      (next.metadata as Json).annotations = ann;
      newRs = put(cluster, 'replicasets', next);
    }
    const rsName = String((newRs.metadata as Json).name);
    const status = clone((d.status ?? {}) as Json);
    const firstLook = Number(status.observedGeneration ?? 0) < Number(meta.generation ?? 0);
    let progressed = false;
    if (firstLook) {
      status.observedGeneration = meta.generation;
      r.lastProgressAt = nowMs;
    }
    const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
    annotations[REVISION] = String(revisionOf(newRs));
    meta.annotations = annotations;

    const paused = spec.paused === true;
    let newPods = podsOf(cluster, namespace, rsName);
    const old = owned
      .filter((rs) => (rs.metadata as Json).name !== rsName && Number((rs.spec as Json).replicas ?? 0) > 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    if (!paused) {
      // New pods start; one becomes Ready a tick.
      const starting = newPods.find(isStartingPod);
      if (starting) {
        const sm = starting.metadata as Json;
        put(
          cluster,
          'pods',
          makeRsPod(cluster, newRs, { kind: 'running' }, String(sm.name), String(sm.creationTimestamp)),
        );
        progressed = true;
        newPods = podsOf(cluster, namespace, rsName);
      }
      const newReady = newPods.filter(isReadyPod).length;
      let oldTotal = old.reduce((n, rs) => n + Number((rs.spec as Json).replicas ?? 0), 0);
      const oldReady = old.reduce(
        (n, rs) =>
          n +
          Math.min(
            Number((rs.status as Json | undefined)?.readyReplicas ?? 0),
            Number((rs.spec as Json).replicas ?? 0),
          ),
        0,
      );
      // Scale old ReplicaSets down as far as availability allows (unhealthy pods first).
      let budget = oldTotal + newPods.length - minAvailable - (newPods.length - newReady);
      let healthyBudget = oldReady + newReady - minAvailable;
      for (const rs of old) {
        if (budget <= 0) break;
        const replicas = Number((rs.spec as Json).replicas ?? 0);
        const ready = Math.min(Number((rs.status as Json | undefined)?.readyReplicas ?? 0), replicas);
        const unhealthy = Math.min(replicas - ready, budget);
        budget -= unhealthy;
        const healthy = Math.max(0, Math.min(ready, budget, healthyBudget));
        budget -= healthy;
        healthyBudget -= healthy;
        if (unhealthy + healthy > 0) {
          scaleReplicaSet(cluster, rs, replicas - unhealthy - healthy);
          oldTotal -= unhealthy + healthy;
          progressed = true;
        }
      }
      // Scale the new ReplicaSet up within maxSurge (or down, when replicas shrank).
      if (newPods.length < desired) {
        const room = desired + surge - (oldTotal + newPods.length);
        const n = Math.min(room, desired - newPods.length);
        for (let i = 0; i < n; i++) put(cluster, 'pods', makeRsPod(cluster, newRs, stateForNewPod(newRs)));
        if (n > 0) progressed = true;
      } else if (newPods.length > desired) {
        const extra = [...newPods]
          .sort((a, b) => Number(isReadyPod(a)) - Number(isReadyPod(b)))
          .slice(0, newPods.length - desired);
        for (const p of extra) remove(cluster, 'pods', keyOf(p));
        progressed = true;
      }
      newPods = podsOf(cluster, namespace, rsName);
      newRs = scaleReplicaSet(cluster, newRs, newPods.length, newPods.filter(isReadyPod).length);
    }

    // Status from the ReplicaSets, as the controller computes it.
    const all = (clusters[cluster] as Store).replicasets
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerUid(s.obj) === meta.uid)
      .map((s) => s.obj);
    const total = all.reduce((n, rs) => n + Number((rs.spec as Json).replicas ?? 0), 0);
    const available = all.reduce(
      (n, rs) => n + Number((rs.status as Json | undefined)?.availableReplicas ?? 0),
      0,
    );
    const ready = all.reduce((n, rs) => n + Number((rs.status as Json | undefined)?.readyReplicas ?? 0), 0);
    const updated = Number((newRs.spec as Json).replicas ?? 0);
    status.replicas = total;
    status.updatedReplicas = updated;
    for (const [k, v] of [
      ['readyReplicas', ready],
      ['availableReplicas', available],
      ['unavailableReplicas', Math.max(0, total - available)],
    ] as const) {
      if (v > 0) status[k] = v;
      else delete status[k];
    }
    setCondition(
      status,
      'Available',
      available >= minAvailable ? 'True' : 'False',
      available >= minAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      available >= minAvailable
        ? 'Deployment has minimum availability.'
        : 'Deployment does not have minimum availability.',
      now,
      false,
    );
    const complete = updated === desired && total === desired && available >= desired;
    let keep = true;
    if (paused) {
      setCondition(status, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now, false);
      keep = false;
    } else if (complete) {
      setCondition(
        status,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        now,
        progressed,
      );
      keep = false;
    } else if (progressed) {
      r.lastProgressAt = nowMs;
      const [reason, message] = firstLook
        ? created
          ? ['NewReplicaSetCreated', `Created new replica set "${rsName}"`]
          : ['FoundNewReplicaSet', `Found new replica set "${rsName}"`]
        : ['ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`];
      setCondition(status, 'Progressing', 'True', reason, message, now, true);
    } else if (nowMs - r.lastProgressAt > Number(spec.progressDeadlineSeconds ?? 600) * 1000 * timeScale) {
      setCondition(
        status,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
        now,
        false,
      );
      keep = false;
    }
    d.status = status;
    if (!sameJson(d, stored)) put(cluster, 'deployments', d);
    return keep;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body?: string) => {
    const u = new URL(req.url ?? '/', 'https://127.0.0.1');
    let path = u.pathname;
    let cluster = 'main';
    const prefix = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path);
    if (prefix) {
      cluster = prefix[1] as string;
      path = prefix[2] ?? '/';
    }
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      cluster,
      userAgent: String(req.headers['user-agent'] ?? ''),
      authorization: String(req.headers.authorization ?? ''),
      status: 0,
    };
    if (body !== undefined) {
      rec.body = body;
      rec.contentType = String(req.headers['content-type'] ?? '');
    }
    requests.push(rec);
    for (const w of [...waiters]) {
      if (w.pred(rec)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(rec);
      }
    }
    const store = clusters[cluster];
    if (!store)
      return send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
      return send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const methodNotAllowed = () =>
      send(
        res,
        rec,
        405,
        status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
      );
    if (req.method !== 'GET' && req.method !== 'PATCH') return methodNotAllowed();

    // Route: discovery, then /api/v1/... and /apis/apps/v1/...
    if (path === '/version') {
      return send(
        res,
        rec,
        200,
        JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.2-fake', platform: 'linux/amd64' }),
      );
    }
    if (path === '/api')
      return send(
        res,
        rec,
        200,
        JSON.stringify({
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:443' }],
        }),
      );
    if (path === '/apis') return send(res, rec, 200, JSON.stringify(API_GROUPS));
    if (path === '/api/v1') return send(res, rec, 200, JSON.stringify(API_RESOURCES_V1));
    if (path === '/apis/apps/v1') return send(res, rec, 200, JSON.stringify(API_RESOURCES_APPS));

    const m =
      /^\/api\/v1(?:\/namespaces\/([^/]+))?\/(pods|events|nodes|namespaces)(?:\/([^/]+))?(?:\/(log))?$/.exec(
        path,
      ) ??
      /^\/apis\/apps\/v1(?:\/namespaces\/([^/]+))?\/(deployments|replicasets|statefulsets|daemonsets)(?:\/([^/]+))?()$/.exec(
        path,
      );
    // `/api/v1/namespaces/<name>` reads a namespace.
    const nsGet = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    const resource = nsGet ? RESOURCES.namespaces : m ? RESOURCES[m[2] as string] : undefined;
    if (!resource || (!m && !nsGet)) {
      return send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const namespace = nsGet ? undefined : m?.[1];
    const name = nsGet ? nsGet[1] : m?.[3];
    const isLog = m?.[4] === 'log';
    const watching = !name && ['1', 'true'].includes(u.searchParams.get('watch') ?? '');
    if (req.method === 'PATCH' && (!name || isLog || !resource.namespaced)) return methodNotAllowed();
    const verb = req.method === 'PATCH' ? 'patch' : watching ? 'watch' : name ? 'get' : 'list';

    const failure = failures.find((f) => f.path.test(`${u.pathname}${u.search}`) && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      switch (failure.kind) {
        case 'hang':
          return; // never answered; close() destroys the socket
        case 'silent-watch':
          if (!watching) break;
          rec.status = 200;
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
          res.flushHeaders();
          return; // open, and silent until the client gives up; close() destroys the socket
        case 'stall-body':
        case 'cut-body':
          brokenBodies.set(res, failure.kind);
          break; // answered as usual, then broken off in send()
        case 'unauthorized':
          return send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
        case 'server-error':
          return send(
            res,
            rec,
            500,
            status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out', {
              causes: [{ message: 'etcdserver: request timed out' }],
            }),
          );
        case 'conflict':
          return send(
            res,
            rec,
            409,
            status(
              409,
              'Conflict',
              `Operation cannot be fulfilled on ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
              { name: name ?? '', group: resource.group, kind: resource.plural },
            ),
          );
        case 'expired':
          if (watching) return startWatch(req, res, rec, cluster, resource, namespace, u.searchParams, true);
          return send(
            res,
            rec,
            410,
            status(
              410,
              'Expired',
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
            ),
          );
        case 'forbidden': {
          const res1 = isLog ? `${resource.plural}/log` : resource.plural;
          const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
          const subject = name ? `${resource.plural} "${name}"` : resource.plural;
          const details: Json = { kind: resource.plural };
          if (name) details.name = name;
          if (resource.group) details.group = resource.group;
          return send(
            res,
            rec,
            403,
            status(
              403,
              'Forbidden',
              `${subject} is forbidden: User "${FAKE_USER}" cannot ${verb} resource "${res1}" in API group "${resource.group}" ${scope}`,
              details,
            ),
          );
        }
      }
    }

    if (req.method === 'PATCH') {
      return handlePatch(res, rec, cluster, resource, namespace as string, name as string, body ?? '', {
        contentType: String(req.headers['content-type'] ?? ''),
        query: u.searchParams,
      });
    }
    if (watching) return startWatch(req, res, rec, cluster, resource, namespace, u.searchParams, false);

    const items = store[resource.plural];
    if (name) {
      const key = resource.namespaced ? `${namespace ?? ''}/${name}` : `/${name}`;
      const found = items.find((s) => s.key === key);
      if (!found) {
        const details: Json = { name, kind: resource.plural };
        if (resource.group) details.group = resource.group;
        return send(
          res,
          rec,
          404,
          status(404, 'NotFound', `${resource.plural} "${name}" not found`, details),
        );
      }
      if (!isLog) return send(res, rec, 200, found.json);
      return serveLog(res, rec, store, found.obj, u.searchParams);
    }

    // A list: filter, then page by key like the real server's continue tokens.
    let match: (s: Stored) => boolean;
    try {
      const byField = fieldMatcher(u.searchParams.get('fieldSelector') ?? undefined);
      const byLabel = labelMatcher(u.searchParams.get('labelSelector') ?? undefined);
      const nsPrefix = namespace !== undefined && resource.namespaced ? `${namespace}/` : undefined;
      match = (s) =>
        (nsPrefix === undefined || s.key.startsWith(nsPrefix)) && byField(s.obj) && byLabel(s.obj);
    } catch (e) {
      return send(res, rec, 400, status(400, 'BadRequest', (e as Error).message));
    }
    let start = 0;
    let listRv = String(rv);
    const token = u.searchParams.get('continue');
    if (token) {
      let decoded: { rv: string; start: string } | undefined;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      if (!decoded?.start)
        return send(
          res,
          rec,
          400,
          status(400, 'BadRequest', 'continue key is not valid: illegal base64 data'),
        );
      listRv = decoded.rv;
      const after = decoded.start;
      start = items.findIndex((s) => s.key > after);
      if (start < 0) start = items.length;
    } else {
      rv += 1;
      listRv = String(rv);
    }
    const limit = Number(u.searchParams.get('limit') ?? '0');
    const page: string[] = [];
    let i = start;
    let lastKey = '';
    for (; i < items.length; i++) {
      const s = items[i] as Stored;
      if (!match(s)) continue;
      if (limit > 0 && page.length >= limit) break;
      page.push(s.json);
      lastKey = s.key;
    }
    const meta: Json = { resourceVersion: listRv };
    if (i < items.length && limit > 0) {
      let remaining = 0;
      for (let j = i; j < items.length; j++) if (match(items[j] as Stored)) remaining += 1;
      if (remaining > 0) {
        meta.continue = Buffer.from(
          JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: lastKey }),
        ).toString('base64');
        // The real server only estimates when no selector filters the list.
        if (!u.searchParams.get('fieldSelector') && !u.searchParams.get('labelSelector'))
          meta.remainingItemCount = remaining;
      }
    }
    const apiVersion = resource.group ? `${resource.group}/v1` : 'v1';
    const head = JSON.stringify({ kind: `${resource.kind}List`, apiVersion, metadata: meta });
    return send(res, rec, 200, `${head.slice(0, -1)},"items":[${page.join(',')}]}`);
  };

  const serveLog = (
    res: ServerResponse,
    rec: RecordedRequest,
    store: Store,
    pod: Json,
    q: URLSearchParams,
  ) => {
    const meta = pod.metadata as Json;
    const containers = ((pod.spec as Json).containers as Json[]).map((c) => String(c.name));
    let container = q.get('container') ?? undefined;
    if (!container) {
      if (containers.length !== 1) {
        return send(
          res,
          rec,
          400,
          status(
            400,
            'BadRequest',
            `a container name must be specified for pod ${meta.name}, choose one of: [${containers.join(' ')}]`,
          ),
        );
      }
      container = containers[0] as string;
    }
    if (!containers.includes(container)) {
      return send(
        res,
        rec,
        400,
        status(400, 'BadRequest', `container ${container} is not valid for pod ${meta.name}`),
      );
    }
    const previous = q.get('previous') === 'true';
    const statuses = (((pod.status as Json | undefined)?.containerStatuses ?? []) as Json[]).find(
      (c) => c.name === container,
    );
    const waiting = ((statuses?.state as Json | undefined)?.waiting as Json | undefined)?.reason;
    if (
      !previous &&
      (!statuses ||
        (waiting && !(statuses.lastState as Json | undefined)?.terminated && !text0(store, meta, container)))
    ) {
      return send(
        res,
        rec,
        400,
        status(
          400,
          'BadRequest',
          `container "${container}" in pod "${meta.name}" is waiting to start: ${waiting ?? 'ContainerCreating'}`,
        ),
      );
    }
    const key = `${meta.namespace}/${meta.name}/${container}${previous ? '/previous' : ''}`;
    let text = store.logs[key];
    if (text === undefined) {
      if (previous) {
        return send(
          res,
          rec,
          400,
          status(
            400,
            'BadRequest',
            `previous terminated container "${container}" in pod "${meta.name}" not found`,
          ),
        );
      }
      text = '';
    }
    const tail = q.get('tailLines');
    if (tail !== null) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const n = Number(tail);
      text = lines.slice(Math.max(0, lines.length - n)).join('\n') + (lines.length > 0 && n > 0 ? '\n' : '');
    }
    const limitBytes = q.get('limitBytes');
    if (limitBytes !== null) text = Buffer.from(text).subarray(0, Number(limitBytes)).toString('utf8');
    return send(res, rec, 200, text, 'text/plain');
  };

  const server: Server = createServer(
    { cert: readFileSync(join(TLS_DIR, 'server.crt')), key: readFileSync(join(TLS_DIR, 'server.key')) },
    (req, res) => {
      const run = (body?: string) => {
        try {
          handle(req, res, body);
        } catch (e) {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(status(500, 'InternalError', `fake-kube: ${(e as Error).stack ?? e}`));
        }
      };
      if (req.method === 'GET' || req.method === 'HEAD') return run();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => run(Buffer.concat(chunks).toString('utf8')));
    },
  );
  server.on('secureConnection', () => {
    connections += 1;
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const contexts = ['fake-main', 'fake-other', 'fake-bad-ca'];
  await writeFile(
    kubeconfigPath,
    kubeconfigYaml({
      current: 'fake-main',
      clusters: [
        { name: 'fake-main', server: url, caPath: FAKE_CA_PATH },
        { name: 'fake-other', server: `${url}/clusters/other`, caPath: FAKE_CA_PATH },
        { name: 'fake-bad-ca', server: url, caPath: OTHER_CA_PATH },
      ],
      token: FAKE_TOKEN,
    }),
  );

  return {
    url,
    kubeconfigPath,
    contexts,
    requests,
    get connections() {
      return connections;
    },
    fail(path, kind, o) {
      failures.push({ path, kind, remaining: o?.times ?? Number.POSITIVE_INFINITY });
    },
    clearFailures() {
      failures = [];
    },
    setObjects(objects, cluster = 'main') {
      clusters[cluster] = toStore(objects);
      states[cluster] = freshState();
    },
    writes,
    getObject(resource, namespace, name, cluster = 'main') {
      const found = lookup(cluster, resource, `${namespace ?? ''}/${name}`);
      return found && clone(found);
    },
    listObjects(resource, namespace, cluster = 'main') {
      const items = clusters[cluster]?.[resource] ?? [];
      return items
        .filter((s) => namespace === undefined || s.key.startsWith(`${namespace}/`))
        .map((s) => clone(s.obj));
    },
    get openWatches() {
      return watchers.size;
    },
    dropWatches(o) {
      const open = [...watchers];
      for (const w of open) endWatch(w, o?.graceful ?? false);
      return open.length;
    },
    compactWatchHistory() {
      for (const st of Object.values(states)) {
        st.history = [];
        st.compactedRv = rv + 1;
      }
    },
    waitForRequest(pred, timeoutMs = 5000) {
      const seen = requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`fake-kube: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      for (const w of [...watchers]) endWatch(w, false);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A log planted for the container's current instance, if any. */
function text0(store: Store, meta: Json, container: string): string | undefined {
  return store.logs[`${meta.namespace}/${meta.name}/${container}`];
}

export { startFakeKube as start };

/**
 * A Deployment ready to roll out: its namespace (if `into` lacks it), the Deployment, its current
 * ReplicaSet and that ReplicaSet's pods (Ready ones for `ready`, default all), pushed into `into`.
 */
export function deploymentObjects(
  opts: DeploymentOptions,
  into: FakeObjects = emptyObjects(),
): FakeObjects & { podTemplateHash: string } {
  const { deployment, replicaSet, podTemplateHash } = makeDeployment(opts);
  if (!into.namespaces.some((n) => nameOf(n) === opts.namespace))
    into.namespaces.push(makeNamespace(opts.namespace));
  into.deployments.push(deployment);
  into.replicasets.push(replicaSet);
  const replicas = opts.replicas ?? 3;
  const ready = opts.ready ?? replicas;
  const rsName = nameOf(replicaSet);
  const labels = {
    ...((((replicaSet.spec as Json).template as Json).metadata as Json).labels as Record<string, string>),
  };
  for (let i = 0; i < replicas; i++) {
    const podOpts: PodOptions = {
      namespace: opts.namespace,
      name: `${rsName}-${safeSuffix(`${rsName}/${i}`, 5)}`,
      owner: { kind: 'ReplicaSet', name: rsName },
      labels,
      containers: opts.containers ?? ['app'],
      image: opts.image ?? `registry.example.com/${opts.namespace}/${opts.name}:1.4.2`,
      state: i < ready ? { kind: 'running' } : { kind: 'notReady' },
    };
    if (opts.now) podOpts.now = opts.now;
    into.pods.push(makePod(podOpts));
  }
  return Object.assign(into, { podTemplateHash });
}

/** A kubeconfig with one context per cluster entry (named alike), all using `token`. */
export function kubeconfigYaml(opts: {
  current: string;
  clusters: { name: string; server: string; caPath?: string; namespace?: string }[];
  token: string;
}): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of opts.clusters) {
    lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`);
    if (c.caPath) lines.push(`    certificate-authority: ${JSON.stringify(c.caPath)}`);
  }
  lines.push('users:', '- name: shipmate', '  user:', `    token: ${opts.token}`, 'contexts:');
  for (const c of opts.clusters) {
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, '    user: shipmate');
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  lines.push(`current-context: ${opts.current}`, '');
  return lines.join('\n');
}
