/**
 * The deploy port (tools/shared/kube-deploy-port.ts) over @kubernetes/client-node v2: the same
 * kubeconfig handling, per-context clients, timeouts and error mapping as the read port
 * (src/clients/kube.ts — pass its `pool` to share connections), plus:
 *
 * - Writes are strategic-merge patches (`application/strategic-merge-patch+json`, set with the
 *   library's `setHeaderOptions`: the generated client would otherwise send the first type it
 *   lists, JSON Patch). `dryRun: true` sends `dryRun=All`: the API server validates and runs
 *   admission, returns the would-be object, and persists nothing.
 * - `setImage` is what `kubectl set image` sends; an unknown container is refused before sending,
 *   because a strategic merge would silently add it as a new container.
 * - `rollbackTo` is `kubectl rollout undo --to-revision`: the revision's ReplicaSet template, minus
 *   its pod-template-hash label, replaces spec.template (`$patch: replace`).
 * - `watchDeployment` is a raw watch request (`watch=1&resourceVersion=…&allowWatchBookmarks=true`,
 *   `fieldSelector=metadata.name=…`) over the kubeconfig's own TLS agent and auth headers
 *   (`applyToHTTPSOptions`), not the library's `Watch` class: that class drops the body of a failed
 *   watch (so a 403 could not say which verb is missing) and builds a new TLS dispatcher per watch.
 *   Dropped connections and server-side timeouts resume from the last resourceVersion seen
 *   (bookmarks included); 410 Gone (an HTTP 410, or the ERROR event the API server actually sends
 *   for a compacted resourceVersion) re-gets the Deployment and watches from there; retryable
 *   failures back off (0.1 s doubling to 5 s) for up to `watchRetryMs` before giving up.
 */

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { AppError, isAppError } from '../../tools/shared/errors.ts';
import type {
  KubeDeployment,
  KubeListOptions,
  KubePort,
  KubeReplicaSet,
} from '../../tools/shared/kube-port.ts';
import type {
  DeploymentRef,
  DeploymentSnapshot,
  KubeDeployPort,
  ReplicaSetRevision,
} from '../deploys/kube-deploy-port.ts';
import { ownedBy, POD_TEMPLATE_HASH, revisionOf, snapshotOf } from '../deploys/rollout.ts';
import {
  type ContextClients,
  createKubeContextPool,
  createKubePort,
  type KubeContextPool,
  type KubePortOptions,
  type RequestSite,
  toKubeError,
} from './kube.ts';

export interface KubeDeployPortOptions extends KubePortOptions {
  /** Share contexts and pooled connections with the read port (`createKubeContextPool`). */
  pool?: KubeContextPool;
  /** `fieldManager` of every write unless a call names one (default `shipmate`). */
  fieldManager?: string;
  /** The watch request's server-side `timeoutSeconds` (default 300); the watch then resumes. */
  watchTimeoutSeconds?: number;
  /** How long a watch keeps reconnecting through retryable failures before it throws (default 60,000 ms). */
  watchRetryMs?: number;
}

/** The deploy port, plus `list` (for watchRollout's pod listing) and `close()`. */
export interface KubeDeployClient extends KubeDeployPort, Pick<KubePort, 'list'> {
  close(): Promise<void>;
}

const DEFAULT_FIELD_MANAGER = 'shipmate';

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/** A watch that must restart from a fresh read: its resourceVersion is too old (410 Gone). */
class WatchExpired extends Error {}

/**
 * Builds the deploy port. Never throws: configuration problems surface on the first call, as in
 * createKubePort.
 */
