/**
 * Realistic Kubernetes objects in their wire shape (JSON as the API server sends it: RFC 3339 strings,
 * zero values omitted, managedFields present), for the fake API server and for analyzer unit tests.
 * Every problem the status analyzers recognise has a builder that sets the same status fields a real
 * kubelet, scheduler or controller would. `makeCluster()` assembles whole clusters of any size,
 * deterministically (same arguments → same objects), so the bench and tests can compare runs.
 *
 * The builders live in one file per concept; this module re-exports them all, so callers import from here:
 * kube-json.ts (the object set), kube-ids.ts (uids, suffixes, timestamps), kube-nodes.ts (namespaces,
 * nodes), kube-pod-parts.ts and kube-pods.ts (pods), kube-workloads.ts (Deployments/ReplicaSets,
 * StatefulSets, DaemonSets), kube-events.ts (events and planted evidence), kube-cluster.ts (`makeCluster`).
 */

export type { ClusterOptions, ClusterProblems } from './kube-cluster.ts';
export { clusterNamespaceNames, makeCluster } from './kube-cluster.ts';
export type { EventOptions } from './kube-events.ts';
export { makeEvent, plantEvidence } from './kube-events.ts';
export { ago, DEFAULT_NOW, safeSuffix, uid } from './kube-ids.ts';
export type { FakeObjects, Json } from './kube-json.ts';
export { emptyObjects, nameOf } from './kube-json.ts';
export type { NodeOptions, NodePressure } from './kube-nodes.ts';
export { makeNamespace, makeNode } from './kube-nodes.ts';
export type { OwnerRef, PodOptions, PodState } from './kube-pod-parts.ts';
export { makePod } from './kube-pods.ts';
export type { DaemonSetOptions, DeploymentOptions, StatefulSetOptions } from './kube-workloads.ts';
export { makeDaemonSet, makeDeployment, makeStatefulSet } from './kube-workloads.ts';
