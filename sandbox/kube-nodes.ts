/**
 * Namespace and Node builders (kube-objects.ts): a node's Ready condition (True, False, Unknown),
 * memory/disk/PID pressure and cordoning, set as the kubelet and node controller report them.
 */

import { ago, DEFAULT_NOW, hex, ip, nextResourceVersion, uid } from './kube-ids.ts';
import type { Json } from './kube-json.ts';

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
