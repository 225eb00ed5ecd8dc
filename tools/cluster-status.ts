import { z } from 'zod';
import { defineTool, type ToolContext } from './shared/define-tool.ts';
import { AppError, isAppError } from './shared/errors.ts';
import type { ClusterStatusResult } from './shared/kube/cluster-status-result.ts';
import { parseStatusArgs, STATUS_USAGE } from './shared/kube/command-args.ts';
import { clusterField, namespaceField } from './shared/kube/inputs.ts';
import { closestNames } from './shared/kube/objects.ts';
import { createStatusAccumulator, type StatusAccumulator } from './shared/kube/status-accumulator.ts';
// The renderers live with the other rendering code; imported as the tool's summarize/blocks.
import {
  renderStatusBlocks as blocks,
  formatCount,
  scopeLabel,
  renderStatusSummary as summarize,
} from './shared/kube/status-render.ts';
import type { KubeListKind, KubePort } from './shared/kube-port.ts';
import { type Ports, requirePort } from './shared/ports.ts';

const input = z.object({
  namespace: namespaceField
    .optional()
    .describe('Only this Kubernetes namespace. Omit to check the whole cluster.'),
  cluster: clusterField
    .optional()
    .describe('Kubeconfig context name of the cluster to check. Omit for the default cluster.'),
});

export type ClusterStatusInput = z.infer<typeof input>;

/** Lists that may be forbidden without making the status useless; pods are required. */
const OPTIONAL: readonly KubeListKind[] = [
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'nodes',
  'events',
];

async function drain<K extends KubeListKind>(
  kube: KubePort,
  kind: K,
  acc: StatusAccumulator,
  opts: { cluster?: string; namespace?: string; signal: AbortSignal },
  onPage: (kind: KubeListKind, items: number, endOfPage: boolean) => void,
): Promise<void> {
  const listOpts = kind === 'events' ? { ...opts, fieldSelector: 'type=Warning' } : opts;
  for await (const page of kube.list(kind, listOpts)) {
    // biome-ignore lint/suspicious/noExplicitAny: the switch below narrows by kind; TS cannot correlate the generic.
    const items = page.items as any[];
    switch (kind) {
      case 'pods':
        acc.addPods(items);
        break;
      case 'deployments':
        acc.addDeployments(items);
        break;
      case 'replicasets':
        acc.addReplicaSets(items);
        break;
      case 'statefulsets':
        acc.addStatefulSets(items);
        break;
      case 'daemonsets':
        acc.addDaemonSets(items);
        break;
      case 'nodes':
        acc.addNodes(items);
        break;
      case 'events':
        acc.addEvents(items);
        break;
    }
    onPage(kind, items.length, page.endOfPage);
  }
}

/** Does the namespace exist? `undefined` when the bot may not list namespaces. */
async function namespaceNames(
  kube: KubePort,
  cluster: string | undefined,
  signal: AbortSignal,
): Promise<string[] | undefined> {
  const names: string[] = [];
  try {
    for await (const page of kube.list('namespaces', { cluster, signal })) {
      for (const ns of page.items) if (ns.metadata?.name) names.push(ns.metadata.name);
    }
  } catch (e) {
    if (isAppError(e) && e.code === 'kube_forbidden') return undefined;
    throw e;
  }
  return names;
}

