import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_NOW,
  type Json,
  makeCluster,
  makeDaemonSet,
  makeDeployment,
  makeEvent,
  makeNode,
  makePod,
  makeStatefulSet,
  type PodState,
} from '../../sandbox/kube-objects.ts';
import { analyzeNode } from '../../tools/shared/kube/analyze-node.ts';
import { analyzePod } from '../../tools/shared/kube/analyze-pod.ts';
import {
  analyzeDaemonSet,
  analyzeDeployment,
  analyzeStatefulSet,
} from '../../tools/shared/kube/analyze-workloads.ts';
import { closestNames, editDistance, selectorToString } from '../../tools/shared/kube/objects.ts';
import { chooseContainer, describeContainers, tailLog } from '../../tools/shared/kube/pod-details.ts';
import { createStatusAccumulator } from '../../tools/shared/kube/status-accumulator.ts';
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEvent,
  KubeNode,
  KubePod,
  KubeReplicaSet,
  KubeStatefulSet,
} from '../../tools/shared/kube-port.ts';
import { redact } from '../../tools/shared/redact.ts';

const NOW = DEFAULT_NOW.getTime();
const pod = (j: Json) => j as unknown as KubePod;
const asDeployment = (j: Json) => j as unknown as KubeDeployment;

function podIn(state: PodState, extra: Partial<Parameters<typeof makePod>[0]> = {}): KubePod {
  return pod(
    makePod({
      namespace: 'shop',
      name: 'checkout-7d4b9c8f6-x2x9z',
      owner: { kind: 'ReplicaSet', name: 'checkout-7d4b9c8f6' },
      labels: { app: 'checkout', 'pod-template-hash': '7d4b9c8f6' },
      state,
      ...extra,
    }),
  );
}

