/**
 * @kubernetes/client-node, loaded on first use. Importing it costs ~70 MB RSS and ~0.6 s, and the
 * composition root builds the Kubernetes ports in every role, so the ports import only its types and
 * load the library with a dynamic `import()` when a call first needs it; a role that never talks to
 * a cluster (`web`) never loads it.
 */

import type * as ClientNode from '@kubernetes/client-node';

/** The module namespace of @kubernetes/client-node. */
export type KubeSdk = typeof ClientNode;

let pending: Promise<KubeSdk> | undefined;
let loaded: KubeSdk | undefined;

/** Loads the library once (the promise is cached; a failed load is retried on the next call). */
export function loadKubeSdk(): Promise<KubeSdk> {
  pending ??= import('@kubernetes/client-node').then(
    (m) => {
      loaded = m;
      return m;
    },
    (e: unknown) => {
      pending = undefined;
      throw e;
    },
  );
  return pending;
}

/**
 * The library if it has been loaded, else undefined — for synchronous code that only needs it once
 * a request was made (an `ApiException` can only exist after the library loaded).
 */
export function loadedKubeSdk(): KubeSdk | undefined {
  return loaded;
}
