/**
 * A fake Kubernetes API server for tests and benches: HTTPS on 127.0.0.1 (port 0) with the committed
 * test CA (test/fixtures/tls — see generate.sh there for why it is committed), and a temporary
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
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyObjects, type FakeObjects, type Json } from './kube-objects.ts';

export * from './kube-objects.ts';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
export const FAKE_CA_PATH = join(TLS_DIR, 'ca.crt');
export const OTHER_CA_PATH = join(TLS_DIR, 'other-ca.crt');

/** The bearer token in the kubeconfig and the identity the fake's 403 messages name. */
export const FAKE_TOKEN = 'fake-kube-token-0123456789';
export const FAKE_USER = 'system:serviceaccount:ops:shipmate';

export type FailureKind = 'forbidden' | 'unauthorized' | 'server-error' | 'hang' | 'expired';

export interface RecordedRequest {
  method: string;
  /** Path without the query, cluster prefix included. */
  path: string;
  query: Record<string, string>;
  /** `main`, `other`. */
  cluster: string;
  userAgent: string;
  authorization: string;
  /** Status sent (0 while hanging). */
  status: number;
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
  close(): Promise<void>;
}

export interface FakeKubeOptions {
  objects?: FakeObjects;
  /** Objects of the `fake-other` context. */
  other?: FakeObjects;
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
      verbs: ['get', 'list', 'watch'],
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
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
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
    if (req.method !== 'GET') {
      return send(
        res,
        rec,
        405,
        status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
      );
    }

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
    const verb = name ? 'get' : 'list';

    const failure = failures.find((f) => f.path.test(`${u.pathname}${u.search}`) && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      switch (failure.kind) {
        case 'hang':
          return; // never answered; close() destroys the socket
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
        case 'expired':
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
      try {
        handle(req, res);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(status(500, 'InternalError', `fake-kube: ${(e as Error).message}`));
      }
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
