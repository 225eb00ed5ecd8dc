/**
 * The object set the fake API server serves for one cluster (kube-objects.ts re-exports it): the wire JSON
 * type, the per-kind lists and container logs, an empty set, and an object's name.
 */

/** A Kubernetes object as JSON. */
export type Json = Record<string, unknown>;

/** Everything the fake API server serves for one cluster. */
export interface FakeObjects {
  namespaces: Json[];
  nodes: Json[];
  pods: Json[];
  deployments: Json[];
  replicasets: Json[];
  statefulsets: Json[];
  daemonsets: Json[];
  events: Json[];
  /** Container logs keyed `namespace/pod/container`; the previous instance under `…/previous`. */
  logs: Record<string, string>;
}

export function emptyObjects(): FakeObjects {
  return {
    namespaces: [],
    nodes: [],
    pods: [],
    deployments: [],
    replicasets: [],
    statefulsets: [],
    daemonsets: [],
    events: [],
    logs: {},
  };
}

/** `metadata.name` of a wire object ('' when absent). */
export function nameOf(obj: Json | undefined): string {
  return String(((obj?.metadata ?? {}) as Json).name ?? '');
}
