import { describe, expect, it } from '@jest/globals';
import {
  type ClusterProblems,
  emptyObjects,
  makeCluster,
  makeNamespace,
} from '../../sandbox/kube-objects.ts';
import { clusterStatus } from '../../tools/cluster-status.ts';
import type { ToolContext } from '../../tools/shared/define-tool.ts';
import { AppError, isAppError } from '../../tools/shared/errors.ts';
import type { ClusterStatusResult } from '../../tools/shared/kube/cluster-status-result.ts';
import { KUBE_ACTION_IDS } from '../../tools/shared/kube/command-args.ts';
import type { Message } from '../../tools/shared/message.ts';
import type { Ports } from '../../tools/shared/ports.ts';
import { redact } from '../../tools/shared/redact.ts';
import { createMemoryKube, forbidden, type MemoryKube } from '../support/memory-kube.ts';

const NOW = new Date();

function ctx(over: Partial<ToolContext> = {}): ToolContext & { steps: string[] } {
  const steps: string[] = [];
  return {
    userId: 'U1',
    traceId: 't-1',
    signal: new AbortController().signal,
    progress: (s) => steps.push(s),
    steps,
    ...over,
  };
}

const everything = (k: number): ClusterProblems => ({
  crashLoop: k,
  oomKilled: k,
  imagePull: k,
  createContainerConfigError: k,
  createContainerError: k,
  unschedulable: k,
  notReady: k,
  progressDeadline: k,
  statefulSetShort: k,
  daemonSetShort: Math.min(k, 2),
  nodeNotReady: k,
  nodePressure: k,
  evicted: k,
  warningEvents: 3 * k,
});

async function status(
  kube: MemoryKube,
  input: { namespace?: string; cluster?: string } = {},
  c = ctx(),
): Promise<ClusterStatusResult> {
  const deps: Ports = { redact, kube };
  return clusterStatus.run(deps, clusterStatus.input.parse(input), c);
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
}

function checkSlackLimits(m: Message): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(3900);
  const blocks = m.blocks ?? [];
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    if (b.type === 'section') {
      expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
    }
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'actions') {
      for (const e of b.elements) {
        expect(Object.values(KUBE_ACTION_IDS)).toContain(e.action_id);
        expect(e.value.startsWith('/ops ')).toBe(true);
      }
    }
  }
}

