/**
 * The pieces a Pod is built from (kube-objects.ts, used by kube-pods.ts): the container states a pod can
 * be in, pod options and owner references, the container spec, managedFields and pod conditions.
 */

import type { Json } from './kube-json.ts';

/** What state a pod's (first) container is in; each matches what the kubelet reports for it. */
export type PodState =
  | { kind: 'running' }
  | { kind: 'crashLoop'; restarts?: number; exitCode?: number; reason?: string }
  | { kind: 'oomKilled'; restarts?: number; stillCrashing?: boolean; minutesAgo?: number }
  | { kind: 'imagePull'; image?: string; backoff?: boolean }
  | { kind: 'createContainerConfigError'; message?: string }
  | { kind: 'createContainerError'; message?: string }
  | { kind: 'unschedulable'; message?: string }
  | { kind: 'notReady'; sinceMinutes?: number }
  | { kind: 'containerCreating'; sinceMinutes?: number }
  | { kind: 'completed' }
  | { kind: 'evicted'; message?: string };

export interface OwnerRef {
  kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  name: string;
}

export interface PodOptions {
  namespace: string;
  name: string;
  now?: Date;
  owner?: OwnerRef;
  labels?: Record<string, string>;
  node?: string;
  /** Container names; the first carries `state`, the rest run fine. Default `['app']`. */
  containers?: string[];
  image?: string;
  state?: PodState;
  /** Minutes since creation (default 3 days). */
  ageMinutes?: number;
  annotations?: Record<string, string>;
}

export function ownerApiVersion(kind: string): string {
  return kind === 'Job' ? 'batch/v1' : 'apps/v1';
}

export function containerSpec(name: string, image: string): Json {
  return {
    name,
    image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'url' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    livenessProbe: {
      httpGet: { path: '/livez', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 10,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: 'http', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

export function managedFields(time: string, hasStatus: boolean): Json[] {
  const fields: Json[] = [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:generateName': {},
          'f:labels': { '.': {}, 'f:app.kubernetes.io/name': {}, 'f:pod-template-hash': {} },
          'f:ownerReferences': { '.': {}, 'k:{"uid":"x"}': {} },
        },
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': { '.': {}, 'f:env': {}, 'f:image': {}, 'f:livenessProbe': {} },
          },
          'f:dnsPolicy': {},
          'f:restartPolicy': {},
          'f:schedulerName': {},
          'f:terminationGracePeriodSeconds': {},
        },
      },
    },
  ];
  if (hasStatus) {
    fields.push({
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:status': {
          'f:conditions': {
            'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:status': {}, 'f:type': {} },
          },
          'f:containerStatuses': {},
          'f:hostIP': {},
          'f:phase': {},
          'f:podIP': {},
          'f:startTime': {},
        },
      },
      subresource: 'status',
    });
  }
  return fields;
}

export function condition(
  type: string,
  status: string,
  time: string,
  reason?: string,
  message?: string,
): Json {
  const c: Json = { type, status, lastProbeTime: null, lastTransitionTime: time };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}
