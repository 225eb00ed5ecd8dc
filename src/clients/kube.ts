/**
 * The Kubernetes read port (tools/shared/kube-port.ts) over @kubernetes/client-node v2, on a context
 * pool (src/clients/kube-pool.ts: kubeconfig, per-context clients, timeouts, JSON taken raw, errors
 * mapped). Building the port loads nothing; the library is loaded on the first call (kube-sdk.ts).
 *
 * - Lists are paged (`limit` ≤ 500 + `continue`) with one page of read-ahead, so parsing page N
 *   overlaps fetching page N+1 while memory stays at two pages; items are split out of the response
 *   as it streams in (src/clients/kube-list-stream.ts).
 * - A get of something that is not there resolves undefined; every other failure is an AppError
 *   with a specific userMessage (see src/clients/kube-errors.ts).
 */

import type { ConfigurationOptions, CoreV1Api } from '@kubernetes/client-node';
import { AppError, isAppError } from '../../tools/shared/errors.ts';
import {
  CLUSTER_SCOPED_KINDS,
  type KubeContextInfo,
  type KubeDeployment,
  type KubeListBatch,
  type KubeListKind,
  type KubeListOptions,
  type KubeLogOptions,
  type KubeObjectRef,
  type KubePod,
  type KubePort,
  type KubeResources,
  MAX_PAGE_SIZE,
} from '../../tools/shared/kube-port.ts';
import type { KubePortOptions } from './kube-config.ts';
import { ListFormatError, ListSplitter } from './kube-list-stream.ts';
import { type ContextClients, createKubeContextPool, type KubeContextPool } from './kube-pool.ts';

/** The port plus lifecycle: `close()` drops pooled connections (call on shutdown). */
export interface KubeClient extends KubePort {
  close(): Promise<void>;
}

