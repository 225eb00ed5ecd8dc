/**
 * `watchDeployment` of the deploy port (src/clients/kube-deploy.ts): a raw watch request
 * (`watch=1&resourceVersion=…&allowWatchBookmarks=true`, `fieldSelector=metadata.name=…`) over the
 * kubeconfig's own TLS agent and auth headers (`applyToHTTPSOptions`), not the library's `Watch`
 * class: that class drops the body of a failed watch (so a 403 could not say which verb is missing)
 * and builds a new TLS dispatcher per watch. Dropped connections and server-side timeouts resume
 * from the last resourceVersion seen (bookmarks included); 410 Gone (an HTTP 410, or the ERROR event
 * the API server actually sends for a compacted resourceVersion) re-gets the Deployment and watches
 * from there; retryable failures back off (0.1 s doubling to 5 s) for up to `watchRetryMs` before
 * giving up. A connection that sends nothing — no event, no bookmark — for `watchIdleMs` is dropped
 * and reopened from the last resourceVersion: an open watch can go silent (a proxy, an API server
 * replica whose watch cache stalled) and would otherwise hide a rollout's end until its deadline.
 */

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { AppError, isAppError } from '../../tools/shared/errors.ts';
import type { KubeDeployment } from '../../tools/shared/kube-port.ts';
import type { DeploymentRef, DeploymentSnapshot, KubeDeployPort } from '../deploys/kube-deploy-port.ts';
import { snapshotOf } from '../deploys/rollout.ts';
import { type RequestSite, toKubeError } from './kube-errors.ts';
import type { ContextClients, KubeContextPool } from './kube-pool.ts';
import { loadKubeSdk } from './kube-sdk.ts';

export interface KubeDeployWatchOptions {
  pool: KubeContextPool;
  /** The watch request's server-side `timeoutSeconds`; the watch then resumes. */
  watchTimeoutSeconds: number;
  /** How long a watch keeps reconnecting through retryable failures before it throws, in ms. */
  watchRetryMs: number;
  /**
   * A watch connection silent (no event, no bookmark) this long is reconnected, in ms. The API
   * server sends a bookmark about once a minute to a watch that asked for them, so silence well
   * past that means the connection is dead or stuck.
   */
  watchIdleMs: number;
}

/** The deploy port's watch, plus `close()`: destroys the TLS agents its requests used. */
export interface KubeDeployWatch {
  watchDeployment: KubeDeployPort['watchDeployment'];
  close(): void;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/** A watch that must restart from a fresh read: its resourceVersion is too old (410 Gone). */
class WatchExpired extends Error {}

/** Builds the watch over `pool`'s contexts. Loads nothing until a watch starts. */
export function createKubeDeployWatch(opts: KubeDeployWatchOptions): KubeDeployWatch {
  const { pool, watchTimeoutSeconds, watchRetryMs, watchIdleMs } = opts;
  const agents = new Set<{ destroy(): void }>();

  const site = (ref: DeploymentRef, verb: RequestSite['verb']) => ({
    verb,
    resource: 'deployments',
    namespace: ref.namespace,
    name: ref.name,
  });

  /** One watch connection: yields its events; returns when the server ends it cleanly. */
  async function* watchOnce(
    c: ContextClients,
    ref: DeploymentRef,
    resourceVersion: string,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent> {
    const { ApiException } = await loadKubeSdk();
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
      // From here on an inactivity limit: bookmarks arrive about once a minute and the server ends
      // the watch after timeoutSeconds, so silence past the shorter of the two means a dead or
      // stuck connection — reconnect rather than wait for an event that will not come.
      const idleMs = Math.min(watchIdleMs, watchTimeoutSeconds * 1000 + 30_000);
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
      const c = await pool.clientsFor(ref.cluster);
      const { ApiException } = await loadKubeSdk();
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
    watchDeployment,
    close() {
      for (const a of agents) a.destroy();
      agents.clear();
    },
  };
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
