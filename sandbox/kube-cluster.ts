/**
 * Whole generated clusters (kube-objects.ts): `makeCluster` builds exactly the pods asked for, with
 * DaemonSets, StatefulSets and Deployments, and the requested problems planted in distinct workloads.
 */

import { makeEvent, plantEvidence } from './kube-events.ts';
import { DEFAULT_NOW, safeSuffix } from './kube-ids.ts';
import { emptyObjects, type FakeObjects, type Json } from './kube-json.ts';
import { makeNamespace, makeNode } from './kube-nodes.ts';
import type { PodState } from './kube-pod-parts.ts';
import { makePod } from './kube-pods.ts';
import { type DeploymentOptions, makeDaemonSet, makeDeployment, makeStatefulSet } from './kube-workloads.ts';

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
