/**
 * Workload builders (kube-objects.ts): a Deployment with its current ReplicaSet (rollouts, progress
 * deadlines, replica failures), StatefulSets and DaemonSets, with the status their controllers write.
 */

import { ago, DEFAULT_NOW, nextResourceVersion, safeSuffix, uid } from './kube-ids.ts';
import type { Json } from './kube-json.ts';
import { containerSpec } from './kube-pod-parts.ts';

export interface DeploymentOptions {
  namespace: string;
  name: string;
  now?: Date;
  replicas?: number;
  /** Ready/available replicas (default = replicas). */
  ready?: number;
  /** `ProgressDeadlineExceeded` on the Progressing condition. */
  progressDeadlineExceeded?: boolean;
  /** Message of a `ReplicaFailure` condition (e.g. a quota error). */
  replicaFailure?: string;
  /** A rollout in progress: the new ReplicaSet has this many updated replicas. */
  updated?: number;
  containers?: string[];
  image?: string;
}

/** A Deployment and its current ReplicaSet, with pod names for the RS. */
export function makeDeployment(opts: DeploymentOptions): {
  deployment: Json;
  replicaSet: Json;
  podTemplateHash: string;
} {
  const now = opts.now ?? DEFAULT_NOW;
  const replicas = opts.replicas ?? 3;
  const ready = opts.ready ?? replicas;
  const hash = safeSuffix(`${opts.namespace}/${opts.name}/rs`, 10);
  const rsName = `${opts.name}-${hash}`;
  const image = opts.image ?? `registry.example.com/${opts.namespace}/${opts.name}:1.4.2`;
  const containers = (opts.containers ?? ['app']).map((c) => containerSpec(c, image));
  const created = ago(now, 60 * 24 * 20);
  const updated = ago(now, 60 * 3);
  const conditions: Json[] = [
    {
      type: 'Available',
      status: ready >= Math.ceil(replicas * 0.75) ? 'True' : 'False',
      lastUpdateTime: updated,
      lastTransitionTime: updated,
      reason: ready >= Math.ceil(replicas * 0.75) ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message:
        ready >= Math.ceil(replicas * 0.75)
          ? 'Deployment has minimum availability.'
          : 'Deployment does not have minimum availability.',
    },
    opts.progressDeadlineExceeded
      ? {
          type: 'Progressing',
          status: 'False',
          lastUpdateTime: ago(now, 50),
          lastTransitionTime: ago(now, 50),
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${rsName}" has timed out progressing.`,
        }
      : opts.updated !== undefined
        ? {
            type: 'Progressing',
            status: 'True',
            lastUpdateTime: ago(now, 1),
            lastTransitionTime: ago(now, 2),
            reason: 'ReplicaSetUpdated',
            message: `ReplicaSet "${rsName}" is progressing.`,
          }
        : {
            type: 'Progressing',
            status: 'True',
            lastUpdateTime: updated,
            lastTransitionTime: created,
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${rsName}" has successfully progressed.`,
          },
  ];
  if (opts.replicaFailure) {
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      lastUpdateTime: ago(now, 10),
      lastTransitionTime: ago(now, 10),
      reason: 'FailedCreate',
      message: opts.replicaFailure,
    });
  }
  const status: Json = {
    observedGeneration: 7,
    replicas,
    updatedReplicas: opts.updated ?? replicas,
    conditions,
  };
  if (ready > 0) {
    status.readyReplicas = ready;
    status.availableReplicas = ready;
  }
  if (replicas - ready > 0) status.unavailableReplicas = replicas - ready;
  const labels = { app: opts.name, 'app.kubernetes.io/name': opts.name };
  const template = {
    metadata: { labels: { ...labels } },
    spec: {
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
  const deployment: Json = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      uid: uid(`Deployment/${opts.namespace}/${opts.name}`),
      resourceVersion: nextResourceVersion(),
      generation: 7,
      creationTimestamp: created,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '7' },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: opts.name } },
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status,
  };
  const rsStatus: Json = { replicas, fullyLabeledReplicas: replicas, observedGeneration: 1 };
  if (ready > 0) {
    rsStatus.readyReplicas = ready;
    rsStatus.availableReplicas = ready;
  }
  const replicaSet: Json = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: opts.namespace,
      uid: uid(`ReplicaSet/${opts.namespace}/${rsName}`),
      resourceVersion: nextResourceVersion(),
      generation: 1,
      creationTimestamp: updated,
      labels: { ...labels, 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(Math.ceil(replicas * 1.25)),
        'deployment.kubernetes.io/revision': '7',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: opts.name,
          uid: uid(`Deployment/${opts.namespace}/${opts.name}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: opts.name, 'pod-template-hash': hash } },
      template: { ...template, metadata: { labels: { ...labels, 'pod-template-hash': hash } } },
    },
    status: rsStatus,
  };
  return { deployment, replicaSet, podTemplateHash: hash };
}

export interface StatefulSetOptions {
  namespace: string;
  name: string;
  now?: Date;
  replicas?: number;
  ready?: number;
}

export function makeStatefulSet(opts: StatefulSetOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const replicas = opts.replicas ?? 3;
  const ready = opts.ready ?? replicas;
  const revision = `${opts.name}-${safeSuffix(`${opts.namespace}/${opts.name}/rev`, 10)}`;
  const status: Json = {
    observedGeneration: 2,
    replicas,
    currentReplicas: replicas,
    updatedReplicas: replicas,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
  if (ready > 0) {
    status.readyReplicas = ready;
    status.availableReplicas = ready;
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      uid: uid(`StatefulSet/${opts.namespace}/${opts.name}`),
      resourceVersion: nextResourceVersion(),
      generation: 2,
      creationTimestamp: ago(now, 60 * 24 * 40),
      labels: { app: opts.name },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: opts.name } },
      serviceName: opts.name,
      template: {
        metadata: { labels: { app: opts.name } },
        spec: { containers: [containerSpec('app', `docker.io/library/${opts.name}:16.4`)] },
      },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
    status,
  };
}

export interface DaemonSetOptions {
  namespace: string;
  name: string;
  now?: Date;
  desired?: number;
  ready?: number;
  misscheduled?: number;
}

export function makeDaemonSet(opts: DaemonSetOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const desired = opts.desired ?? 3;
  const ready = opts.ready ?? desired;
  const status: Json = {
    currentNumberScheduled: desired,
    numberMisscheduled: opts.misscheduled ?? 0,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: 1,
    updatedNumberScheduled: desired,
    numberAvailable: ready,
  };
  if (desired - ready > 0) status.numberUnavailable = desired - ready;
  if (ready === 0) delete status.numberAvailable;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      uid: uid(`DaemonSet/${opts.namespace}/${opts.name}`),
      resourceVersion: nextResourceVersion(),
      generation: 1,
      creationTimestamp: ago(now, 60 * 24 * 50),
      labels: { 'app.kubernetes.io/name': opts.name },
      annotations: { 'deprecated.daemonset.template.generation': '1' },
    },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': opts.name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': opts.name } },
        spec: { containers: [containerSpec(opts.name, `quay.io/prometheus/${opts.name}:v1.8.2`)] },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status,
  };
}