interface ListParams {
  namespace?: string;
  limit: number;
  _continue?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

/** A list response outside its `items` (JSON names: `continue`, not the model's `_continue`). */
interface ListHead {
  metadata?: { continue?: string; remainingItemCount?: number; resourceVersion?: string };
}

type Lister = (c: ContextClients, p: ListParams, o: ConfigurationOptions) => Promise<unknown>;

/** One lister per kind: namespaced call when a namespace is given, else the all-namespaces call. */
const LISTERS: Record<KubeListKind, Lister> = {
  pods: (c, p, o) =>
    p.namespace
      ? c.core.listNamespacedPod({ ...p, namespace: p.namespace }, o)
      : c.core.listPodForAllNamespaces(p, o),
  events: (c, p, o) =>
    p.namespace
      ? c.core.listNamespacedEvent({ ...p, namespace: p.namespace }, o)
      : c.core.listEventForAllNamespaces(p, o),
  nodes: (c, { namespace: _ns, ...p }, o) => c.core.listNode(p, o),
  namespaces: (c, { namespace: _ns, ...p }, o) => c.core.listNamespace(p, o),
  deployments: (c, p, o) =>
    p.namespace
      ? c.apps.listNamespacedDeployment({ ...p, namespace: p.namespace }, o)
      : c.apps.listDeploymentForAllNamespaces(p, o),
  replicasets: (c, p, o) =>
    p.namespace
      ? c.apps.listNamespacedReplicaSet({ ...p, namespace: p.namespace }, o)
      : c.apps.listReplicaSetForAllNamespaces(p, o),
  statefulsets: (c, p, o) =>
    p.namespace
      ? c.apps.listNamespacedStatefulSet({ ...p, namespace: p.namespace }, o)
      : c.apps.listStatefulSetForAllNamespaces(p, o),
  daemonsets: (c, p, o) =>
    p.namespace
      ? c.apps.listNamespacedDaemonSet({ ...p, namespace: p.namespace }, o)
      : c.apps.listDaemonSetForAllNamespaces(p, o),
};

/**
 * Builds the Kubernetes port. Never throws and loads nothing: configuration problems surface on the first call as
 * AppError `kube_not_configured`, so the rest of the bot keeps working without a cluster. Pass a
 * `pool` to share contexts and connections with the deploy port (closing either closes the pool).
 */
export function createKubePort(
  opts: KubePortOptions = {},
  pool: KubeContextPool = createKubeContextPool(opts),
): KubeClient {
  const { load, clientsFor, call } = pool;

  const list = <K extends KubeListKind>(
    kind: K,
    o: KubeListOptions = {},
  ): AsyncIterable<KubeListBatch<KubeResources[K]>> => ({
    [Symbol.asyncIterator]: async function* () {
      const c = await clientsFor(o.cluster);
      const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(o.limit ?? MAX_PAGE_SIZE)));
      const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? undefined : o.namespace;
      // Stops the read-ahead request when the consumer leaves the loop early.
      const stop = new AbortController();
      const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
      const site = { verb: 'list', resource: kind, namespace } as const;
      const fetchPage = (cont: string | undefined) => {
        const params: ListParams = { limit };
        if (namespace) params.namespace = namespace;
        if (cont) params._continue = cont;
        if (o.fieldSelector) params.fieldSelector = o.fieldSelector;
        if (o.labelSelector) params.labelSelector = o.labelSelector;
        const opened = pool.open(c, site, signal, (opt) => LISTERS[kind](c, params, opt));
        opened.catch(() => undefined); // awaited below, or dropped when the consumer stops early
        return opened;
      };
      type Batch = KubeListBatch<KubeResources[K]>;
      let next: ReturnType<typeof fetchPage> | undefined = fetchPage(undefined);
      try {
        while (next) {
          const { body, fail } = await next;
          next = undefined;
          // Items are handed on a network chunk at a time, one batch behind, so the batch that ends
          // the page can carry `continue`. The next page is requested as soon as this one's metadata
          // (written before its items) says there is one, so fetching it overlaps reading this one.
          const splitter = new ListSplitter();
          let headRead = false;
          let meta: ListHead['metadata'];
          let held: Batch | undefined;
          try {
            for await (const chunk of body) {
              const items = splitter.push(chunk) as KubeResources[K][];
              if (!headRead) {
                const head = splitter.head() as ListHead | undefined;
                headRead = head !== undefined;
                if (head?.metadata?.continue) next = fetchPage(head.metadata.continue);
              }
              if (items.length === 0) continue;
              if (held) yield held;
              held = { items, endOfPage: false };
            }
            meta = (splitter.rest() as ListHead).metadata;
            if (!next && meta?.continue) next = fetchPage(meta.continue);
          } catch (e) {
            if (e instanceof ListFormatError) {
              throw new AppError({
                code: 'kube_api_error',
                userMessage: `The Kubernetes API of cluster "${c.name}" (${c.server}) sent a ${kind} list the bot could not read (${e.message}). Try again.`,
                retryable: true,
                cause: e,
              });
            }
            throw fail(e);
          }
          const last: Batch = { items: held?.items ?? [], endOfPage: true };
          if (meta?.continue) {
            last.continue = meta.continue;
            if (meta.remainingItemCount !== undefined) last.remainingItemCount = meta.remainingItemCount;
          }
          yield last;
        }
      } finally {
        // Done, failed, or the consumer stopped early: end any request still open (the next page's).
        stop.abort();
      }
    },
  });

  return {
    async listContexts(): Promise<KubeContextInfo[]> {
      const { kc } = await load();
      const current = kc.getCurrentContext();
      return kc.getContexts().map((ctx) => {
        const info: KubeContextInfo = {
          name: ctx.name,
          cluster: ctx.cluster,
          server: kc.getCluster(ctx.cluster)?.server ?? '',
          current: ctx.name === current,
        };
        if (ctx.namespace) info.namespace = ctx.namespace;
        return info;
      });
    },

    list,

    async getPod(ref: KubeObjectRef): Promise<KubePod | undefined> {
      const c = await clientsFor(ref.cluster);
      return orUndefinedOn404<KubePod>(() =>
        call(
          c,
          { verb: 'get', resource: 'pods', namespace: ref.namespace, name: ref.name },
          ref.signal,
          (o) => c.core.readNamespacedPod({ name: ref.name, namespace: ref.namespace }, o),
        ),
      );
    },

    async getDeployment(ref: KubeObjectRef): Promise<KubeDeployment | undefined> {
      const c = await clientsFor(ref.cluster);
      return orUndefinedOn404<KubeDeployment>(() =>
        call(
          c,
          { verb: 'get', resource: 'deployments', namespace: ref.namespace, name: ref.name },
          ref.signal,
          (o) => c.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }, o),
        ),
      );
    },

    async readPodLog(lo: KubeLogOptions): Promise<string> {
      const c = await clientsFor(lo.cluster);
      const params: Parameters<CoreV1Api['readNamespacedPodLog']>[0] = {
        name: lo.name,
        namespace: lo.namespace,
      };
      if (lo.container) params.container = lo.container;
      if (lo.tailLines !== undefined) params.tailLines = lo.tailLines;
      if (lo.previous) params.previous = true;
      if (lo.limitBytes !== undefined) params.limitBytes = lo.limitBytes;
      const text = await call(
        c,
        { verb: 'get', resource: 'pods/log', namespace: lo.namespace, name: lo.name },
        lo.signal,
        (o) => c.core.readNamespacedPodLog(params, o),
      );
      return typeof text === 'string' ? text : String(text ?? '');
    },

    close: () => pool.close(),
  };
}

async function orUndefinedOn404<T>(fn: () => Promise<unknown>): Promise<T | undefined> {
  try {
    return (await fn()) as T;
  } catch (e) {
    if (isAppError(e) && (e.code === 'kube_not_found' || e.code === 'kube_namespace_not_found'))
      return undefined;
    throw e;
  }
}
