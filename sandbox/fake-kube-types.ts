/**
 * The fake Kubernetes API server's public types (fake-kube.ts re-exports them): the handle tests get,
 * its options, recorded requests and writes, the failure kinds `fail()` plants, and which images never
 * become ready (`defaultNeverReady`).
 */

import type { FakeObjects, Json } from './kube-objects.ts';

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
