/**
 * An in-memory KubePort over the same objects the fake API server serves (sandbox/kube-objects.ts),
 * with the API's list semantics — namespace scoping, field and label selectors, `limit` paging — so
 * tool unit tests run without sockets. Records every call (with its signal) and can fail a kind on
 * demand with the AppError the real adapter would throw.
 */

import { fieldMatcher, labelMatcher } from '../../sandbox/fake-kube.ts';
import type { FakeObjects, Json } from '../../sandbox/kube-objects.ts';
import { AppError } from '../../tools/shared/errors.ts';
import {
  CLUSTER_SCOPED_KINDS,
  type KubeContextInfo,
  type KubeListBatch,
  type KubeListKind,
  type KubeListOptions,
  type KubeLogOptions,
  type KubeObjectRef,
  type KubePort,
  type KubeResources,
  MAX_PAGE_SIZE,
} from '../../tools/shared/kube-port.ts';

/** Items per batch: small, so callers that need a whole page must wait for `endOfPage`, as with the real port. */
const BATCH = 7;

export interface MemoryKubeCall {
  method: 'list' | 'getPod' | 'getDeployment' | 'readPodLog' | 'listContexts';
  kind?: KubeListKind;
  options?: KubeListOptions | KubeObjectRef | KubeLogOptions;
  signal?: AbortSignal;
}

export interface MemoryKube extends KubePort {
  calls: MemoryKubeCall[];
  /** Every call for `kind` (or the method) throws `error` until cleared. */
  fail(what: KubeListKind | 'readPodLog', error: AppError): void;
}

export function forbidden(verb: string, resource: string, namespace?: string): AppError {
  return new AppError({
    code: 'kube_forbidden',
    userMessage: `The bot's Kubernetes identity "system:serviceaccount:ops:shipmate" is not allowed to ${verb} ${resource} ${
      namespace ? `in namespace "${namespace}"` : 'cluster-wide'
    } on cluster "mem-main".`,
  });
}

export function createMemoryKube(
  objects: FakeObjects,
  opts: { contexts?: string[]; current?: string; clusters?: Record<string, FakeObjects> } = {},
): MemoryKube {
  const contexts = opts.contexts ?? ['mem-main', 'mem-other'];
  const current = opts.current ?? contexts[0] ?? 'mem-main';
  const calls: MemoryKubeCall[] = [];
  const failures = new Map<string, AppError>();
  const objectsFor = (cluster: string | undefined): FakeObjects => {
    const name = cluster ?? current;
    if (!contexts.includes(name)) {
      throw new AppError({
        code: 'kube_unknown_context',
        userMessage: `There is no cluster context "${name}" in the kubeconfig. Known contexts: ${contexts.join(', ')}.`,
      });
    }
    return name === current
      ? objects
      : (opts.clusters?.[name] ?? { ...objects, pods: [], deployments: [], events: [] });
  };
  const check = (signal: AbortSignal | undefined): void => {
    if (signal?.aborted) throw new AppError({ code: 'cancelled', userMessage: 'The request was cancelled.' });
  };

  return {
    calls,
    fail(what, error) {
      failures.set(what, error);
    },
    async listContexts(): Promise<KubeContextInfo[]> {
      calls.push({ method: 'listContexts' });
      return contexts.map((name) => ({
        name,
        cluster: name,
        server: `https://${name}.example:6443`,
        current: name === current,
      }));
    },
    list<K extends KubeListKind>(
      kind: K,
      o: KubeListOptions = {},
    ): AsyncIterable<KubeListBatch<KubeResources[K]>> {
      return {
        async *[Symbol.asyncIterator]() {
          calls.push({ method: 'list', kind, options: o, signal: o.signal });
          const src = objectsFor(o.cluster)[kind] as Json[];
          const failure = failures.get(kind);
          if (failure) throw failure;
          const byField = fieldMatcher(o.fieldSelector);
          const byLabel = labelMatcher(o.labelSelector);
          const ns = CLUSTER_SCOPED_KINDS.has(kind) ? undefined : o.namespace;
          const limit = Math.min(MAX_PAGE_SIZE, o.limit ?? MAX_PAGE_SIZE);
          // Like the real port, a page comes in batches (as its bytes arrive); the last ends the page.
          const batchesOf = function* (
            page: Json[],
            more: boolean,
          ): Generator<KubeListBatch<KubeResources[K]>> {
            for (let i = 0; i + BATCH < page.length; i += BATCH) {
              yield { items: page.slice(i, i + BATCH) as unknown as KubeResources[K][], endOfPage: false };
            }
            const last = page.slice(Math.max(0, Math.ceil(page.length / BATCH) - 1) * BATCH);
            yield {
              items: last as unknown as KubeResources[K][],
              endOfPage: true,
              ...(more ? { continue: 'more' } : {}),
            };
          };
          let page: Json[] = [];
          let emitted = false;
          for (const obj of src) {
            if (ns !== undefined && (obj.metadata as Json | undefined)?.namespace !== ns) continue;
            if (!byField(obj) || !byLabel(obj)) continue;
            page.push(obj);
            if (page.length === limit) {
              check(o.signal);
              yield* batchesOf(page, true);
              emitted = true;
              page = [];
            }
          }
          check(o.signal);
          if (page.length > 0 || !emitted) yield* batchesOf(page, false);
        },
      };
    },
    async getPod(ref) {
      calls.push({ method: 'getPod', options: ref, signal: ref.signal });
      check(ref.signal);
      return objectsFor(ref.cluster).pods.find((p) => {
        const m = p.metadata as Json;
        return m.namespace === ref.namespace && m.name === ref.name;
      }) as KubeResources['pods'] | undefined;
    },
    async getDeployment(ref) {
      calls.push({ method: 'getDeployment', options: ref, signal: ref.signal });
      check(ref.signal);
      return objectsFor(ref.cluster).deployments.find((d) => {
        const m = d.metadata as Json;
        return m.namespace === ref.namespace && m.name === ref.name;
      }) as KubeResources['deployments'] | undefined;
    },
    async readPodLog(lo) {
      calls.push({ method: 'readPodLog', options: lo, signal: lo.signal });
      check(lo.signal);
      const failure = failures.get('readPodLog');
      if (failure) throw failure;
      const all = objectsFor(lo.cluster);
      const key = `${lo.namespace}/${lo.name}/${lo.container ?? 'app'}${lo.previous ? '/previous' : ''}`;
      const text = all.logs[key];
      if (text === undefined && lo.previous) {
        throw new AppError({
          code: 'kube_bad_request',
          userMessage: `Kubernetes refused to get pods/log "${lo.name}" (400: previous terminated container "${lo.container}" in pod "${lo.name}" not found).`,
        });
      }
      const lines = (text ?? '').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const tail = lo.tailLines ?? lines.length;
      let out = lines.slice(Math.max(0, lines.length - tail)).join('\n');
      if (lo.limitBytes !== undefined) out = out.slice(0, lo.limitBytes);
      return out;
    },
  };
}