async function run(deps: Ports, inp: ClusterStatusInput, ctx: ToolContext): Promise<ClusterStatusResult> {
  const kube = requirePort(
    deps.kube,
    'Kubernetes',
    'Set KUBECONFIG (or mount ~/.kube/config), or run the bot in the cluster with a service account.',
  );
  const started = Date.now();
  const contexts = await kube.listContexts();
  const clusterName = inp.cluster ?? contexts.find((c) => c.current)?.name ?? 'default';
  if (inp.cluster && !contexts.some((c) => c.name === inp.cluster)) {
    throw new AppError({
      code: 'kube_unknown_context',
      userMessage: `There is no cluster context "${inp.cluster}" in the kubeconfig. Known contexts: ${contexts.map((c) => c.name).join(', ') || '(none)'}.`,
    });
  }

  // 60 problems leave room to fold repeats (see fold() in status-render.ts) and still show 15 distinct ones.
  const acc = createStatusAccumulator({ now: Date.now(), maxProblems: 60 });
  const seen: Partial<Record<KubeListKind, number>> = {};
  let pages = 0;
  const onPage = (kind: KubeListKind, items: number, endOfPage: boolean): void => {
    if (endOfPage) pages += 1;
    seen[kind] = (seen[kind] ?? 0) + items;
    const parts = [`${formatCount(seen.pods ?? 0)} pods`];
    const workloads = (seen.deployments ?? 0) + (seen.statefulsets ?? 0) + (seen.daemonsets ?? 0);
    if (workloads) parts.push(`${formatCount(workloads)} workloads`);
    if (seen.nodes) parts.push(`${formatCount(seen.nodes)} nodes`);
    if (seen.events) parts.push(`${formatCount(seen.events)} warnings`);
    ctx.progress(
      `Reading ${scopeLabel({ cluster: clusterName, namespace: inp.namespace })}… ${parts.join(', ')}${pages > 0 ? ` (${formatCount(pages)} page${pages === 1 ? '' : 's'} done)` : ''}`,
    );
  };

  // All lists run in parallel; the first fatal failure cancels the rest.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const listOpts: { cluster?: string; namespace?: string; signal: AbortSignal } = { signal };
  if (inp.cluster) listOpts.cluster = inp.cluster;
  if (inp.namespace) listOpts.namespace = inp.namespace;
  const notes: string[] = [];
  const kinds: KubeListKind[] = ['pods', ...OPTIONAL];
  const results = await Promise.allSettled(
    kinds.map((kind) =>
      drain(kube, kind, acc, listOpts, onPage).catch((e: unknown) => {
        if (OPTIONAL.includes(kind) && isAppError(e) && e.code === 'kube_forbidden') {
          notes.push(`${kind} not checked: ${e.userMessage}`);
          return;
        }
        stop.abort();
        throw e;
      }),
    ),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    // Prefer the cause over the "cancelled" the other lists report after it.
    throw failures.find((e) => !(isAppError(e) && e.code === 'cancelled')) ?? failures[0];
  }

  const report = acc.finish();
  const result: ClusterStatusResult = {
    cluster: clusterName,
    report,
    notes,
    pages,
    durationMs: Date.now() - started,
  };
  if (inp.namespace) {
    result.namespace = inp.namespace;
    const c = report.counts;
    if (c.pods.total === 0 && c.workloads.total === 0 && c.events.distinct === 0) {
      const names = await namespaceNames(kube, inp.cluster, ctx.signal);
      if (names === undefined) {
        notes.push(
          `Nothing found in namespace ${inp.namespace}; the bot may not list namespaces, so it cannot tell whether it exists.`,
        );
      } else if (!names.includes(inp.namespace)) {
        result.namespaceNotFound = { closest: closestNames(inp.namespace, names, 3) };
      } else {
        result.empty = true;
      }
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * `cluster_status`: what is broken right now in a Kubernetes cluster (or one namespace), grouped by
 * workload, worst first — read-only, paged, bounded output at any cluster size.
 */
export const clusterStatus = defineTool<ClusterStatusInput, ClusterStatusResult>({
  name: 'cluster_status',
  command: {
    name: 'status',
    usage: STATUS_USAGE,
    summary: 'cluster health: counts, then every problem grouped by workload, worst first',
    keywords: ['status', 'health', 'broken', 'crashing', 'failing', 'pods', 'cluster', 'down'],
    parse: parseStatusArgs,
    title: (i) =>
      `Cluster status${i.namespace ? ` of ${i.namespace}` : ''}${i.cluster ? ` on ${i.cluster}` : ''}`,
  },
  description:
    'Health of a Kubernetes cluster or one namespace: node, workload and pod counts, then every problem ' +
    '(CrashLoopBackOff, OOMKilled, image pull errors, missing secrets/configmaps, unschedulable or unready pods, ' +
    'stalled rollouts, StatefulSets/DaemonSets below desired, NotReady or pressured nodes, recent Warning events) ' +
    'grouped by workload, worst first. Use it first for "what is broken?", "is prod healthy?", "why is X down?". ' +
    'It does not show logs — use workload_details for one workload or pod. Read-only.',
  input,
  risk: 'read',
  run,
  summarize,
  blocks,
});

export default clusterStatus;
