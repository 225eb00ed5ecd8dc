/**
 * What the deploy flow may ask of Kubernetes: read one Deployment and its ReplicaSet history, change
 * one container's image, roll back to a recorded revision, and watch the Deployment while it rolls
 * out. The only writes Shipmate makes to a cluster go through this port, and every write has a
 * server-side dry run (`dryRun=All`) so a preview can show what the API server would say before
 * anyone approves. src/clients/kube-deploy.ts implements it over @kubernetes/client-node.
 *
 * The bot's RBAC for it (per namespace it deploys to, `apps` group unless noted):
 * `deployments`: get, list, watch, patch; `replicasets`: get, list, watch; core `pods`, `events`:
 * get, list, watch. Nothing else — no create/delete, no `update` (patches only), no secrets.
 *
 * Failures are AppErrors. Codes a caller can branch on, besides those of {@link KubePort}:
 * - `kube_not_found` — the Deployment (or, for rollbackTo, the revision: `kube_revision_not_found`)
 *   does not exist; the message names it;
 * - `kube_forbidden` — RBAC: the message names the verb and resource the bot lacks;
 * - `kube_conflict` (retryable) — 409, someone changed the object concurrently;
 * - `kube_invalid` — 422 (or a check before sending, e.g. an unknown container): the message is the
 *   API server's reason, so a failed dry run says why;
 * - `kube_unreachable`, `kube_timeout`, `kube_api_error` (retryable) — try again later;
 * - `kube_rollback_paused`, `kube_already_at_revision` — rollbackTo refused, as `kubectl rollout undo` does.
 */

/** One Deployment: `cluster` is a kubeconfig context name (omitted = the current context). */
export interface DeploymentRef {
  cluster?: string;
  namespace: string;
  name: string;
}

/** The fields of a Deployment the deploy flow reads, flattened from the API object. */
export interface DeploymentSnapshot {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  /** metadata.generation: bumped by the API server on every spec change (each setImage/rollbackTo). */
  generation: number;
  /** status.observedGeneration: the generation the controller has acted on (0 when absent). */
  observedGeneration: number;
  /** spec.replicas: desired replicas (default 1). */
  replicas: number;
  /** status.replicas: pods of all its ReplicaSets, old ones included (more than `replicas` mid-rollout). */
  totalReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  /** deployment.kubernetes.io/revision (0 when absent). */
  revision: number;
  containers: Array<{ name: string; image: string }>;
  conditions: Array<{
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastUpdateTime?: string;
  }>;
  /** spec.progressDeadlineSeconds (default 600). */
  progressDeadlineSeconds: number;
  paused: boolean;
  /** pod-template selector labels (spec.selector.matchLabels), to find the rollout's pods */
  selector: Record<string, string>;
  /** The whole spec.selector as a `labelSelector` query (matchExpressions included). */
  labelSelector: string;
}

/** One entry of a Deployment's rollout history: a ReplicaSet it owns. */
export interface ReplicaSetRevision {
  name: string;
  /** deployment.kubernetes.io/revision */
  revision: number;
  images: Array<{ container: string; image: string }>;
  /** metadata.creationTimestamp (RFC 3339). */
  createdAt: string;
  /** spec.replicas: how many pods it is meant to run now (0 for an old revision). */
  replicas: number;
  readyReplicas: number;
  /** The pod-template-hash label its pods carry. */
  podTemplateHash?: string;
}

export interface KubeDeployPort {
  /** The Deployment now. 404 → AppError `kube_not_found` naming it. */
  getDeployment(ref: DeploymentRef, signal?: AbortSignal): Promise<DeploymentSnapshot>;
  /**
   * ReplicaSets owned by the Deployment (ownerReferences uid), newest revision first. After a
   * rollback to revision N, that ReplicaSet becomes the newest revision and N no longer exists.
   */
  listRevisions(ref: DeploymentRef, signal?: AbortSignal): Promise<ReplicaSetRevision[]>;
  /**
   * Strategic-merge patch of one container's image (what `kubectl set image` sends). dryRun →
   * `dryRun=All` (server-side, nothing persisted). Returns the Deployment as the server returned it
   * (for a dry run: the would-be object, `generation` already bumped). An unknown container is
   * refused before anything is sent (`kube_invalid`): a strategic merge would add it as a new one.
   */
  setImage(
    ref: DeploymentRef,
    container: string,
    image: string,
    opts: { dryRun: boolean; signal?: AbortSignal; fieldManager?: string },
  ): Promise<DeploymentSnapshot>;
  /**
   * Like `kubectl rollout undo --to-revision`: patches spec.template to the named revision's
   * ReplicaSet template (minus pod-template-hash). Refuses a paused Deployment and a revision that
   * is already current.
   */
  rollbackTo(
    ref: DeploymentRef,
    revision: number,
    opts: { dryRun: boolean; signal?: AbortSignal; fieldManager?: string },
  ): Promise<DeploymentSnapshot>;
  /**
   * Watch one Deployment (fieldSelector metadata.name) from `resourceVersion`, resuming after a
   * dropped connection from the last seen resourceVersion, re-getting on 410 Gone. Yields a
   * snapshot per change; without `resourceVersion` it first yields the current state. Ends when
   * the signal aborts; throws on a non-retryable failure (403, the Deployment deleted) or when the
   * API stays unreachable past the adapter's retry budget.
   */
  watchDeployment(
    ref: DeploymentRef,
    opts: { resourceVersion?: string; signal: AbortSignal },
  ): AsyncIterable<DeploymentSnapshot>;
}
