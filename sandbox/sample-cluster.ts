/**
 * The sample world's Kubernetes cluster (`npm run demo`): three namespaces with one of each fault a
 * team meets in its first week — a crash loop, an OOM kill, an image that cannot be pulled, a missing
 * secret, a pod no node can take, a rollout stuck past its deadline — and a node that stopped
 * reporting. Built from the same object makers the tests use (kube-objects.ts), so what the demo
 * shows is what the real API would send.
 *
 * The deploy targets of the sample team file (sample-team.ts) are healthy: `checkout` in `shop`
 * (prod) and `shop-staging` (staging), and `cart` in `shop`.
 */

import {
  emptyObjects,
  type FakeObjects,
  makeDeployment,
  makeEvent,
  makeNamespace,
  makeNode,
  makePod,
  type PodState,
  plantEvidence,
  safeSuffix,
} from './kube-objects.ts';

/** The sample cluster's namespaces, besides default and kube-system. */
export const SAMPLE_NAMESPACES = ['shop', 'shop-staging', 'platform'] as const;

export const SAMPLE_NODES = [
  'ip-10-0-1-17.eu-west-1.compute.internal',
  'ip-10-0-2-41.eu-west-1.compute.internal',
  'ip-10-0-3-9.eu-west-1.compute.internal',
] as const;

/** The node that stopped reporting (Ready=Unknown). */
export const NOT_READY_NODE = SAMPLE_NODES[2];

interface WorkloadPlan {
  namespace: string;
  name: string;
  replicas: number;
  /** How the first `bad` pods fail; the others run. */
  bad?: { count: number; state: PodState };
  image?: string;
  progressDeadlineExceeded?: boolean;
}

/**
 * The cluster as of `now` (default: the moment of the call, so ages read "12m ago"). Plain objects,
 * for the fake API server (fake-kube.ts) to serve and for its controller to roll out.
 */
export function sampleCluster(now: Date = new Date()): FakeObjects {
  const out = emptyObjects();
  for (const ns of ['default', 'kube-system', ...SAMPLE_NAMESPACES])
    out.namespaces.push(makeNamespace(ns, { now }));
  for (const name of SAMPLE_NODES) {
    const down = name === NOT_READY_NODE;
    out.nodes.push(
      makeNode(name, { now, ready: down ? 'Unknown' : 'True', sinceMinutes: down ? 14 : undefined }),
    );
  }
  out.events.push(
    makeEvent({
      now,
      namespace: 'default',
      involved: { kind: 'Node', name: NOT_READY_NODE },
      reason: 'NodeNotReady',
      message: `Node ${NOT_READY_NODE} status is now: NodeNotReady`,
      component: 'node-controller',
      lastSeenMinutesAgo: 14,
    }),
  );

  const plans: WorkloadPlan[] = [
    { namespace: 'shop', name: 'checkout', replicas: 3, image: 'registry.example.com/shop/checkout:1.4.2' },
    { namespace: 'shop', name: 'cart', replicas: 2, image: 'registry.example.com/shop/cart:2.0.1' },
    {
      namespace: 'shop',
      name: 'payments',
      replicas: 3,
      bad: { count: 2, state: { kind: 'crashLoop', restarts: 17, exitCode: 1 } },
    },
    {
      namespace: 'shop',
      name: 'recommendations',
      replicas: 2,
      bad: { count: 2, state: { kind: 'oomKilled', restarts: 9 } },
    },
    {
      namespace: 'shop-staging',
      name: 'checkout',
      replicas: 2,
      image: 'registry.example.com/shop/checkout:1.4.2',
    },
    {
      namespace: 'shop-staging',
      name: 'search',
      replicas: 2,
      bad: { count: 1, state: { kind: 'imagePull', backoff: true } },
    },
    {
      namespace: 'platform',
      name: 'notifications',
      replicas: 2,
      bad: { count: 2, state: { kind: 'createContainerConfigError' } },
    },
    {
      namespace: 'platform',
      name: 'report-builder',
      replicas: 2,
      bad: { count: 1, state: { kind: 'unschedulable' } },
    },
    {
      namespace: 'platform',
      name: 'inventory',
      replicas: 3,
      bad: { count: 1, state: { kind: 'imagePull', backoff: false } },
      progressDeadlineExceeded: true,
    },
  ];

  const healthyNodes = SAMPLE_NODES.filter((n) => n !== NOT_READY_NODE);
  let cursor = 0;
  for (const p of plans) {
    const bad = p.bad?.count ?? 0;
    const { deployment, replicaSet, podTemplateHash } = makeDeployment({
      namespace: p.namespace,
      name: p.name,
      now,
      replicas: p.replicas,
      ready: p.replicas - bad,
      image: p.image,
      progressDeadlineExceeded: p.progressDeadlineExceeded,
      updated: p.progressDeadlineExceeded ? 1 : undefined,
    });
    out.deployments.push(deployment);
    out.replicasets.push(replicaSet);
    const rsName = `${p.name}-${podTemplateHash}`;
    for (let i = 0; i < p.replicas; i++) {
      const name = `${rsName}-${safeSuffix(`${rsName}/${i}`, 5)}`;
      const state: PodState = i < bad && p.bad ? p.bad.state : { kind: 'running' };
      const node = healthyNodes[cursor++ % healthyNodes.length] as string;
      out.pods.push(
        makePod({
          now,
          namespace: p.namespace,
          name,
          owner: { kind: 'ReplicaSet', name: rsName },
          labels: { app: p.name, 'app.kubernetes.io/name': p.name, 'pod-template-hash': podTemplateHash },
          node: state.kind === 'unschedulable' ? undefined : node,
          image: p.image,
          state,
        }),
      );
      if (state.kind !== 'running') plantEvidence(out, now, p.namespace, name, node, state);
      else out.logs[`${p.namespace}/${name}/app`] = healthyLog(p.name);
    }
  }
  return out;
}

function healthyLog(app: string): string {
  return [
    `INFO ${app} starting on :8080`,
    'INFO connected to postgres (pool 10)',
    'INFO ready',
    'INFO GET /healthz 200 1ms',
    'INFO GET /healthz 200 1ms',
  ].join('\n');
}

/**
 * How pods of a new image fail in the sample world: a version containing `broken` crash-loops, one
 * containing `missing` cannot be pulled (the banner suggests `9.9.9-broken`). Everything else rolls out.
 */
export function sampleNeverReady(image: string): 'CrashLoopBackOff' | 'ImagePullBackOff' | undefined {
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1] ?? '';
  if (tag.includes('broken')) return 'CrashLoopBackOff';
  if (tag.includes('missing')) return 'ImagePullBackOff';
  return undefined;
}