describe('analyzePod', () => {
  it('says nothing about a healthy or completed pod', () => {
    expect(analyzePod(podIn({ kind: 'running' }), NOW)).toBeUndefined();
    expect(analyzePod(podIn({ kind: 'completed' }), NOW)).toBeUndefined();
  });

  it('names every failing container — sidecars too — with its reason, exit code and restarts', () => {
    const p = podIn(
      { kind: 'crashLoop', restarts: 23, exitCode: 2, reason: 'Error' },
      { containers: ['app', 'envoy', 'logs'] },
    );
    const statuses = p.status?.containerStatuses ?? [];
    const app = statuses[0];
    const envoy = statuses[1];
    if (!app || !envoy) throw new Error('fixture has three containers');
    statuses[1] = {
      ...app,
      name: 'envoy',
      image: envoy.image,
      restartCount: 4,
      lastState: { terminated: { ...app.lastState?.terminated, exitCode: 137, reason: 'OOMKilled' } },
    };
    const f = analyzePod(p, NOW);
    expect(f).toMatchObject({ reason: 'CrashLoopBackOff', severity: 'error', container: 'app' });
    expect(f?.detail).toMatch(/^exit 2 \(Error\), 23 restarts/);
    expect(f?.detail).toContain(
      'also envoy: OOMKilled, OOMKilled (exit 137) at limit 512Mi, 4 restarts, crash-looping',
    );
    expect(f?.detail).not.toContain('logs');
  });

  it('states the Ready condition’s own reason beside the plain words', () => {
    const f = analyzePod(podIn({ kind: 'notReady', sinceMinutes: 30 }), NOW);
    expect(f?.detail).toMatch(
      /^running but not Ready for 30m \(ContainersNotReady\): containers app failing readiness$/,
    );
  });

  it('reports CrashLoopBackOff with the restart count and the last exit code and reason', () => {
    const f = analyzePod(podIn({ kind: 'crashLoop', restarts: 23, exitCode: 2, reason: 'Error' }), NOW);
    expect(f).toMatchObject({ reason: 'CrashLoopBackOff', severity: 'error', container: 'app' });
    expect(f?.detail).toContain('exit 2 (Error)');
    expect(f?.detail).toContain('23 restarts');
  });

  it('names OOMKilled from lastState.terminated, with the memory limit, while crash-looping', () => {
    const f = analyzePod(podIn({ kind: 'oomKilled', restarts: 6 }), NOW);
    expect(f).toMatchObject({ reason: 'OOMKilled', severity: 'error' });
    expect(f?.detail).toContain('exit 137');
    expect(f?.detail).toContain('512Mi');
    expect(f?.detail).toContain('6 restarts');
  });

  it('still reports a recent OOMKill of a container that is running again, but as a warning; an old one not at all', () => {
    const recent = analyzePod(podIn({ kind: 'oomKilled', stillCrashing: false, minutesAgo: 10 }), NOW);
    expect(recent).toMatchObject({ reason: 'OOMKilled', severity: 'warning' });
    expect(recent?.detail).toContain('10m ago');
    expect(
      analyzePod(podIn({ kind: 'oomKilled', stillCrashing: false, minutesAgo: 180 }), NOW),
    ).toBeUndefined();
  });

  it('names the image of ImagePullBackOff and the cause of ErrImagePull', () => {
    const backoff = analyzePod(
      podIn({ kind: 'imagePull', image: 'registry.example.com/shop/checkout:v9-typo' }),
      NOW,
    );
    expect(backoff).toMatchObject({ reason: 'ImagePullBackOff', severity: 'error' });
    expect(backoff?.detail).toContain('registry.example.com/shop/checkout:v9-typo');
    const err = analyzePod(podIn({ kind: 'imagePull', image: 'ghcr.io/acme/x:1', backoff: false }), NOW);
    expect(err).toMatchObject({ reason: 'ErrImagePull' });
    expect(err?.detail).toBe('image "ghcr.io/acme/x:1" not found');
  });

  it('quotes the message of CreateContainerConfigError and CreateContainerError', () => {
    const cfg = analyzePod(
      podIn({ kind: 'createContainerConfigError', message: 'configmap "feature-flags" not found' }),
      NOW,
    );
    expect(cfg).toMatchObject({
      reason: 'CreateContainerConfigError',
      detail: 'configmap "feature-flags" not found',
    });
    const create = analyzePod(podIn({ kind: 'createContainerError' }), NOW);
    expect(create?.reason).toBe('CreateContainerError');
    expect(create?.detail).toContain('read-only file system');
  });

  it("quotes the scheduler's message for an unschedulable pod, without the preemption tail", () => {
    const f = analyzePod(podIn({ kind: 'unschedulable' }), NOW);
    expect(f).toMatchObject({ reason: 'Unschedulable', severity: 'error' });
    expect(f?.detail).toContain('5 Insufficient cpu');
    expect(f?.detail).toContain('untolerated taint');
    expect(f?.detail).not.toContain('preemption');
  });

  it('flags a Running pod not Ready for longer than the threshold (5 min by default, configurable)', () => {
    const long = analyzePod(podIn({ kind: 'notReady', sinceMinutes: 12 }), NOW);
    expect(long).toMatchObject({ reason: 'NotReady', severity: 'warning', container: 'app' });
    expect(long?.detail).toContain('12m');
    expect(analyzePod(podIn({ kind: 'notReady', sinceMinutes: 3 }), NOW)).toBeUndefined();
    const strict = analyzePod(podIn({ kind: 'notReady', sinceMinutes: 3 }), NOW, {
      notReadyAfterMs: 60_000,
      stuckCreatingAfterMs: 600_000,
      recentMs: 3_600_000,
      eventWindowMs: 3_600_000,
    });
    expect(strict?.reason).toBe('NotReady');
  });

  it('reports evicted pods and pods stuck creating containers', () => {
    expect(analyzePod(podIn({ kind: 'evicted' }), NOW)).toMatchObject({
      reason: 'Evicted',
      severity: 'warning',
    });
    expect(analyzePod(podIn({ kind: 'containerCreating', sinceMinutes: 25 }), NOW)).toMatchObject({
      reason: 'ContainerCreating',
      severity: 'warning',
    });
    expect(analyzePod(podIn({ kind: 'containerCreating', sinceMinutes: 2 }), NOW)).toBeUndefined();
  });

  it('finds the failing container of a multi-container pod', () => {
    const p = makePod({
      namespace: 'shop',
      name: 'api-0',
      containers: ['envoy', 'api'],
      state: { kind: 'running' },
    });
    const status = p.status as Json;
    const statuses = status.containerStatuses as Json[];
    // Make the second container crash-loop.
    statuses[1] = {
      ...(statuses[1] as Json),
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T09:58:00Z' } },
      ready: false,
      restartCount: 4,
    };
    expect(analyzePod(pod(p), NOW)).toMatchObject({ reason: 'CrashLoopBackOff', container: 'api' });
  });
});

