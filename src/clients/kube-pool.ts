/**
 * The Kubernetes context pool under the read port (src/clients/kube.ts) and the deploy port
 * (src/clients/kube-deploy.ts), over @kubernetes/client-node v2 (object-parameter API, undici transport).
 *
 * - The library (see kube-sdk.ts) and the kubeconfig (see kube-config.ts) are loaded on first use, so
 *   the bot starts without a cluster, a role that never calls a cluster never loads the library, and
 *   `/ops status` explains what is missing instead of crashing at boot.
 * - One client set (CoreV1Api + AppsV1Api over a KubeConfig pinned to the context) per context, built
 *   lazily and cached; TLS comes from the kubeconfig (CA, client certs, insecure-skip-tls-verify).
 * - Every request carries an AbortSignal: the caller's, plus `requestTimeoutMs` per request.
 * - Successful JSON responses are handed over as parsed JSON (the port's `Wire<…>` types): a response
 *   middleware takes the body before the generated client's ObjectSerializer copies every object into
 *   model classes, which costs four times the JSON.parse and most of the garbage at 10,000 pods.
 *   Requests (URL, query, auth, TLS) and error responses still go through the generated client.
 * - Every failure becomes an AppError with a specific userMessage (see kube-errors.ts).
 */

import type {
  AppsV1Api,
  ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  RequestContext,
  ResponseBody,
  ResponseContext,
} from '@kubernetes/client-node';
import { AppError } from '../../tools/shared/errors.ts';
import { type Metrics, secondsSince } from '../metrics/metrics.ts';
import { type KubePortOptions, type Loaded, loadKubeConfig } from './kube-config.ts';
import { cancelled, type RequestSite, toKubeError } from './kube-errors.ts';
import { type KubeSdk, loadKubeSdk } from './kube-sdk.ts';

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

const DEFAULT_TIMEOUT_MS = 20_000;

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
async function takeJson(
  res: ResponseContext,
  box: Taken,
  stream: boolean,
  sdk: Pick<KubeSdk, 'ResponseContext'>,
): Promise<ResponseContext> {
  const type = res.headers['content-type'] ?? '';
  if (res.httpStatusCode < 200 || res.httpStatusCode > 299 || !type.includes('json')) return res;
  if (!stream) box.json = JSON.parse(await res.body.text());
  // An HTTP library without streaming bodies: the whole body, as one chunk.
  else box.stream = (res.body.stream() as AsyncIterable<Uint8Array> | null) ?? [await res.body.binary()];
  return new sdk.ResponseContext(res.httpStatusCode, res.headers, TAKEN_BODY);
}

/**
 * The kubeconfig, one client set per context, and the one way to run a request (signal, timeout,
 * pooled connection, JSON taken raw, failures mapped) — shared by the read port ({@link createKubePort})
 * and the deploy port (src/clients/kube-deploy.ts), so both pool connections per context.
 */
export interface KubeContextPool {
  /** Per-request time limit in ms. */
  readonly timeoutMs: number;
  /** The kubeconfig (loaded on first use); rejects with AppError `kube_not_configured`. */
  load(): Promise<Loaded>;
  /** The clients of a context (omitted = current); rejects with `kube_unknown_context`, `kube_not_configured`. */
  clientsFor(cluster: string | undefined): Promise<ContextClients>;
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
 * Builds a context pool. Never throws and loads nothing: the library and the kubeconfig are loaded
 * on the first call, where configuration problems surface as AppError `kube_not_configured`.
 */
export function createKubeContextPool(opts: KubePortOptions & { metrics?: Metrics } = {}): KubeContextPool {
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let loading: Promise<Loaded> | undefined;
  const clients = new Map<string, ContextClients>();

  const load = (): Promise<Loaded> => {
    if (!loading) {
      const attempt = loadKubeSdk().then((sdk) => loadKubeConfig(opts, sdk));
      // A failure is not kept: the next call reads the kubeconfig again (it may have been fixed).
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
      loading = attempt;
    }
    return loading;
  };

  const clientsFor = async (cluster: string | undefined): Promise<ContextClients> => {
    const { kc, source } = await load();
    const { KubeConfig, CoreV1Api, AppsV1Api } = await loadKubeSdk();
    // From here on synchronous, so concurrent first calls for a context build one client set.
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
    const sdk = await loadKubeSdk();
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
            return new sdk.Observable(Promise.resolve(ctx));
          },
          post: (res) => new sdk.Observable(takeJson(res, taken, stream, sdk)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
    const t0 = performance.now();
    // `verb resource` (e.g. "list pods") comes from the call site, never from input: a bounded label.
    const operation = `${site.verb} ${site.resource}`;
    try {
      const value = await fn(options);
      opts.metrics?.externalCall('kubernetes', operation, true, secondsSince(t0));
      return { value, taken, fail };
    } catch (e) {
      opts.metrics?.externalCall('kubernetes', operation, false, secondsSince(t0));
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

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
