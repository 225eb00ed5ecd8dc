/**
 * What tools may ask of Kubernetes: read-only, paged, cancellable. src/clients/kube.ts implements it
 * over @kubernetes/client-node; unit tests implement it in memory (test/support/memory-kube.ts).
 *
 * Objects are plain JSON as the API server sends it, typed with the client library's models through
 * {@link Wire} (timestamps are RFC 3339 strings, not `Date`s): the adapter hands over the parsed
 * response instead of running the generated deserializer, which copies every object into model
 * classes — at 10,000 pods the main cost in CPU time and garbage. Plain JSON also keeps the port
 * transport-neutral and makes test fixtures exactly what the API returns.
 *
 * Every call takes an optional `cluster` — a kubeconfig context name; omitted means the kubeconfig's
 * current context (or the in-cluster service account).
 *
 * Failures are AppErrors with codes a caller can branch on (see src/clients/kube.ts for the list):
 * `kube_not_configured`, `kube_unknown_context`, `kube_unreachable`, `kube_timeout`, `kube_tls`,
 * `kube_unauthorized`, `kube_forbidden`, `kube_namespace_not_found`, `kube_not_found`,
 * `kube_list_expired`, `kube_throttled`, `kube_bad_request`, `kube_api_error`, `cancelled`.
 */

import type {
  CoreV1Event,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1StatefulSet,
} from '@kubernetes/client-node';

/** A model type as JSON: `Date` fields are RFC 3339 strings; everything else as the model says. */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type KubePod = Wire<V1Pod>;
export type KubeDeployment = Wire<V1Deployment>;
export type KubeReplicaSet = Wire<V1ReplicaSet>;
export type KubeStatefulSet = Wire<V1StatefulSet>;
export type KubeDaemonSet = Wire<V1DaemonSet>;
export type KubeNode = Wire<V1Node>;
export type KubeNamespace = Wire<V1Namespace>;
export type KubeEvent = Wire<CoreV1Event>;

/** The resources the port lists, by their REST plural; `events` are core/v1 Events. */
export interface KubeResources {
  pods: KubePod;
  deployments: KubeDeployment;
  replicasets: KubeReplicaSet;
  statefulsets: KubeStatefulSet;
  daemonsets: KubeDaemonSet;
  nodes: KubeNode;
  namespaces: KubeNamespace;
  events: KubeEvent;
}

export type KubeListKind = keyof KubeResources;

/** Kinds without a namespace; `namespace` is ignored when listing them. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<KubeListKind> = new Set<KubeListKind>(['nodes', 'namespaces']);

/** The largest page the port requests; larger `limit`s are clamped to it. */
export const MAX_PAGE_SIZE = 500;

export interface KubeCallOptions {
  /** Kubeconfig context name; omitted = the current context. */
  cluster?: string;
  /** Cancels the request(s); the call then rejects with AppError `cancelled`. */
  signal?: AbortSignal;
}

export interface KubeListOptions extends KubeCallOptions {
  /** Omitted = all namespaces. */
  namespace?: string;
  /** Server-side field selector, e.g. `type=Warning` for events, `metadata.name=checkout`. */
  fieldSelector?: string;
  /** Server-side label selector, e.g. `app=checkout,tier in (web)`. */
  labelSelector?: string;
  /** Page size, 1…500 (default 500). */
  limit?: number;
}

/**
 * Items of a list as they arrive. One API page (up to `limit` items) comes as one or more batches,
 * handed over while the rest of the page is still streaming in, so a caller never holds a whole page;
 * the page's last batch (possibly empty) has `endOfPage: true`.
 */
export interface KubeListBatch<T> {
  items: T[];
  /** This batch ends an API page (then `continue` says whether more pages follow). */
  endOfPage: boolean;
  /** On a page's last batch, when more pages follow. */
  continue?: string;
  /** The API's estimate of the items still to come (only with `continue`; may be absent). */
  remainingItemCount?: number;
}

export interface KubeObjectRef extends KubeCallOptions {
  namespace: string;
  name: string;
}

export interface KubeLogOptions extends KubeObjectRef {
  /** Required by the API when the pod has more than one container. */
  container?: string;
  /** Lines from the end of the log (the API's `tailLines`). */
  tailLines?: number;
  /** The previous, terminated instance of the container — what crashed in a crash loop. */
  previous?: boolean;
  /** Caps the bytes the API returns (`limitBytes`), whatever the line lengths. */
  limitBytes?: number;
}

/** A kubeconfig context, without credentials. */
export interface KubeContextInfo {
  name: string;
  /** The kubeconfig's cluster entry name. */
  cluster: string;
  /** API server URL. */
  server: string;
  /** The context's default namespace, if it sets one. */
  namespace?: string;
  current: boolean;
}

export interface KubePort {
  /** Every context of the kubeconfig (one, named `inClusterContext`, when running on a service account). */
  listContexts(): Promise<KubeContextInfo[]>;
  /**
   * Lists `kind` page by page (`limit` + `continue`), so a caller can analyse a 10,000-pod cluster in
   * bounded memory. Requests start when iteration does; breaking out of the loop stops paging.
   */
  list<K extends KubeListKind>(
    kind: K,
    options?: KubeListOptions,
  ): AsyncIterable<KubeListBatch<KubeResources[K]>>;
  /** The pod, or `undefined` when it does not exist. */
  getPod(ref: KubeObjectRef): Promise<KubePod | undefined>;
  /** The deployment, or `undefined` when it does not exist. */
  getDeployment(ref: KubeObjectRef): Promise<KubeDeployment | undefined>;
  /** The (tail of the) container log as text. */
  readPodLog(options: KubeLogOptions): Promise<string>;
}