describe('workload, node analyzers', () => {
  it('Deployment: ProgressDeadlineExceeded, unavailable replicas, all down, rollout in progress, ReplicaFailure', () => {
    const pde = analyzeDeployment(
      asDeployment(
        makeDeployment({ namespace: 'n', name: 'a', replicas: 4, ready: 3, progressDeadlineExceeded: true })
          .deployment,
      ),
    );
    expect(pde.map((f) => f.reason)).toEqual(['ProgressDeadlineExceeded', 'Unavailable']);
    expect(pde[0]?.detail).toContain('has timed out progressing');
    const partial = analyzeDeployment(
      asDeployment(makeDeployment({ namespace: 'n', name: 'b', replicas: 5, ready: 3 }).deployment),
    );
    // Kubernetes' own reason (the Available condition's) beside the plain words.
    expect(partial).toEqual([
      {
        reason: 'Unavailable',
        severity: 'warning',
        detail: '3/5 replicas available (MinimumReplicasUnavailable)',
      },
    ]);
    const down = analyzeDeployment(
      asDeployment(makeDeployment({ namespace: 'n', name: 'c', replicas: 2, ready: 0 }).deployment),
    );
    expect(down[0]).toMatchObject({ reason: 'Unavailable', severity: 'critical' });
    const rolling = analyzeDeployment(
      asDeployment(
        makeDeployment({ namespace: 'n', name: 'd', replicas: 4, ready: 3, updated: 1 }).deployment,
      ),
    );
    expect(rolling[0]).toMatchObject({ reason: 'RollingOut', severity: 'notice' });
    const quota = analyzeDeployment(
      asDeployment(
        makeDeployment({
          namespace: 'n',
          name: 'e',
          replicas: 3,
          ready: 2,
          replicaFailure: 'pods "e-1" is forbidden: exceeded quota: compute',
        }).deployment,
      ),
    );
    expect(quota.find((f) => f.reason === 'ReplicaFailure')?.detail).toContain('exceeded quota');
    expect(
      analyzeDeployment(asDeployment(makeDeployment({ namespace: 'n', name: 'ok' }).deployment)),
    ).toEqual([]);
  });

  it('StatefulSet and DaemonSet below their desired count', () => {
    expect(
      analyzeStatefulSet(
        makeStatefulSet({ namespace: 'n', name: 'db', replicas: 3, ready: 1 }) as unknown as KubeStatefulSet,
      ),
    ).toEqual([{ reason: 'BelowDesired', severity: 'warning', detail: '1/3 replicas ready' }]);
    expect(
      analyzeStatefulSet(
        makeStatefulSet({ namespace: 'n', name: 'db', replicas: 3, ready: 0 }) as unknown as KubeStatefulSet,
      )[0]?.severity,
    ).toBe('critical');
    const ds = analyzeDaemonSet(
      makeDaemonSet({ namespace: 'n', name: 'agent', desired: 10, ready: 7 }) as unknown as KubeDaemonSet,
    );
    expect(ds[0]).toMatchObject({ reason: 'BelowDesired', detail: '7/10 pods ready, 3 unavailable' });
    expect(
      analyzeDaemonSet(makeDaemonSet({ namespace: 'n', name: 'agent' }) as unknown as KubeDaemonSet),
    ).toEqual([]);
  });

  it('Nodes: NotReady, Unknown and pressure conditions', () => {
    const node = (o: Parameters<typeof makeNode>[1]) => makeNode('ip-10-0-1-1', o) as unknown as KubeNode;
    // Ready=Unknown and Ready=False are both NotReady, as kubectl and the node controller say,
    // with the condition's own reason and message.
    expect(analyzeNode(node({ ready: 'Unknown', sinceMinutes: 7 }), NOW)).toEqual([
      {
        reason: 'NotReady',
        severity: 'critical',
        detail: 'NotReady for 7m — Ready=Unknown (NodeStatusUnknown): Kubelet stopped posting node status.',
      },
    ]);
    const down = analyzeNode(node({ ready: 'False' }), NOW)[0];
    expect(down).toMatchObject({ reason: 'NotReady', severity: 'critical' });
    expect(down?.detail).toContain('Ready=False (KubeletNotReady): container runtime network not ready');
    expect(down?.detail).toContain('cni plugin not initialized');
    for (const f of [...analyzeNode(node({ ready: 'Unknown' }), NOW), down])
      expect(JSON.stringify(f)).not.toContain('NodeUnknown');
    expect(
      analyzeNode(node({ pressure: ['MemoryPressure', 'PIDPressure'] }), NOW).map((f) => f.reason),
    ).toEqual(['MemoryPressure', 'PIDPressure']);
    expect(analyzeNode(node({}), NOW)).toEqual([]);
  });
});

