/**
 * Realistic Kubernetes objects in their wire shape (JSON as the API server sends it: RFC 3339 strings,
 * zero values omitted, managedFields present), for the fake API server and for analyzer unit tests.
 * Every problem the status analyzers recognise has a builder that sets the same status fields a real
 * kubelet, scheduler or controller would. `makeCluster()` assembles whole clusters of any size,
 * deterministically (same arguments → same objects), so the bench and tests can compare runs.
 */

import { createHash } from 'node:crypto';

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

/** Builder defaults; fixed so object output is deterministic unless a test passes its own `now`. */
export const DEFAULT_NOW = new Date('2026-03-02T10:00:00Z');

let resourceVersion = 100000;
function nextResourceVersion(): string {
  resourceVersion += 1;
  return String(resourceVersion);
}

function hex(seed: string, length: number): string {
  let out = '';
  let i = 0;
  while (out.length < length) {
    out += createHash('sha1').update(`${seed}#${i}`).digest('hex');
    i += 1;
  }
  return out.slice(0, length);
}

/** A stable UUID derived from `seed`. */
export function uid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** The alphabet Kubernetes uses for pod-template hashes and generated name suffixes. */
export function safeSuffix(seed: string, length: number): string {
  const h = createHash('sha1').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[(h[i % h.length] ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/** RFC 3339 (seconds) `minutesAgo` before `now`, as the API server writes timestamps. */
export function ago(now: Date, minutesAgo: number): string {
  return `${new Date(now.getTime() - minutesAgo * 60_000).toISOString().slice(0, 19)}Z`;
}

function ip(seed: string): string {
  const h = createHash('sha1').update(seed).digest();
  return `10.${(h[0] ?? 0) % 250}.${(h[1] ?? 0) % 250}.${((h[2] ?? 0) % 250) + 2}`;
}

export function makeNamespace(name: string, opts: { now?: Date } = {}): Json {
  const now = opts.now ?? DEFAULT_NOW;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: uid(`ns/${name}`),
      resourceVersion: nextResourceVersion(),
      creationTimestamp: ago(now, 60 * 24 * 30),
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export type NodePressure = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

export interface NodeOptions {
  now?: Date;
  /** Ready condition status: `True` (default), `False` (kubelet reports not ready) or `Unknown` (kubelet silent). */
  ready?: 'True' | 'False' | 'Unknown';
  pressure?: NodePressure[];
  unschedulable?: boolean;
  /** Minutes since the Ready condition last changed. */
  sinceMinutes?: number;
}

const PRESSURE_OK: Record<NodePressure, [string, string]> = {
  MemoryPressure: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  DiskPressure: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  PIDPressure: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
};
const PRESSURE_BAD: Record<NodePressure, [string, string]> = {
  MemoryPressure: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
  DiskPressure: ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
  PIDPressure: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
};

export function makeNode(name: string, opts: NodeOptions = {}): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const ready = opts.ready ?? 'True';
  const since = ago(now, opts.sinceMinutes ?? 60 * 24 * 7);
  const heartbeat = ready === 'Unknown' ? since : ago(now, 0.5);
  const conditions: Json[] = (['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const).map((type) => {
    const bad = opts.pressure?.includes(type) ?? false;
    const [reason, message] =
      ready === 'Unknown'
        ? ['NodeStatusUnknown', 'Kubelet stopped posting node status.']
        : bad
          ? PRESSURE_BAD[type]
          : PRESSURE_OK[type];
    return {
      type,
      status: ready === 'Unknown' ? 'Unknown' : bad ? 'True' : 'False',
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: bad || ready === 'Unknown' ? since : ago(now, 60 * 24 * 30),
      reason,
      message,
    };
  });
  conditions.push({
    type: 'Ready',
    status: ready,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: since,
    reason: ready === 'True' ? 'KubeletReady' : ready === 'False' ? 'KubeletNotReady' : 'NodeStatusUnknown',
    message:
      ready === 'True'
        ? 'kubelet is posting ready status'
        : ready === 'False'
          ? 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'
          : 'Kubelet stopped posting node status.',
  });
  const taints: Json[] = [];
  if (ready === 'Unknown') {
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: since });
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: since });
  } else if (ready === 'False') {
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: since });
  }
  if (opts.unschedulable)
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: since });
  const spec: Json = {
    podCIDR: `10.244.${Number.parseInt(hex(name, 2), 16)}.0/24`,
    providerID: `aws:///eu-west-1a/i-${hex(name, 17)}`,
  };
  if (taints.length > 0) spec.taints = taints;
  if (opts.unschedulable) spec.unschedulable = true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: uid(`node/${name}`),
      resourceVersion: nextResourceVersion(),
      creationTimestamp: ago(now, 60 * 24 * 60),
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'm6i.2xlarge',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': 'eu-west-1a',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: {
      capacity: { cpu: '8', 'ephemeral-storage': '104845292Ki', memory: '32408348Ki', pods: '110' },
      allocatable: { cpu: '7910m', 'ephemeral-storage': '95551679124', memory: '31391516Ki', pods: '110' },
      conditions,
      addresses: [
        { type: 'InternalIP', address: ip(name) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hex(`${name}m`, 32),
        systemUUID: uid(`${name}sys`),
        bootID: uid(`${name}boot`),
        kernelVersion: '6.1.112-124.190.amzn2023.x86_64',
        osImage: 'Amazon Linux 2023.6.20241031',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: 'v1.31.2-eks-94953ac',
        kubeProxyVersion: 'v1.31.2-eks-94953ac',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

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

function ownerApiVersion(kind: string): string {
  return kind === 'Job' ? 'batch/v1' : 'apps/v1';
}

function containerSpec(name: string, image: string): Json {
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

function managedFields(time: string, hasStatus: boolean): Json[] {
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

function condition(type: string, status: string, time: string, reason?: string, message?: string): Json {
  const c: Json = { type, status, lastProbeTime: null, lastTransitionTime: time };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function makePod(opts: PodOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const state = opts.state ?? { kind: 'running' };
  const containers = opts.containers ?? ['app'];
  const image = opts.image ?? `registry.example.com/${opts.namespace}/${opts.labels?.app ?? 'app'}:1.4.2`;
  const node = opts.node ?? 'ip-10-0-1-10.eu-west-1.compute.internal';
  const age = opts.ageMinutes ?? 60 * 24 * 3;
  const created = ago(now, age);
  const started = ago(now, age - 0.2);
  const key = `${opts.namespace}/${opts.name}`;
  const first = containers[0] ?? 'app';
  const labels = { ...(opts.labels ?? {}) };
  const metadata: Json = {
    name: opts.name,
    namespace: opts.namespace,
    uid: uid(`pod/${key}`),
    resourceVersion: nextResourceVersion(),
    creationTimestamp: created,
    labels,
    managedFields: managedFields(created, state.kind !== 'unschedulable'),
  };
  if (opts.annotations) metadata.annotations = opts.annotations;
  if (opts.owner) {
    metadata.generateName = opts.owner.kind === 'StatefulSet' ? undefined : `${opts.owner.name}-`;
    if (metadata.generateName === undefined) delete metadata.generateName;
    metadata.ownerReferences = [
      {
        apiVersion: ownerApiVersion(opts.owner.kind),
        kind: opts.owner.kind,
        name: opts.owner.name,
        uid: uid(`${opts.owner.kind}/${opts.namespace}/${opts.owner.name}`),
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  const specContainers = containers.map((c, i) =>
    containerSpec(c, i === 0 && state.kind === 'imagePull' ? (state.image ?? `${image}-missing`) : image),
  );
  const spec: Json = {
    volumes: [
      {
        name: 'kube-api-access',
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
          defaultMode: 420,
        },
      },
    ],
    containers: specContainers,
    restartPolicy: opts.owner?.kind === 'Job' ? 'Never' : 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    tolerations: [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
  if (state.kind !== 'unschedulable') spec.nodeName = node;

  const imageOf = (i: number): string => String((specContainers[i] as Json).image);
  const containerId = (c: string, n: number): string => `containerd://${hex(`${key}/${c}/${n}`, 64)}`;
  const runningStatus = (c: string, i: number, ready: boolean, restarts = 0): Json => ({
    name: c,
    state: { running: { startedAt: started } },
    lastState: {},
    ready,
    restartCount: restarts,
    image: imageOf(i),
    imageID: `${imageOf(i).split(':')[0]}@sha256:${hex(imageOf(i), 64)}`,
    containerID: containerId(c, restarts),
    started: true,
  });
  const others = containers.slice(1).map((c, i) => runningStatus(c, i + 1, true));
  const podIP = ip(key);
  const base = (
    phase: string,
    firstStatus: Json | undefined,
    ready: boolean,
    readyMessage?: string,
  ): Json => {
    const notReadyReason = ready ? undefined : phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady';
    const msg = ready ? undefined : (readyMessage ?? `containers with unready status: [${first}]`);
    const status: Json = {
      phase,
      conditions: [
        condition('PodReadyToStartContainers', 'True', started),
        condition('Initialized', 'True', created, phase === 'Succeeded' ? 'PodCompleted' : undefined),
        condition('Ready', ready ? 'True' : 'False', started, notReadyReason, msg),
        condition('ContainersReady', ready ? 'True' : 'False', started, notReadyReason, msg),
        condition('PodScheduled', 'True', created),
      ],
      hostIP: ip(node),
      hostIPs: [{ ip: ip(node) }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: created,
      containerStatuses: firstStatus ? [firstStatus, ...others] : others,
      qosClass: 'Burstable',
    };
    return status;
  };

  let status: Json;
  switch (state.kind) {
    case 'running':
      status = base('Running', runningStatus(first, 0, true), true);
      break;
    case 'crashLoop':
    case 'oomKilled': {
      const oom = state.kind === 'oomKilled';
      const restarts = state.restarts ?? 14;
      const minutesAgo = state.kind === 'oomKilled' ? (state.minutesAgo ?? 2) : 2;
      const terminated: Json = {
        exitCode: oom ? 137 : ((state.kind === 'crashLoop' ? state.exitCode : undefined) ?? 1),
        reason: oom ? 'OOMKilled' : ((state.kind === 'crashLoop' ? state.reason : undefined) ?? 'Error'),
        startedAt: ago(now, minutesAgo + 0.5),
        finishedAt: ago(now, minutesAgo),
        containerID: containerId(first, restarts - 1),
      };
      const stillCrashing = state.kind === 'crashLoop' || state.stillCrashing !== false;
      const cs: Json = stillCrashing
        ? {
            name: first,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 5m0s restarting failed container=${first} pod=${opts.name}_${opts.namespace}(${uid(`pod/${key}`)})`,
              },
            },
            lastState: { terminated },
            ready: false,
            restartCount: restarts,
            image: imageOf(0),
            imageID: `${imageOf(0).split(':')[0]}@sha256:${hex(imageOf(0), 64)}`,
            containerID: containerId(first, restarts - 1),
            started: false,
          }
        : { ...runningStatus(first, 0, true, restarts), lastState: { terminated } };
      status = base('Running', cs, !stillCrashing);
      break;
    }
    case 'imagePull': {
      const backoff = state.backoff ?? true;
      const cs: Json = {
        name: first,
        state: {
          waiting: backoff
            ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${imageOf(0)}"` }
            : {
                reason: 'ErrImagePull',
                message: `rpc error: code = NotFound desc = failed to pull and unpack image "${imageOf(0)}": failed to resolve reference "${imageOf(0)}": ${imageOf(0)}: not found`,
              },
        },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: '',
        started: false,
      };
      status = base('Pending', cs, false);
      break;
    }
    case 'createContainerConfigError':
    case 'createContainerError': {
      const reason =
        state.kind === 'createContainerConfigError' ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message =
        state.message ??
        (state.kind === 'createContainerConfigError'
          ? 'secret "db-credentials" not found'
          : 'failed to generate container "app" spec: failed to apply OCI options: failed to mkdir "/data": mkdir /data: read-only file system');
      const cs: Json = {
        name: first,
        state: { waiting: { reason, message } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: `${imageOf(0).split(':')[0]}@sha256:${hex(imageOf(0), 64)}`,
        started: false,
      };
      status = base('Pending', cs, false);
      break;
    }
    case 'unschedulable':
      status = {
        phase: 'Pending',
        conditions: [
          condition(
            'PodScheduled',
            'False',
            created,
            'Unschedulable',
            state.message ??
              '0/6 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 5 Insufficient cpu. preemption: 0/6 nodes are available: 1 Preemption is not helpful for scheduling, 5 No preemption victims found for incoming pod.',
          ),
        ],
        qosClass: 'Burstable',
      };
      break;
    case 'notReady': {
      const since = ago(now, state.sinceMinutes ?? 30);
      status = base('Running', runningStatus(first, 0, false), false);
      for (const c of status.conditions as Json[]) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') c.lastTransitionTime = since;
      }
      break;
    }
    case 'containerCreating': {
      const cs: Json = {
        name: first,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: '',
        started: false,
      };
      status = base('Pending', cs, false);
      (status.conditions as Json[])[0] = condition('PodReadyToStartContainers', 'False', created);
      metadata.creationTimestamp = ago(now, state.sinceMinutes ?? 25);
      break;
    }
    case 'completed': {
      const cs: Json = {
        ...runningStatus(first, 0, false),
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: started,
            finishedAt: ago(now, age - 1),
            containerID: containerId(first, 0),
          },
        },
        started: false,
      };
      status = base('Succeeded', cs, false, '');
      break;
    }
    case 'evicted': {
      status = {
        phase: 'Failed',
        reason: 'Evicted',
        message:
          state.message ??
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. Container ${first} was using 1236Mi, request is 256Mi, has larger consumption of its request. `,
        conditions: [
          condition(
            'DisruptionTarget',
            'True',
            ago(now, 40),
            'TerminationByKubelet',
            'The node was low on resource: memory.',
          ),
          condition('Ready', 'False', ago(now, 40), 'PodFailed'),
          condition('PodScheduled', 'True', created),
        ],
        hostIP: ip(node),
        startTime: created,
        containerStatuses: [
          {
            name: first,
            state: {
              terminated: {
                exitCode: 137,
                reason: 'ContainerStatusUnknown',
                message: 'The container could not be located when the pod was terminated',
                startedAt: null,
                finishedAt: null,
              },
            },
            lastState: {},
            ready: false,
            restartCount: 0,
            image: imageOf(0),
            imageID: '',
            started: false,
          },
        ],
        qosClass: 'Burstable',
      };
      break;
    }
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

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

export interface EventOptions {
  namespace: string;
  involved: { kind: string; name: string; namespace?: string; fieldPath?: string };
  reason: string;
  message: string;
  now?: Date;
  count?: number;
  /** Minutes since the event was last seen (default 1). */
  lastSeenMinutesAgo?: number;
  firstSeenMinutesAgo?: number;
  type?: 'Warning' | 'Normal';
  component?: string;
  host?: string;
}

export function makeEvent(opts: EventOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const last = opts.lastSeenMinutesAgo ?? 1;
  const first = opts.firstSeenMinutesAgo ?? last + 30;
  const name = `${opts.involved.name}.${hex(`${opts.namespace}/${opts.involved.kind}/${opts.involved.name}/${opts.reason}`, 16)}`;
  const involved: Json = {
    kind: opts.involved.kind,
    namespace: opts.involved.namespace ?? opts.namespace,
    name: opts.involved.name,
    uid: uid(`${opts.involved.kind}/${opts.namespace}/${opts.involved.name}`),
    apiVersion: opts.involved.kind === 'Pod' || opts.involved.kind === 'Node' ? 'v1' : 'apps/v1',
    resourceVersion: nextResourceVersion(),
  };
  if (opts.involved.kind === 'Node') delete involved.namespace;
  if (opts.involved.fieldPath) involved.fieldPath = opts.involved.fieldPath;
  const component = opts.component ?? (opts.involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: opts.namespace,
      uid: uid(`event/${name}`),
      resourceVersion: nextResourceVersion(),
      creationTimestamp: ago(now, first),
    },
    involvedObject: involved,
    reason: opts.reason,
    message: opts.message,
    source: opts.host ? { component, host: opts.host } : { component },
    firstTimestamp: ago(now, first),
    lastTimestamp: ago(now, last),
    count: opts.count ?? 1,
    type: opts.type ?? 'Warning',
    eventTime: null,
    reportingComponent: component,
    reportingInstance: opts.host ?? '',
  };
}

/** Problems to plant in a generated cluster: how many workloads (or nodes, or events) of each kind. */
export interface ClusterProblems {
  crashLoop?: number;
  oomKilled?: number;
  imagePull?: number;
  createContainerConfigError?: number;
  createContainerError?: number;
  unschedulable?: number;
  notReady?: number;
  progressDeadline?: number;
  statefulSetShort?: number;
  daemonSetShort?: number;
  nodeNotReady?: number;
  nodePressure?: number;
  evicted?: number;
  /** Extra Warning events (probe failures, mount errors) on otherwise healthy pods. */
  warningEvents?: number;
}

export interface ClusterOptions {
  /** Total pods, exactly. */
  pods: number;
  namespaces?: number;
  nodes?: number;
  replicasPerDeployment?: number;
  problems?: ClusterProblems;
  now?: Date;
}

/** The namespaces `makeCluster` creates, besides kube-system and monitoring. */
export function clusterNamespaceNames(count: number): string[] {
  const base = [
    'checkout',
    'payments',
    'catalog',
    'search',
    'identity',
    'shipping',
    'notifications',
    'analytics',
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(i < base.length ? (base[i] as string) : `team-${String(i).padStart(3, '0')}`);
  return out;
}

/**
 * A whole cluster of exactly `opts.pods` pods: two DaemonSets on every node, a couple of StatefulSets,
 * and Deployments filling the rest, with `opts.problems` planted in distinct workloads (each problem
 * workload has some bad pods, not necessarily all) plus the Warning events the real components emit.
 */
export function makeCluster(opts: ClusterOptions): FakeObjects {
  const now = opts.now ?? DEFAULT_NOW;
  const p = opts.problems ?? {};
  const out = emptyObjects();
  const nsNames = clusterNamespaceNames(
    opts.namespaces ?? Math.max(3, Math.min(60, Math.ceil(opts.pods / 200))),
  );
  for (const ns of ['default', 'kube-system', 'monitoring', ...nsNames])
    out.namespaces.push(makeNamespace(ns, { now }));

  const nodeCount = opts.nodes ?? Math.max(3, Math.ceil(opts.pods / 100));
  const nodeNames: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const name = `ip-10-0-${Math.floor(i / 250)}-${(i % 250) + 4}.eu-west-1.compute.internal`;
    nodeNames.push(name);
    const notReady = i < (p.nodeNotReady ?? 0);
    const pressured = !notReady && i < (p.nodeNotReady ?? 0) + (p.nodePressure ?? 0);
    const node = makeNode(name, {
      now,
      ready: notReady ? (i % 2 === 0 ? 'Unknown' : 'False') : 'True',
      sinceMinutes: notReady ? 12 : undefined,
      pressure: pressured ? [i % 2 === 0 ? 'MemoryPressure' : 'DiskPressure'] : undefined,
    });
    out.nodes.push(node);
    if (notReady) {
      out.events.push(
        makeEvent({
          now,
          namespace: 'default',
          involved: { kind: 'Node', name },
          reason: 'NodeNotReady',
          message: `Node ${name} status is now: NodeNotReady`,
          component: 'node-controller',
          lastSeenMinutesAgo: 12,
        }),
      );
    }
  }
  let nodeCursor = 0;
  const nextNode = (): string => {
    const n = nodeNames[nodeCursor % nodeNames.length] as string;
    nodeCursor += 1;
    return n;
  };

  let remaining = opts.pods;
  const addPod = (pod: Json): void => {
    out.pods.push(pod);
    remaining -= 1;
  };

  // DaemonSets on every node (when pods allow).
  const dsNames = ['node-exporter', 'fluent-bit'];
  for (let d = 0; d < dsNames.length; d++) {
    if (remaining < nodeCount) break;
    const name = dsNames[d] as string;
    const short = d < (p.daemonSetShort ?? 0) ? Math.min(2, nodeCount) : 0;
    out.daemonsets.push(
      makeDaemonSet({ namespace: 'monitoring', name, now, desired: nodeCount, ready: nodeCount - short }),
    );
    for (let i = 0; i < nodeCount; i++) {
      const bad = i < short;
      addPod(
        makePod({
          now,
          namespace: 'monitoring',
          name: `${name}-${safeSuffix(`${name}/${i}`, 5)}`,
          owner: { kind: 'DaemonSet', name },
          labels: {
            'app.kubernetes.io/name': name,
            'controller-revision-hash': safeSuffix(name, 10),
            'pod-template-generation': '1',
          },
          containers: [name],
          image: `quay.io/prometheus/${name}:v1.8.2`,
          node: nodeNames[i],
          state: bad ? { kind: 'crashLoop', restarts: 31, exitCode: 2 } : { kind: 'running' },
        }),
      );
    }
  }

  // StatefulSets.
  const stsCount = Math.max(1, p.statefulSetShort ?? 0);
  for (let s = 0; s < stsCount && remaining >= 3; s++) {
    const ns = nsNames[s % nsNames.length] as string;
    const name = s === 0 ? 'postgres' : `postgres-${s}`;
    const short = s < (p.statefulSetShort ?? 0);
    out.statefulsets.push(makeStatefulSet({ namespace: ns, name, now, replicas: 3, ready: short ? 1 : 3 }));
    for (let i = 0; i < 3; i++) {
      const podName = `${name}-${i}`;
      const state: PodState =
        short && i === 1
          ? { kind: 'notReady', sinceMinutes: 45 }
          : short && i === 2
            ? {
                kind: 'unschedulable',
                message:
                  '0/6 nodes are available: 6 node(s) had volume node affinity conflict. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.',
              }
            : { kind: 'running' };
      addPod(
        makePod({
          now,
          namespace: ns,
          name: podName,
          owner: { kind: 'StatefulSet', name },
          labels: {
            app: name,
            'apps.kubernetes.io/pod-index': String(i),
            'statefulset.kubernetes.io/pod-name': podName,
          },
          image: 'docker.io/library/postgres:16.4',
          node: nextNode(),
          state,
        }),
      );
    }
  }

  // Problem deployments, then healthy ones until the pod budget is spent.
  type Plan = {
    state: (i: number) => PodState;
    ready: (replicas: number) => number;
    extra?: Partial<DeploymentOptions>;
    tag: string;
  };
  const plans: Plan[] = [];
  const push = (n: number | undefined, plan: Plan): void => {
    for (let i = 0; i < (n ?? 0); i++) plans.push(plan);
  };
  push(p.crashLoop, {
    tag: 'crash',
    state: (i) => (i < 2 ? { kind: 'crashLoop', restarts: 14 + i, exitCode: 1 } : { kind: 'running' }),
    ready: (r) => r - 2,
  });
  push(p.oomKilled, {
    tag: 'oom',
    state: (i) => (i < 2 ? { kind: 'oomKilled', restarts: 6 + i } : { kind: 'running' }),
    ready: (r) => r - 2,
  });
  push(p.imagePull, {
    tag: 'pull',
    state: (i) => (i < 1 ? { kind: 'imagePull', backoff: true } : { kind: 'running' }),
    ready: (r) => r - 1,
    extra: { updated: 1 },
  });
  push(p.createContainerConfigError, {
    tag: 'config',
    state: () => ({ kind: 'createContainerConfigError' }),
    ready: () => 0,
  });
  push(p.createContainerError, {
    tag: 'create',
    state: (i) => (i < 1 ? { kind: 'createContainerError' } : { kind: 'running' }),
    ready: (r) => r - 1,
  });
  push(p.unschedulable, {
    tag: 'sched',
    state: (i) => (i < 2 ? { kind: 'unschedulable' } : { kind: 'running' }),
    ready: (r) => r - 2,
  });
  push(p.notReady, {
    tag: 'ready',
    state: (i) => (i < 1 ? { kind: 'notReady', sinceMinutes: 20 } : { kind: 'running' }),
    ready: (r) => r - 1,
  });
  push(p.progressDeadline, {
    tag: 'deadline',
    state: (i) => (i < 1 ? { kind: 'imagePull', backoff: false } : { kind: 'running' }),
    ready: (r) => r - 1,
    extra: { progressDeadlineExceeded: true },
  });
  push(p.evicted, {
    tag: 'evict',
    state: (i) => (i < 1 ? { kind: 'evicted' } : { kind: 'running' }),
    ready: (r) => r,
  });

  const perDeployment = Math.max(3, opts.replicasPerDeployment ?? 5);
  const apps = ['api', 'web', 'worker', 'gateway', 'cache', 'scheduler', 'indexer', 'consumer'];
  let d = 0;
  const healthyPods: Json[] = [];
  while (remaining > 0) {
    const plan = plans[d];
    const ns = nsNames[d % nsNames.length] as string;
    const name = `${apps[d % apps.length]}-${String(d).padStart(4, '0')}`;
    const replicas = Math.min(remaining, perDeployment + (plan && plan.tag === 'evict' ? 1 : 0));
    const ready = plan ? Math.max(0, Math.min(replicas, plan.ready(replicas))) : replicas;
    const { deployment, replicaSet, podTemplateHash } = makeDeployment({
      namespace: ns,
      name,
      now,
      replicas: plan?.tag === 'evict' ? replicas - 1 : replicas,
      ready: plan?.tag === 'evict' ? replicas - 1 : ready,
      ...(plan?.extra ?? {}),
    });
    out.deployments.push(deployment);
    out.replicasets.push(replicaSet);
    const rsName = `${name}-${podTemplateHash}`;
    for (let i = 0; i < replicas; i++) {
      const podName = `${rsName}-${safeSuffix(`${rsName}/${i}`, 5)}`;
      const state = plan ? plan.state(i) : { kind: 'running' as const };
      const node = nextNode();
      const pod = makePod({
        now,
        namespace: ns,
        name: podName,
        owner: { kind: 'ReplicaSet', name: rsName },
        labels: { app: name, 'app.kubernetes.io/name': name, 'pod-template-hash': podTemplateHash },
        node,
        state,
      });
      addPod(pod);
      if (!plan) {
        if (healthyPods.length < 1000) healthyPods.push(pod);
        continue;
      }
      plantEvidence(out, now, ns, podName, node, state);
    }
    d += 1;
  }
  for (let i = 0; i < (p.warningEvents ?? 0) && healthyPods.length > 0; i++) {
    const pod = healthyPods[i % healthyPods.length] as Json;
    const meta = pod.metadata as Json;
    const reasons: [string, string][] = [
      [
        'Unhealthy',
        'Liveness probe failed: Get "http://10.1.2.3:8080/livez": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      ],
      ['FailedMount', 'MountVolume.SetUp failed for volume "config" : configmap "feature-flags" not found'],
      ['Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
    ];
    const [reason, message] = reasons[i % reasons.length] as [string, string];
    out.events.push(
      makeEvent({
        now,
        namespace: String(meta.namespace),
        involved: { kind: 'Pod', name: String(meta.name), fieldPath: 'spec.containers{app}' },
        reason,
        message,
        count: 3 + (i % 7),
        lastSeenMinutesAgo: 2 + (i % 20),
      }),
    );
  }
  return out;
}

/** The Warning events and logs real components produce for a pod in `state` (pushed into `out`). */
export function plantEvidence(
  out: FakeObjects,
  now: Date,
  ns: string,
  pod: string,
  node: string,
  state: PodState,
): void {
  const ev = (reason: string, message: string, count = 1, component = 'kubelet'): void => {
    out.events.push(
      makeEvent({
        now,
        namespace: ns,
        involved: {
          kind: 'Pod',
          name: pod,
          fieldPath: component === 'kubelet' ? 'spec.containers{app}' : undefined,
        },
        reason,
        message,
        count,
        component,
        host: component === 'kubelet' ? node : undefined,
      }),
    );
  };
  switch (state.kind) {
    case 'crashLoop':
    case 'oomKilled':
      ev(
        'BackOff',
        `Back-off restarting failed container app in pod ${pod}_${ns}(${uid(`pod/${ns}/${pod}`)})`,
        60,
      );
      out.logs[`${ns}/${pod}/app`] =
        'starting server on :8080\nloading configuration from /etc/app/config.yaml\n';
      out.logs[`${ns}/${pod}/app/previous`] = [
        '2026-03-02T09:57:58Z INFO starting server on :8080',
        '2026-03-02T09:57:58Z INFO connecting to postgres://app:hunter2-very-secret@db.checkout.svc:5432/orders',
        '2026-03-02T09:57:59Z DEBUG outgoing request headers: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
        state.kind === 'oomKilled'
          ? '2026-03-02T09:58:01Z WARN cache warm-up: 1.2 GiB allocated'
          : '2026-03-02T09:58:01Z ERROR migration 0042_add_index failed: relation "orders" does not exist',
        state.kind === 'oomKilled'
          ? 'fatal error: runtime: out of memory'
          : 'panic: cannot start without schema',
      ].join('\n');
      break;
    case 'imagePull':
      ev('Failed', `Failed to pull image "registry.example.com/${ns}/app:1.4.2-missing": not found`, 5);
      ev('BackOff', `Back-off pulling image "registry.example.com/${ns}/app:1.4.2-missing"`, 40);
      break;
    case 'createContainerConfigError':
      ev('Failed', 'Error: secret "db-credentials" not found', 12);
      break;
    case 'createContainerError':
      ev(
        'Failed',
        'Error: failed to generate container "app" spec: failed to mkdir "/data": read-only file system',
        9,
      );
      break;
    case 'unschedulable':
      ev(
        'FailedScheduling',
        '0/6 nodes are available: 5 Insufficient cpu. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.',
        17,
        'default-scheduler',
      );
      break;
    case 'notReady':
      ev('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 240);
      out.logs[`${ns}/${pod}/app`] =
        'GET /readyz 503 waiting for downstream "inventory" (connection refused)\n'.repeat(5);
      break;
    case 'evicted':
      ev('Evicted', 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi.', 1);
      break;
    default:
      break;
  }
}
