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
 *
 * This file is the HTTPS server: request recording, authentication, discovery and routing, the
 * controller's ticker, and the handle tests get. Each concept lives beside it: public types
 * (fake-kube-types.ts), stored objects, selectors and Status bodies (fake-kube-store.ts), watches and
 * resourceVersions (fake-kube-watch.ts), reads, lists and logs (fake-kube-reads.ts), PATCH
 * (fake-kube-writes.ts, with fake-kube-patch.ts and fake-kube-validate.ts), the Deployment controller
 * (fake-kube-controller.ts), planted failures (fake-kube-faults.ts), discovery documents
 * (fake-kube-discovery.ts), and the CA, kubeconfig and `deploymentObjects` (fake-kube-config.ts).
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_CA_PATH, FAKE_TOKEN, kubeconfigYaml, OTHER_CA_PATH, TLS_DIR } from './fake-kube-config.ts';
import { createController } from './fake-kube-controller.ts';
import { API_GROUPS, API_RESOURCES_APPS, API_RESOURCES_V1 } from './fake-kube-discovery.ts';
import { ANSWER, createFaults } from './fake-kube-faults.ts';
import { clone } from './fake-kube-patch.ts';
import { createReads } from './fake-kube-reads.ts';
import { RESOURCES, type Store, status, toStore } from './fake-kube-store.ts';
import type {
  FailureKind,
  FakeKube,
  FakeKubeOptions,
  RecordedRequest,
  RecordedWrite,
} from './fake-kube-types.ts';
import { createWatches } from './fake-kube-watch.ts';
import { createPatchHandler } from './fake-kube-writes.ts';
import { emptyObjects } from './kube-objects.ts';

export {
  deploymentObjects,
  FAKE_CA_PATH,
  FAKE_TOKEN,
  FAKE_USER,
  kubeconfigYaml,
  OTHER_CA_PATH,
} from './fake-kube-config.ts';
export { jsonPatch, mergePatch, sameJson, strategicMerge } from './fake-kube-patch.ts';
export { fieldMatcher, labelMatcher } from './fake-kube-store.ts';
export type {
  FailureKind,
  FakeKube,
  FakeKubeOptions,
  NeverReadyKind,
  RecordedRequest,
  RecordedWrite,
} from './fake-kube-types.ts';
export { defaultNeverReady } from './fake-kube-types.ts';

export * from './kube-objects.ts';

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const clusters: Record<string, Store> = {
    main: toStore(opts.objects ?? emptyObjects()),
    other: toStore(opts.other ?? emptyObjects()),
  };
  const requests: RecordedRequest[] = [];
  const waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

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
  const writes: RecordedWrite[] = [];
  let ticker: NodeJS.Timeout | undefined;

  const watches = createWatches(opts, clusters, send);
  const { states, watchers, freshState, stateOf, lookup, endWatch, startWatch } = watches;
  const { reconcile } = createController(opts, clusters, watches);
  const faults = createFaults(send, watches, brokenBodies);
  const read = createReads(send, watches);

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

  const handlePatch = createPatchHandler(send, writes, watches, startRollout);

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
    if (faults.apply(req, res, rec, u, cluster, resource, namespace, name, isLog, watching, verb) !== ANSWER)
      return;

    if (req.method === 'PATCH') {
      return handlePatch(res, rec, cluster, resource, namespace as string, name as string, body ?? '', {
        contentType: String(req.headers['content-type'] ?? ''),
        query: u.searchParams,
      });
    }
    if (watching) return startWatch(req, res, rec, cluster, resource, namespace, u.searchParams, false);
    return read(res, rec, u, store, resource, namespace, name, isLog);
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
    fail: faults.fail,
    clearFailures: faults.clearFailures,
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
        st.compactedRv = watches.rv + 1;
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

export { startFakeKube as start };