describe('createStatusAccumulator', () => {
  it('groups pod problems by Deployment through ReplicaSet ownerReferences, even when the ReplicaSets come last', () => {
    const { deployment, replicaSet } = makeDeployment({
      namespace: 'shop',
      name: 'checkout',
      replicas: 4,
      ready: 2,
    });
    const rs = replicaSet as unknown as KubeReplicaSet;
    const rsName = rs.metadata?.name ?? '';
    const hash = rs.metadata?.labels?.['pod-template-hash'] ?? '';
    const pods = [0, 1, 2, 3].map((i) =>
      pod(
        makePod({
          namespace: 'shop',
          name: `${rsName}-p${i}`,
          owner: { kind: 'ReplicaSet', name: rsName },
          labels: { app: 'checkout', 'pod-template-hash': hash },
          state: i < 2 ? { kind: 'crashLoop', restarts: 10 + i } : { kind: 'running' },
        }),
      ),
    );
    const acc = createStatusAccumulator({ now: NOW });
    acc.addPods(pods);
    acc.addDeployments([asDeployment(deployment)]);
    acc.addReplicaSets([rs]);
    const r = acc.finish();
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0];
    expect(p).toMatchObject({
      kind: 'Deployment',
      namespace: 'shop',
      name: 'checkout',
      reason: 'CrashLoopBackOff',
      affected: 2,
    });
    expect(p?.status.map((s) => s.reason)).toEqual(['Unavailable']);
    expect(p?.summary).toContain('2 pods CrashLoopBackOff');
    expect(p?.summary).toContain('2/4 replicas available');
    expect(r.counts.pods).toEqual({ total: 4, byPhase: { Running: 4 }, withProblems: 2 });
    expect(r.counts.workloads).toMatchObject({ total: 1, healthy: 0 });
  });

  it("falls back to the pod-template-hash naming rule when ReplicaSets can't be listed", () => {
    const acc = createStatusAccumulator({ now: NOW });
    acc.addPods([podIn({ kind: 'imagePull' })]);
    const r = acc.finish();
    expect(r.problems[0]).toMatchObject({ kind: 'Deployment', name: 'checkout', reason: 'ImagePullBackOff' });
  });

  it('orders worst first, counts healthy workloads without listing them, and groups nodes by condition', () => {
    const c = makeCluster({
      pods: 400,
      problems: { crashLoop: 1, nodeNotReady: 2, notReady: 1, evicted: 1 },
    });
    const acc = createStatusAccumulator({ now: NOW });
    acc.addNodes(c.nodes as unknown as KubeNode[]);
    acc.addPods(c.pods as unknown as KubePod[]);
    acc.addDeployments(c.deployments as unknown as KubeDeployment[]);
    acc.addReplicaSets(c.replicasets as unknown as KubeReplicaSet[]);
    acc.addStatefulSets(c.statefulsets as unknown as KubeStatefulSet[]);
    acc.addDaemonSets(c.daemonsets as unknown as KubeDaemonSet[]);
    acc.addEvents(c.events as unknown as KubeEvent[]);
    const r = acc.finish();
    const severities = r.problems.map((p) => p.severity);
    const rank = { critical: 0, error: 1, warning: 2, notice: 3 };
    expect([...severities].sort((a, b) => rank[a] - rank[b])).toEqual(severities);
    expect(r.problems[0]?.severity).toBe('critical');
    const nodeGroups = r.problems.filter((p) => p.kind === 'Node');
    // One NotReady (False) and one Unknown node: both NotReady, one condition group, never one entry per node.
    expect(nodeGroups.map((p) => [p.name, p.affected])).toEqual([['NotReady', 2]]);
    expect(r.counts.nodes).toMatchObject({ total: 4, ready: 2 });
    expect(r.counts.workloads.total).toBe(c.deployments.length + c.statefulsets.length + c.daemonsets.length);
    expect(r.counts.workloads.healthy).toBe(r.counts.workloads.total - 3);
    expect(r.problems.filter((p) => p.reason === 'Evicted').map((p) => p.kind)).toEqual(['Deployment']);
    expect(r.problems.every((p) => p.kind !== 'ReplicaSet')).toBe(true);
  });

  it('aggregates Warning events by reason and object, with counts and last seen; ignores Normal and stale ones', () => {
    const ev = (o: Partial<Parameters<typeof makeEvent>[0]>) =>
      makeEvent({
        namespace: 'shop',
        involved: { kind: 'Pod', name: 'web-abc12-xyz34' },
        reason: 'FailedMount',
        message: 'MountVolume.SetUp failed for volume "config" : configmap "flags" not found',
        ...o,
      }) as unknown as KubeEvent;
    const acc = createStatusAccumulator({ now: NOW });
    acc.addEvents([
      ev({ count: 4, lastSeenMinutesAgo: 10 }),
      ev({ count: 6, lastSeenMinutesAgo: 2, message: 'newest message' }),
      ev({ reason: 'Unhealthy', count: 3, message: 'Readiness probe failed' }),
      ev({ type: 'Normal', reason: 'Pulled', count: 50 }),
      ev({ count: 99, lastSeenMinutesAgo: 600 }),
    ]);
    const r = acc.finish();
    expect(r.counts.events).toEqual({ distinct: 2, total: 13 });
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0];
    expect(p).toMatchObject({
      kind: 'Pod',
      name: 'web-abc12-xyz34',
      severity: 'warning',
      reason: 'FailedMount',
    });
    const mount = p?.events.find((e) => e.reason === 'FailedMount');
    expect(mount).toMatchObject({
      count: 10,
      objects: 1,
      message: 'newest message',
      object: 'Pod/web-abc12-xyz34',
    });
    expect(mount?.lastSeen).toBe(new Date(NOW - 2 * 60_000).toISOString());
  });

  it('attaches events to the workload of the pod they are about', () => {
    const c = makeCluster({ pods: 60, problems: { crashLoop: 1 } });
    const acc = createStatusAccumulator({ now: NOW });
    acc.addReplicaSets(c.replicasets as unknown as KubeReplicaSet[]);
    acc.addDeployments(c.deployments as unknown as KubeDeployment[]);
    acc.addEvents(c.events as unknown as KubeEvent[]);
    acc.addPods(c.pods as unknown as KubePod[]);
    const p = acc.finish().problems.find((x) => x.reason === 'CrashLoopBackOff');
    expect(p?.events[0]).toMatchObject({ reason: 'BackOff', count: 120, objects: 2 });
  });

  it('keeps bounded state however many pods stream through: examples per group, groups, and the report', () => {
    const acc = createStatusAccumulator({ now: NOW, maxExamples: 3, maxGroups: 50, maxProblems: 10 });
    // 20,000 crash-looping pods in 400 ReplicaSets, in pages of 500.
    for (let page = 0; page < 40; page++) {
      const pods: KubePod[] = [];
      for (let i = 0; i < 500; i++) {
        const n = page * 500 + i;
        const rs = `svc-${n % 400}-abcde12345`;
        pods.push(
          pod(
            makePod({
              namespace: 'load',
              name: `${rs}-${n}`,
              owner: { kind: 'ReplicaSet', name: rs },
              labels: { 'pod-template-hash': 'abcde12345' },
              state: { kind: 'crashLoop' },
            }),
          ),
        );
      }
      acc.addPods(pods);
    }
    const r = acc.finish();
    expect(r.counts.pods.total).toBe(20_000);
    expect(r.counts.pods.withProblems).toBe(20_000);
    expect(r.problems).toHaveLength(10);
    // 50 groups kept, 350 more only counted.
    expect(r.omittedProblems).toBe(40 + 350);
    expect(r.bySeverity.error).toBe(400);
    expect(r.unlistedObjects).toBe(350 * 50);
    for (const p of r.problems) {
      expect(p.examples.length).toBeLessThanOrEqual(3);
      expect(p.affected).toBe(50);
    }
  });
});

