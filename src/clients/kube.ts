/**
 * The Kubernetes port over @kubernetes/client-node v2 (object-parameter API, undici transport).
 *
 * - Config: `kubeconfigPath` (one path, or several joined like `KUBECONFIG` and merged the same way),
 *   else `inCluster` service-account credentials, else the library's default search (KUBECONFIG,
 *   ~/.kube/config, then in-cluster). Loaded on first use, so the bot starts without a cluster and
 *   `/ops status` explains what is missing instead of crashing at boot.
 * - One client set (CoreV1Api + AppsV1Api over a KubeConfig pinned to the context) per context, built
 *   lazily and cached; TLS comes from the kubeconfig (CA, client certs, insecure-skip-tls-verify).
 * - Every request carries an AbortSignal: the caller's, plus `requestTimeoutMs` per request.
 * - Lists are paged (`limit` ≤ 500 + `continue`) with one page of read-ahead, so parsing page N
 *   overlaps fetching page N+1 while memory stays at two pages.
 * - Successful JSON responses are handed over as parsed JSON (the port's `Wire<…>` types): a response
 *   middleware takes the body before the generated client's ObjectSerializer copies every object into
 *   model classes, which costs four times the JSON.parse and most of the garbage at 10,000 pods.
 *   Requests (URL, query, auth, TLS) and error responses still go through the generated client.
 * - Every failure becomes an AppError with a specific userMessage (see {@link toKubeError}).
 */

import { delimiter } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  type RequestContext,
  type ResponseBody,
  ResponseContext,
} from '@kubernetes/client-node';
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
import { ListFormatError, ListSplitter } from './kube-list-stream.ts';

export interface KubePortOptions {
  /** A kubeconfig file, or several joined with the platform's path delimiter (as in `KUBECONFIG`). */
  kubeconfigPath?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean;
  /**
   * With `inCluster`: a prefix for the service-account files' paths
   * (`<prefix>/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`), as
   * client-node's `loadFromCluster` takes it. Tests point it at a temporary directory.
   */
  inClusterPathPrefix?: string;
  /** Per-request time limit in ms (default 20,000); a page that takes longer fails with `kube_timeout`. */
  requestTimeoutMs?: number;
}