describe('cluster_status', () => {
  it('declares a read-only tool whose every input field is described', () => {
    expect(clusterStatus.name).toBe('cluster_status');
    expect(clusterStatus.risk).toBe('read');
    const shape = (clusterStatus.input as unknown as { shape: Record<string, { description?: string }> })
      .shape;
    expect(Object.values(shape).every((f) => (f.description ?? '').length > 10)).toBe(true);
    expect(() => clusterStatus.input.parse({ namespace: 'Bad_Name' })).toThrow();
  });

  it('names every planted problem, grouped by workload, worst first, with counts first', async () => {
    const kube = createMemoryKube(makeCluster({ pods: 300, problems: everything(1), now: NOW }));
    const c = ctx();
    const r = await status(kube, {}, c);
    const reasons = new Set(
      r.report.problems.flatMap((p) => [
        p.reason,
        ...p.reasons.map((x) => x.reason),
        ...p.status.map((s) => s.reason),
      ]),
    );
    for (const want of [
      'CrashLoopBackOff',
      'OOMKilled',
      'ImagePullBackOff',
      'ErrImagePull',
      'CreateContainerConfigError',
      'CreateContainerError',
      'Unschedulable',
      'NotReady',
      'ProgressDeadlineExceeded',
      'BelowDesired',
      'DiskPressure',
      'Evicted',
      'FailedMount',
    ]) {
      expect({ want, found: reasons.has(want) }).toEqual({ want, found: true });
    }
    expect(r.report.problems[0]?.severity).toBe('critical');
    // The node is NotReady in Kubernetes' own words, with the condition's reason.
    const node = r.report.problems.find((p) => p.kind === 'Node');
    expect(node).toMatchObject({ name: 'NotReady', reason: 'NotReady', severity: 'critical' });
    expect(clusterStatus.summarize(r)).toMatch(/NotReady/);
    expect(r.report.counts.pods.total).toBe(300);
    expect(r.cluster).toBe('mem-main');
    const text = clusterStatus.summarize(r);
    expect(text.startsWith('Cluster mem-main, all namespaces: nodes 2/3 ready')).toBe(true);
    expect(text).toContain('workloads ');
    expect(text).toMatch(/Problems \(\d+: \d+ critical, \d+ error, \d+ warning/);
    expect(text.length).toBeLessThanOrEqual(1200);
    checkSlackLimits(clusterStatus.blocks(r));
    // Progress reports counts as items arrive, and pages once done; every request carries the job's signal.
    expect(c.steps.at(-1)).toMatch(/300 pods.* \(7 pages done\)$/);
    const lists = kube.calls.filter((x) => x.method === 'list');
    expect(lists.map((x) => x.kind).sort()).toEqual([
      'daemonsets',
      'deployments',
      'events',
      'nodes',
      'pods',
      'replicasets',
      'statefulsets',
    ]);
    expect(lists.every((x) => x.signal !== undefined)).toBe(true);
    expect(lists.find((x) => x.kind === 'events')?.options).toMatchObject({ fieldSelector: 'type=Warning' });
  });

  it('keeps the LLM summary and the Slack message the same size at 10,000 pods as at 100', async () => {
    const small = await status(
      createMemoryKube(makeCluster({ pods: 100, problems: everything(1), now: NOW })),
    );
    const big = await status(
      createMemoryKube(makeCluster({ pods: 10_000, problems: everything(20), now: NOW })),
    );
    expect(big.report.counts.pods.total).toBe(10_000);
    expect(big.report.problems.length + big.report.omittedProblems).toBeGreaterThan(200);
    const [s1, s2] = [clusterStatus.summarize(small), clusterStatus.summarize(big)];
    expect(s1.length).toBeLessThanOrEqual(1200);
    expect(s2.length).toBeLessThanOrEqual(1200);
    expect(Math.abs(s1.length - s2.length)).toBeLessThan(250);
    expect(s2).toMatch(/\+\d+ more problems\./);
    // Twenty workloads missing the same secret fold into one entry instead of crowding out the rest.
    expect(s2).toMatch(
      /\d+ more workloads with CreateContainerConfigError \(secret "db-credentials" not found\)/,
    );
    expect(s2).toContain('CrashLoopBackOff');
    const [b1, b2] = [clusterStatus.blocks(small), clusterStatus.blocks(big)];
    checkSlackLimits(b1);
    checkSlackLimits(b2);
    expect(b2.blocks?.length).toBeLessThanOrEqual(25);
    const size = (m: Message) => JSON.stringify(m).length;
    expect(size(b2)).toBeLessThan(size(b1) * 1.5);
    expect(JSON.stringify(b2)).toContain('more problems');
    expect(JSON.stringify(b2)).toMatch(/\d+ more workloads\* — \*CreateContainerConfigError\*/);
  });

  it('reads one namespace with namespaced lists', async () => {
    const kube = createMemoryKube(makeCluster({ pods: 200, problems: { crashLoop: 2 }, now: NOW }));
    const r = await status(kube, { namespace: 'checkout' });
    expect(r.namespace).toBe('checkout');
    expect(r.report.problems.every((p) => p.kind === 'Node' || p.namespace === 'checkout')).toBe(true);
    const opts = kube.calls.filter((x) => x.method === 'list' && x.kind === 'pods').map((x) => x.options);
    expect(opts[0]).toMatchObject({ namespace: 'checkout' });
    expect(clusterStatus.summarize(r)).toContain('namespace checkout');
  });

  it('answers "namespace not found" with the closest names, and says when a namespace is empty', async () => {
    const objects = makeCluster({ pods: 50, now: NOW });
    objects.namespaces.push(makeNamespace('payments-staging'));
    objects.namespaces.push(makeNamespace('quiet'));
    const kube = createMemoryKube(objects);
    const missing = await status(kube, { namespace: 'paymnets' });
    expect(missing.namespaceNotFound?.closest.slice(0, 2)).toEqual(['payments', 'payments-staging']);
    expect(clusterStatus.summarize(missing)).toBe(
      `Namespace "paymnets" not found on cluster mem-main. Closest namespaces: ${missing.namespaceNotFound?.closest.join(', ')}.`,
    );
    const m = clusterStatus.blocks(missing);
    checkSlackLimits(m);
    expect(JSON.stringify(m)).toContain('/ops status payments --cluster mem-main');

    const empty = await status(kube, { namespace: 'quiet' });
    expect(empty.empty).toBe(true);
    expect(clusterStatus.summarize(empty)).toContain('Namespace quiet on mem-main is empty');
  });

  it('still answers when RBAC forbids nodes or events, saying what it could not check', async () => {
    const kube = createMemoryKube(makeCluster({ pods: 100, problems: { crashLoop: 1 }, now: NOW }));
    kube.fail('nodes', forbidden('list', 'nodes'));
    kube.fail('events', forbidden('list', 'events'));
    const r = await status(kube);
    expect(r.report.problems.some((p) => p.reason === 'CrashLoopBackOff')).toBe(true);
    expect(r.notes).toHaveLength(2);
    expect(r.notes.join('\n')).toContain(
      'nodes not checked: The bot\'s Kubernetes identity "system:serviceaccount:ops:shipmate" is not allowed to list nodes',
    );
    expect(clusterStatus.summarize(r)).toContain('Note: nodes not checked');
    checkSlackLimits(clusterStatus.blocks(r));
  });

  it("fails with the port's specific error when pods cannot be read, and cancels the other lists", async () => {
    const kube = createMemoryKube(makeCluster({ pods: 100, now: NOW }));
    kube.fail('pods', forbidden('list', 'pods'));
    const e = await rejection(status(kube));
    expect(e.code).toBe('kube_forbidden');
    expect(e.userMessage).toContain('not allowed to list pods cluster-wide');
    const timeout = new AppError({
      code: 'kube_timeout',
      userMessage: 'did not answer within 20 s',
      retryable: true,
    });
    kube.fail('pods', timeout);
    expect(await rejection(status(kube))).toBe(timeout);
  });

  it('names the unknown context and the known ones; says how to configure a missing cluster', async () => {
    const kube = createMemoryKube(makeCluster({ pods: 10, now: NOW }));
    const e = await rejection(status(kube, { cluster: 'prod-us' }));
    expect(e).toMatchObject({ code: 'kube_unknown_context' });
    expect(e.userMessage).toBe(
      'There is no cluster context "prod-us" in the kubeconfig. Known contexts: mem-main, mem-other.',
    );
    const none = await rejection(clusterStatus.run({ redact }, {}, ctx()));
    expect(none.code).toBe('not_configured');
    expect(none.userMessage).toContain('KUBECONFIG');
  });

  it('stops when the job is cancelled', async () => {
    const kube = createMemoryKube(makeCluster({ pods: 2000, now: NOW }));
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(status(kube, {}, ctx({ signal: ac.signal })));
    expect(e.code).toBe('cancelled');
  });

  it('says so when everything is healthy', async () => {
    const objects = emptyObjects();
    const kube = createMemoryKube({ ...makeCluster({ pods: 30, now: NOW }), events: objects.events });
    const r = await status(kube);
    expect(r.report.problems).toEqual([]);
    expect(clusterStatus.summarize(r)).toContain('No problems found.');
    const m = clusterStatus.blocks(r);
    checkSlackLimits(m);
    expect(m.text).toBe('Cluster mem-main, all namespaces: no problems found.');
  });
});