describe('workload details helpers', () => {
  it('chooses the previous instance of a crash-looping container and the current one otherwise', () => {
    const crashing = podIn({ kind: 'crashLoop' });
    const f = analyzePod(crashing, NOW);
    expect(chooseContainer(crashing, f ? { finding: f } : {})).toMatchObject({
      container: 'app',
      previous: true,
    });
    expect(chooseContainer(crashing, { previous: false })).toMatchObject({ previous: false });
    expect(chooseContainer(podIn({ kind: 'running' }), {})).toMatchObject({
      container: 'app',
      previous: false,
      why: 'only container',
    });
    expect(chooseContainer(podIn({ kind: 'running' }), { container: 'nope' })).toEqual({
      error: 'Pod checkout-7d4b9c8f6-x2x9z has no container "nope"; containers: app.',
    });
    const annotated = podIn(
      { kind: 'running' },
      { containers: ['sidecar', 'main'], annotations: { 'kubectl.kubernetes.io/default-container': 'main' } },
    );
    expect(chooseContainer(annotated, {})).toMatchObject({ container: 'main', why: 'default container' });
  });

  it('describes container states with exit codes and the last termination', () => {
    const [c] = describeContainers(podIn({ kind: 'oomKilled', restarts: 6 }));
    expect(c).toMatchObject({ name: 'app', state: 'waiting', reason: 'CrashLoopBackOff', restarts: 6 });
    expect(c?.lastTermination).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  });

  it('tails logs within line and character budgets, newest lines kept, secrets redacted, ANSI stripped', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 3 === 0 ? 1000 : 10)}`);
    lines.push('\u001b[31mERROR\u001b[0m connect postgres://app:s3cr3t-pass@db:5432/app failed');
    const t = tailLog(lines.join('\n'), redact, { maxLines: 50, maxChars: 2000 });
    expect(t.lines.length).toBeLessThanOrEqual(50);
    expect(t.lines.join('\n').length).toBeLessThanOrEqual(2000);
    expect(t.lines.at(-1)).toBe('ERROR connect postgres://app:[REDACTED]@db:5432/app failed');
    expect(t.lines.every((l) => l.length <= 300)).toBe(true);
    expect(t.dropped).toBe(5001 - t.lines.length);
  });
});

describe('names and selectors', () => {
  it('suggests the closest names, substring matches first', () => {
    expect(editDistance('payments', 'paymnets')).toBe(2);
    expect(closestNames('paymnets', ['checkout', 'payments', 'payments-staging', 'search'], 2)).toEqual([
      'payments',
      'payments-staging',
    ]);
    expect(closestNames('prod', ['production', 'staging', 'dev'])[0]).toBe('production');
  });

  it('renders label selectors as the API query string', () => {
    expect(
      selectorToString({
        matchLabels: { app: 'web', tier: 'fe' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier=fe,env in (prod,staging),!canary');
  });
});