/** The port plus lifecycle: `close()` drops pooled connections (call on shutdown). */
export interface KubeClient extends KubePort {
  close(): Promise<void>;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** One kubeconfig context's API clients, built once and cached by {@link createKubeContextPool}. */
export interface ContextClients {
  name: string;
  server: string;
  /** The kubeconfig pinned to this context (its current context), for requests the API classes do not cover (watches). */
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  /** The first TLS dispatcher the library built for this context, reused so connections pool. */
  dispatcher?: Dispatcher;
}

export interface Loaded {
  kc: KubeConfig;
  source: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Where a request was going, for error messages. */
export interface RequestSite {
  cluster: string;
  server: string;
  verb: 'list' | 'get' | 'patch' | 'watch';
  resource: string;
  namespace?: string;
  name?: string;
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

/** What the generated client deserializes instead of a body we took (an empty object is cheap). */
const TAKEN_BODY: ResponseBody = {
  text: async () => '{}',
  binary: async () => Buffer.from('{}'),
  stream: () => null,
};

/** What the middleware took from a successful JSON response: its parsed body, or its unread stream. */
interface Taken {
  json?: unknown;
  stream?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Takes a successful JSON response's body into `box` — parsed, or (`stream`) unread, for the caller
 * to read as it arrives; other responses pass through untouched.
 */
async function takeJson(res: ResponseContext, box: Taken, stream: boolean): Promise<ResponseContext> {
  const type = res.headers['content-type'] ?? '';
  if (res.httpStatusCode < 200 || res.httpStatusCode > 299 || !type.includes('json')) return res;
  if (!stream) box.json = JSON.parse(await res.body.text());
  // An HTTP library without streaming bodies: the whole body, as one chunk.
  else box.stream = (res.body.stream() as AsyncIterable<Uint8Array> | null) ?? [await res.body.binary()];
  return new ResponseContext(res.httpStatusCode, res.headers, TAKEN_BODY);
}

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
 * The kubeconfig, one client set per context, and the one way to run a request (signal, timeout,
 * pooled connection, JSON taken raw, failures mapped) — shared by the read port ({@link createKubePort})
 * and the deploy port (src/clients/kube-deploy.ts), so both pool connections per context.
 */
export interface KubeContextPool {
  /** Per-request time limit in ms. */
  readonly timeoutMs: number;
  /** The kubeconfig (loaded on first use); throws AppError `kube_not_configured`. */
  load(): Loaded;
  /** The clients of a context (omitted = current); throws `kube_unknown_context`, `kube_not_configured`. */
  clientsFor(cluster: string | undefined): ContextClients;
  /**
   * Runs one generated-client call with the caller's signal plus the per-request timeout. Resolves
   * with the response's parsed JSON (or what `fn` returned, for text); rejects with an AppError.
   */
  call(
    c: ContextClients,
    site: Omit<RequestSite, 'cluster' | 'server'>,
    signal: AbortSignal | undefined,
    fn: (o: ConfigurationOptions) => Promise<unknown>,
  ): Promise<unknown>;
  /**
   * Like {@link call}, but hands over a successful JSON response's body unread, as it streams in.
   * `fail` maps an error met while reading it (timeout, cancel, dropped connection) to an AppError;
   * the per-request timeout covers the reading too.
   */
  open(
    c: ContextClients,
    site: Omit<RequestSite, 'cluster' | 'server'>,
    signal: AbortSignal | undefined,
    fn: (o: ConfigurationOptions) => Promise<unknown>,
  ): Promise<{ body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; fail: (e: unknown) => AppError }>;
  /** Drops pooled connections. */
  close(): Promise<void>;
}

/**
 * Builds a context pool. Never throws: configuration problems surface on the first call as
 * AppError `kube_not_configured`.
 */
export function createKubeContextPool(opts: KubePortOptions = {}): KubeContextPool {
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let loaded: Loaded | undefined;
  const clients = new Map<string, ContextClients>();

  const load = (): Loaded => {
    if (!loaded) loaded = loadKubeConfig(opts);
    return loaded;
  };

  const clientsFor = (cluster: string | undefined): ContextClients => {
    const { kc, source } = load();
    const name = cluster ?? kc.getCurrentContext();
    const known = kc.getContexts().map((c) => c.name);
    if (!name) {
      throw new AppError({
        code: 'kube_unknown_context',
        userMessage: `The kubeconfig (${source}) has no current context. Name one with --cluster: ${known.join(', ') || '(none defined)'}.`,
      });
    }
    const cached = clients.get(name);
    if (cached) return cached;
    const ctx = kc.getContextObject(name);
    if (!ctx) {
      throw new AppError({
        code: 'kube_unknown_context',
        userMessage: `There is no cluster context "${name}" in the kubeconfig. Known contexts: ${known.join(', ') || '(none)'}.`,
      });
    }
    const clusterEntry = kc.getCluster(ctx.cluster);
    if (!clusterEntry) {
      throw new AppError({
        code: 'kube_not_configured',
        userMessage: `Context "${name}" refers to cluster "${ctx.cluster}", which the kubeconfig (${source}) does not define.`,
      });
    }
    // A KubeConfig authenticates requests for its *current* context, so each context gets its own.
    const pinned = new KubeConfig();
    pinned.loadFromOptions({
      clusters: kc.clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: name,
    });
    let core: CoreV1Api;
    let apps: AppsV1Api;
    try {
      core = pinned.makeApiClient(CoreV1Api);
      apps = pinned.makeApiClient(AppsV1Api);
    } catch (e) {
      throw new AppError({
        code: 'kube_not_configured',
        userMessage: `Context "${name}" cannot be used: ${(e as Error).message}`,
        cause: e,
      });
    }
    const entry: ContextClients = { name, server: clusterEntry.server, kc: pinned, core, apps };
    clients.set(name, entry);
    return entry;
  };

  /**
   * Runs one API call with the caller's signal plus a per-request timeout. The middleware hands the
   * signal to the request, swaps in the context's pooled dispatcher (the library builds a fresh
   * undici Agent, and so a fresh TLS connection, for every request otherwise) and takes a JSON
   * response's body (see {@link takeJson}). `fail` maps any failure, now or while a taken stream is
   * read, to an AppError.
   */
  const request = async (
    c: ContextClients,
    site: Omit<RequestSite, 'cluster' | 'server'>,
    signal: AbortSignal | undefined,
    fn: (o: ConfigurationOptions) => Promise<unknown>,
    stream: boolean,
  ): Promise<{ value: unknown; taken: Taken; fail: (e: unknown) => AppError }> => {
    if (signal?.aborted) throw cancelled(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const fail = (e: unknown): AppError => {
      if (signal?.aborted) return cancelled(signal);
      if (timeout.aborted) {
        return new AppError({
          code: 'kube_timeout',
          userMessage: `The Kubernetes API of cluster "${c.name}" (${c.server}) did not answer within ${formatSeconds(timeoutMs)} (${site.verb} ${site.resource}). ${site.verb === 'list' ? 'Try again, or narrow to one namespace.' : 'Try again.'}`,
          retryable: true,
          cause: e,
        });
      }
      return toKubeError(e, { ...site, cluster: c.name, server: c.server });
    };
    const taken: Taken = {};
    // The object-parameter API runs on the library's observable stub, so per-call middleware is
    // observable-shaped (an Observable wraps a promise).
    const options: ConfigurationOptions = {
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(combined);
            const d = ctx.getDispatcher();
            if (d) {
              if (!c.dispatcher) c.dispatcher = d;
              else if (d !== c.dispatcher) ctx.setDispatcher(c.dispatcher);
            }
            return new Observable(Promise.resolve(ctx));
          },
          post: (res) => new Observable(takeJson(res, taken, stream)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
    try {
      return { value: await fn(options), taken, fail };
    } catch (e) {
      throw fail(e);
    }
  };

  const call: KubeContextPool['call'] = async (c, site, signal, fn) => {
    const { value, taken } = await request(c, site, signal, fn, false);
    return 'json' in taken ? taken.json : value;
  };

  const open: KubeContextPool['open'] = async (c, site, signal, fn) => {
    const { taken, fail } = await request(c, site, signal, fn, true);
    if (!taken.stream) {
      throw new AppError({
        code: 'kube_api_error',
        userMessage: `The Kubernetes API of cluster "${c.name}" (${c.server}) answered ${site.verb} ${site.resource} with something other than JSON. Check that the kubeconfig points at an API server, not a proxy's login page.`,
      });
    }
    return { body: taken.stream, fail };
  };

  return {
    timeoutMs,
    load,
    clientsFor,
    call,
    open,
    async close() {
      const ds = [...clients.values()].flatMap((c) => (c.dispatcher ? [c.dispatcher] : []));
      clients.clear();
      await Promise.all(ds.map((d) => d.close().catch(() => undefined)));
    },
  };
}

/**
 * Builds the Kubernetes port. Never throws: configuration problems surface on the first call as
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
      const c = clientsFor(o.cluster);
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
      const { kc } = load();
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
      const c = clientsFor(ref.cluster);
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
      const c = clientsFor(ref.cluster);
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
      const c = clientsFor(lo.cluster);
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

/**
 * Loads the kubeconfig the options point at. Throws AppError `kube_not_configured` when there is
 * none (the library's last-resort `http://localhost:8080` default counts as none).
 */
export function loadKubeConfig(opts: KubePortOptions): Loaded {
  const kc = new KubeConfig();
  if (opts.inCluster) {
    try {
      kc.loadFromCluster(opts.inClusterPathPrefix);
    } catch (e) {
      throw notConfigured(`in-cluster credentials could not be loaded: ${(e as Error).message}`, e);
    }
    if (!kc.getCurrentCluster()?.server || kc.getCurrentCluster()?.server.includes('undefined')) {
      throw notConfigured(
        'in-cluster credentials were requested but KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod?).',
      );
    }
    return { kc, source: 'in-cluster service account' };
  }
  if (opts.kubeconfigPath) {
    const files = opts.kubeconfigPath.split(delimiter).filter(Boolean);
    try {
      kc.loadFromFile(files[0] as string);
      for (const f of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, true);
      }
    } catch (e) {
      throw notConfigured(describeLoadError(opts.kubeconfigPath, e), e);
    }
    if (kc.getContexts().length === 0)
      throw notConfigured(`the kubeconfig ${opts.kubeconfigPath} defines no contexts.`);
    return { kc, source: opts.kubeconfigPath };
  }
  try {
    kc.loadFromDefault();
  } catch (e) {
    throw notConfigured(describeLoadError('KUBECONFIG', e), e);
  }
  const only = kc.getContexts();
  if (
    only.length === 0 ||
    (only.length === 1 &&
      only[0]?.name === 'loaded-context' &&
      kc.getCurrentCluster()?.server === 'http://localhost:8080')
  ) {
    throw notConfigured(
      'no kubeconfig was found (KUBECONFIG, ~/.kube/config) and the bot is not running in a pod.',
    );
  }
  return { kc, source: 'the default kubeconfig' };
}

function describeLoadError(path: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return `the kubeconfig ${path} does not exist.`;
  if (code === 'EACCES') return `the kubeconfig ${path} is not readable by the bot.`;
  return `the kubeconfig ${path} could not be read: ${(e as Error).message}`;
}

function notConfigured(detail: string, cause?: unknown): AppError {
  return new AppError({
    code: 'kube_not_configured',
    userMessage: `No Kubernetes cluster is configured: ${detail} Set KUBECONFIG (or mount ~/.kube/config), or run the bot in the cluster with a service account.`,
    cause,
  });
}

/** AppError `cancelled`, for a request the caller's signal stopped. */
export function cancelled(signal: AbortSignal): AppError {
  return new AppError({ code: 'cancelled', userMessage: 'The request was cancelled.', cause: signal.reason });
}

/** `pods/log` → `Pod`, `deployments` → `Deployment`. */
function singular(resource: string): string {
  const base = resource.split('/')[0] ?? resource;
  const one = base.endsWith('sets') || base.endsWith('s') ? base.slice(0, -1) : base;
  const names: Record<string, string> = {
    replicaset: 'ReplicaSet',
    statefulset: 'StatefulSet',
    daemonset: 'DaemonSet',
  };
  return names[one] ?? `${one.charAt(0).toUpperCase()}${one.slice(1)}`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string };
}

function parseStatus(body: unknown): KubeStatus | undefined {
  if (body && typeof body === 'object') return body as KubeStatus;
  if (typeof body !== 'string' || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as KubeStatus) : undefined;
  } catch {
    return { message: body.slice(0, 300) };
  }
}

const FORBIDDEN =
  /^(.*?) is forbidden: User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)?/;

/** "list pods cluster-wide", "get pods/log in namespace prod" */
export function describeForbidden(
  message: string,
): { user: string; verb: string; resource: string; group: string; namespace?: string } | undefined {
  const m = FORBIDDEN.exec(message);
  if (!m) return undefined;
  const out: { user: string; verb: string; resource: string; group: string; namespace?: string } = {
    user: m[2] as string,
    verb: m[3] as string,
    resource: m[4] as string,
    group: m[5] as string,
  };
  if (m[6]) out.namespace = m[6];
  return out;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TLS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a client-node failure to an AppError whose userMessage says what happened and what to do:
 * 401, 403 (which verb on which resource the identity lacks), 404 (namespace or object), 410, 429,
 * 5xx, connection refused / DNS / reset (retryable), TLS verification failures.
 */
export function toKubeError(e: unknown, site: RequestSite): AppError {
  if (isAppError(e)) return e;
  const where = `cluster "${site.cluster}"`;
  if (e instanceof ApiException) {
    const st = parseStatus(e.body);
    const msg = st?.message ?? '';
    switch (e.code) {
      case 401:
        return new AppError({
          code: 'kube_unauthorized',
          userMessage: `The Kubernetes API of ${where} rejected the bot's credentials (401 Unauthorized): the token or client certificate in the kubeconfig is missing, expired or revoked.`,
          cause: e,
        });
      case 403: {
        const f = describeForbidden(msg);
        const userMessage = f
          ? `The bot's Kubernetes identity "${f.user}" is not allowed to ${f.verb} ${f.resource}${f.group ? ` (API group ${f.group})` : ''} ${
              f.namespace ? `in namespace "${f.namespace}"` : 'cluster-wide'
            } on ${where}. Grant it "${f.verb}" on "${f.resource}" with a ${f.namespace ? 'Role' : 'ClusterRole'} and binding${f.verb === 'list' ? ', or ask about one namespace it can read' : ''}.`
          : `Kubernetes RBAC on ${where} denied ${site.verb} ${site.resource}${site.namespace ? ` in namespace "${site.namespace}"` : ''}: ${msg || 'forbidden'}`;
        return new AppError({ code: 'kube_forbidden', userMessage, cause: e });
      }
      case 404:
        if (st?.details?.kind === 'namespaces' || (site.resource === 'namespaces' && site.name)) {
          const ns = st?.details?.name ?? site.name ?? site.namespace;
          return new AppError({
            code: 'kube_namespace_not_found',
            userMessage: `Namespace "${ns}" not found on ${where}.`,
            cause: e,
          });
        }
        return new AppError({
          code: 'kube_not_found',
          userMessage: site.name
            ? `${singular(st?.details?.kind ?? site.resource)} "${st?.details?.name ?? site.name}" not found${site.namespace ? ` in namespace "${site.namespace}"` : ''} on ${where}.`
            : `The Kubernetes API of ${where} does not serve ${site.resource}${msg ? `: ${msg}` : ''}.`,
          cause: e,
        });
      case 409:
        return new AppError({
          code: 'kube_conflict',
          userMessage: `${singular(st?.details?.kind ?? site.resource)}${site.name ? ` "${site.name}"` : ''} on ${where} was changed by someone else at the same time (409 Conflict${msg ? `: ${msg}` : ''}). Try again.`,
          retryable: true,
          cause: e,
        });
      case 422:
        return new AppError({
          code: 'kube_invalid',
          userMessage: `Kubernetes rejected the change to ${singular(st?.details?.kind ?? site.resource)}${site.name ? ` "${site.name}"` : ''}${site.namespace ? ` in namespace "${site.namespace}"` : ''} on ${where} as invalid: ${msg.replace(/^[\w.]+ "[^"]*" is invalid: /, '') || 'no reason given'}`,
          cause: e,
        });
      case 410:
        return new AppError({
          code: 'kube_list_expired',
          userMessage: `The cluster changed too much while ${site.resource} were being listed on ${where} (the list expired). Try again.`,
          retryable: true,
          cause: e,
        });
      case 429:
        return new AppError({
          code: 'kube_throttled',
          userMessage: `The Kubernetes API of ${where} is throttling requests (429). Try again in a minute.`,
          retryable: true,
          cause: e,
        });
      default:
        if (e.code >= 500) {
          return new AppError({
            code: 'kube_api_error',
            userMessage: `The Kubernetes API of ${where} failed (${e.code}${msg ? `: ${msg}` : ''}). Try again shortly.`,
            retryable: true,
            cause: e,
          });
        }
        return new AppError({
          code: 'kube_bad_request',
          userMessage: `Kubernetes refused to ${site.verb} ${site.resource}${site.name ? ` "${site.name}"` : ''} on ${where} (${e.code}${msg ? `: ${msg}` : ''}).`,
          cause: e,
        });
    }
  }
  const code = errorCode(e);
  if (code && TLS.has(code)) {
    return new AppError({
      code: 'kube_tls',
      userMessage: `The Kubernetes API server of ${where} (${site.server}) presented a certificate that the kubeconfig's CA does not verify (${code}). Check certificate-authority in the kubeconfig.`,
      cause: e,
    });
  }
  if (code && UNREACHABLE.has(code)) {
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : code;
    return new AppError({
      code: 'kube_unreachable',
      userMessage: `Cannot reach the Kubernetes API of ${where} at ${site.server} (${why}). Check the network path and that the API server is up.`,
      retryable: true,
      cause: e,
    });
  }
  return new AppError({
    code: 'kube_api_error',
    userMessage: `The request to the Kubernetes API of ${where} failed (${site.verb} ${site.resource}): ${code ?? (e as Error)?.message ?? 'unknown error'}.`,
    cause: e,
  });
}