export function createKubeDeployPort(opts: KubeDeployPortOptions = {}): KubeDeployClient {
  const pool = opts.pool ?? createKubeContextPool(opts);
  const reads = createKubePort(opts, pool);
  const fieldManagerDefault = opts.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const watchTimeoutSeconds = opts.watchTimeoutSeconds ?? 300;
  const watchRetryMs = opts.watchRetryMs ?? 60_000;
  const agents = new Set<{ destroy(): void }>();

  const site = (ref: DeploymentRef, verb: RequestSite['verb']) => ({
    verb,
    resource: 'deployments',
    namespace: ref.namespace,
    name: ref.name,
  });

  const getRaw = async (ref: DeploymentRef, signal?: AbortSignal): Promise<KubeDeployment> => {
    const c = pool.clientsFor(ref.cluster);
    return (await pool.call(c, site(ref, 'get'), signal, (o) =>
      c.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }, o),
    )) as KubeDeployment;
  };

  const ownedReplicaSets = async (
    ref: DeploymentRef,
    d: KubeDeployment,
    signal?: AbortSignal,
  ): Promise<KubeReplicaSet[]> => {
    const uid = d.metadata?.uid ?? '';
    const out: KubeReplicaSet[] = [];
    const listOpts: KubeListOptions = { namespace: ref.namespace };
    if (ref.cluster) listOpts.cluster = ref.cluster;
    if (signal) listOpts.signal = signal;
    // The selector narrows the list server-side; ownership decides (selectors may overlap).
    const selector = snapshotOf(d).labelSelector;
    if (selector) listOpts.labelSelector = selector;
    for await (const page of reads.list('replicasets', listOpts)) {
      for (const rs of page.items) if (ownedBy(rs, uid)) out.push(rs);
    }
    return out;
  };

  const patch = async (
    ref: DeploymentRef,
    body: unknown,
    o: { dryRun: boolean; signal?: AbortSignal; fieldManager?: string },
  ): Promise<DeploymentSnapshot> => {
    const c = pool.clientsFor(ref.cluster);
    const params: Parameters<ContextClients['apps']['patchNamespacedDeployment']>[0] = {
      name: ref.name,
      namespace: ref.namespace,
      body,
      fieldManager: o.fieldManager ?? fieldManagerDefault,
    };
    if (o.dryRun) params.dryRun = 'All';
    const d = (await pool.call(c, site(ref, 'patch'), o.signal, (opt) =>
      c.apps.patchNamespacedDeployment(
        params,
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, opt),
      ),
    )) as KubeDeployment;
    return snapshotOf(d);
  };

  /** One watch connection: yields its events; returns when the server ends it cleanly. */
  async function* watchOnce(
    c: ContextClients,
    ref: DeploymentRef,
    resourceVersion: string,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent> {
    const url = new URL(
      `${c.server.replace(/\/+$/, '')}/apis/apps/v1/namespaces/${encodeURIComponent(ref.namespace)}/deployments`,
    );
    url.searchParams.set('watch', '1');
    url.searchParams.set('resourceVersion', resourceVersion);
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set('fieldSelector', `metadata.name=${ref.name}`);
    url.searchParams.set('timeoutSeconds', String(watchTimeoutSeconds));
    const reqOpts: RequestOptions = {};
    await c.kc.applyToHTTPSOptions(reqOpts);
    if (reqOpts.agent && typeof reqOpts.agent === 'object') agents.add(reqOpts.agent);
    const local = new AbortController();
    const combined = AbortSignal.any([signal, local.signal]);
    const requestFn = url.protocol === 'http:' ? httpRequest : httpsRequest;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => local.abort(new Error(why)), ms);
    };
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        arm(pool.timeoutMs, 'connect timeout');
        const req = requestFn(url, {
          ...reqOpts,
          method: 'GET',
          headers: { ...reqOpts.headers, Accept: 'application/json' },
          signal: combined,
        });
        req.on('response', resolve);
        req.on('error', reject);
        req.end();
      });
      if (res.statusCode !== 200) {
        const body = await readBounded(res, 64 * 1024);
        if (res.statusCode === 410) throw new WatchExpired(body);
        throw new ApiException(res.statusCode ?? 0, `watch failed`, body, flatHeaders(res.headers));
      }
      // From here on an inactivity limit: the server ends the watch after timeoutSeconds, so
      // silence well past that means a dead connection.
      const idleMs = watchTimeoutSeconds * 1000 + 30_000;
      arm(idleMs, 'idle');
      res.setEncoding('utf8');
      let buf = '';
      for await (const chunk of res as AsyncIterable<string>) {
        arm(idleMs, 'idle');
        buf += chunk;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent;
          nl = buf.indexOf('\n');
        }
      }
      if (buf.trim()) yield JSON.parse(buf) as WatchEvent;
    } catch (e) {
      if (local.signal.aborted && !signal.aborted && !isAppError(e)) {
        const why = (local.signal.reason as Error | undefined)?.message;
        if (why === 'idle') return; // a silent connection: resume from where we were
        throw new AppError({
          code: 'kube_timeout',
          userMessage: `The Kubernetes API of cluster "${c.name}" (${c.server}) did not answer a watch of deployment "${ref.name}" within ${Math.round(pool.timeoutMs / 100) / 10} s. Try again.`,
          retryable: true,
          cause: e,
        });
      }
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      local.abort(new Error('done'));
    }
  }

  const watchDeployment = (
    ref: DeploymentRef,
    wo: { resourceVersion?: string; signal: AbortSignal },
  ): AsyncIterable<DeploymentSnapshot> => ({
    [Symbol.asyncIterator]: async function* () {
      const { signal } = wo;
      if (signal.aborted) return;
      const c = pool.clientsFor(ref.cluster);
      const where = { ...site(ref, 'watch'), cluster: c.name, server: c.server };
      let rv = wo.resourceVersion;
      let lastYielded = '';
      // A fresh start lists the one Deployment (fieldSelector) rather than getting it: the list's
      // resourceVersion is the collection's, always recent enough to watch from, while an object
      // unchanged for a long time carries one the API server may already have compacted away.
      const fresh = async (): Promise<DeploymentSnapshot | undefined> => {
        try {
          const list = (await pool.call(c, { ...site(ref, 'list'), name: undefined }, signal, (o) =>
            c.apps.listNamespacedDeployment(
              { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` },
              o,
            ),
          )) as { items?: KubeDeployment[]; metadata?: { resourceVersion?: string } };
          const d = list.items?.[0];
          if (!d) {
            throw new AppError({
              code: 'kube_not_found',
              userMessage: `Deployment "${ref.name}" not found in namespace "${ref.namespace}" on cluster "${c.name}".`,
            });
          }
          const s = snapshotOf(d);
          rv = list.metadata?.resourceVersion || s.resourceVersion;
          return s;
        } catch (e) {
          if (signal.aborted) return undefined;
          throw e;
        }
      };
      if (!rv) {
        const s = await fresh();
        if (!s) return;
        lastYielded = s.resourceVersion;
        yield s;
      }
      let failingSince: number | undefined;
      let backoff = 100;
      let expired = false;
      let expiredInARow = 0;
      const pause = async () => {
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      };
      while (!signal.aborted) {
        const startedAt = Date.now();
        let events = 0;
        try {
          if (expired) {
            // The resourceVersion was compacted away: what changed meanwhile is lost, so read the
            // current state (one snapshot stands for the missed events) and watch from there.
            const s = await fresh();
            if (!s) return;
            expired = false;
            if (s.resourceVersion !== lastYielded) {
              lastYielded = s.resourceVersion;
              yield s;
            }
          }
          for await (const ev of watchOnce(c, ref, rv as string, signal)) {
            if (ev.type === 'ERROR') {
              const st = ev.object as { code?: number; message?: string };
              if (st.code === 410) throw new WatchExpired(st.message);
              throw toKubeError(new ApiException(st.code ?? 500, 'watch error', st, {}), where);
            }
            events += 1;
            expiredInARow = 0;
            failingSince = undefined;
            backoff = 100;
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
              const s = snapshotOf(ev.object as KubeDeployment);
              rv = s.resourceVersion || rv;
              if (s.resourceVersion !== lastYielded) {
                lastYielded = s.resourceVersion;
                yield s;
              }
            } else if (ev.type === 'BOOKMARK') {
              const meta = (ev.object.metadata ?? {}) as { resourceVersion?: string };
              if (meta.resourceVersion) rv = meta.resourceVersion;
            } else if (ev.type === 'DELETED') {
              throw new AppError({
                code: 'kube_not_found',
                userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" on cluster "${c.name}" was deleted while it was being watched.`,
              });
            }
          }
          // A clean end (the server's timeoutSeconds, a proxy): resume at once, unless the server
          // keeps ending watches straight away — then back off instead of spinning.
          if (events === 0 && Date.now() - startedAt < 1000) await pause();
        } catch (e) {
          if (signal.aborted) return;
          if (e instanceof WatchExpired) {
            // Again without an event in between: do not hammer the API server with re-lists.
            if (expiredInARow > 0) await pause();
            expiredInARow += 1;
            expired = true;
            continue;
          }
          const err = toKubeError(e, where);
          if (!err.retryable) throw err;
          failingSince ??= Date.now();
          if (Date.now() - failingSince > watchRetryMs) throw err;
          await pause();
        }
      }
    },
  });

  return {
    list: reads.list,

    async getDeployment(ref, signal) {
      return snapshotOf(await getRaw(ref, signal));
    },

    async listRevisions(ref, signal) {
      const d = await getRaw(ref, signal);
      const revisions: ReplicaSetRevision[] = (await ownedReplicaSets(ref, d, signal)).map(revisionOf);
      revisions.sort((a, b) => b.revision - a.revision || b.createdAt.localeCompare(a.createdAt));
      return revisions;
    },

    async setImage(ref, container, image, o) {
      const d = await getRaw(ref, o.signal);
      const names = (d.spec?.template?.spec?.containers ?? []).map((c) => c.name);
      if (!names.includes(container)) {
        throw new AppError({
          code: 'kube_invalid',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" has no container "${container}"; its containers: ${names.join(', ') || '(none)'}.`,
        });
      }
      return patch(ref, { spec: { template: { spec: { containers: [{ name: container, image }] } } } }, o);
    },

    async rollbackTo(ref, revision, o) {
      const d = await getRaw(ref, o.signal);
      if (d.spec?.paused) {
        throw new AppError({
          code: 'kube_rollback_paused',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" is paused; resume it before rolling back (kubectl rollout resume deployment/${ref.name} -n ${ref.namespace}).`,
        });
      }
      const owned = await ownedReplicaSets(ref, d, o.signal);
      const target = owned.find((rs) => revisionOf(rs).revision === revision);
      if (!target?.spec?.template) {
        const known = owned
          .map((rs) => revisionOf(rs).revision)
          .filter((n) => n > 0)
          .sort((a, b) => b - a);
        throw new AppError({
          code: 'kube_revision_not_found',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" has no revision ${revision}; its revisions: ${known.join(', ') || '(none)'}.`,
        });
      }
      const template = withoutHash(target.spec.template);
      if (sameJson(template, withoutHash(d.spec?.template ?? {}))) {
        throw new AppError({
          code: 'kube_already_at_revision',
          userMessage: `Deployment "${ref.name}" in namespace "${ref.namespace}" already runs the template of revision ${revision}; nothing to roll back.`,
        });
      }
      return patch(ref, { spec: { template: { $patch: 'replace', ...template } } }, o);
    },

    watchDeployment,

    async close() {
      for (const a of agents) a.destroy();
      agents.clear();
      await pool.close();
    },
  };
}

/** A pod template without the pod-template-hash label the ReplicaSet controller adds. */
function withoutHash<T extends { metadata?: { labels?: Record<string, string> } }>(template: T): T {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

/** Deep equality of JSON values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

async function readBounded(res: IncomingMessage, max: number): Promise<string> {
  let out = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) {
    if (out.length < max) out += chunk;
  }
  return out.slice(0, max);
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
