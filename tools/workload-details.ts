import type { V1LabelSelector } from '@kubernetes/client-node';
import { z } from 'zod';
import { defineTool, type ToolContext } from './shared/define-tool.ts';
import { AppError } from './shared/errors.ts';
import { LOGS_USAGE, MAX_LOG_LINES, parseLogsArgs } from './shared/kube/command-args.ts';
import { type Finding, SEVERITY_RANK } from './shared/kube/findings.ts';
import { clusterField, namespaceField } from './shared/kube/inputs.ts';
import { controllerOf, selectorToString, toMillis } from './shared/kube/objects.ts';
import { chooseContainer, describeContainers, podInterest } from './shared/kube/pod-details.ts';
import { resolveTarget, type Workload } from './shared/kube/resolve-target.ts';
import type { WorkloadDetailsResult } from './shared/kube/workload-details-result.ts';
import {
  collectEvents,
  hasStarted,
  ownedBy,
  readLogs,
  workloadCounts,
} from './shared/kube/workload-fetch.ts';
// The renderers live with the other rendering code; imported as the tool's summarize/blocks.
import {
  renderWorkloadBlocks as blocks,
  renderWorkloadSummary as summarize,
} from './shared/kube/workload-render.ts';
import type { KubePod } from './shared/kube-port.ts';
import { type Ports, requirePort } from './shared/ports.ts';

const input = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(260)
    .describe(
      'A Deployment, StatefulSet or DaemonSet name, or a pod name. Prefix with deploy/, sts/, ds/ or pod/ to say which kind.',
    ),
  namespace: namespaceField
    .optional()
    .describe('Namespace of the workload. Omit to search every namespace (the name must then be unique).'),
  cluster: clusterField
    .optional()
    .describe('Kubeconfig context name of the cluster. Omit for the default cluster.'),
  previous: z
    .boolean()
    .optional()
    .describe(
      'true: logs of the previous (terminated) container instance; false: the current one. Omit to choose: previous for a crash-looping container.',
    ),
  container: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .optional()
    .describe('Container to read logs from. Omit to pick the failing (or default) container.'),
  tailLines: z
    .number()
    .int()
    .min(1)
    .max(MAX_LOG_LINES)
    .optional()
    .describe(`How many log lines from the end to fetch (default 50, at most ${MAX_LOG_LINES}).`),
});

export type WorkloadDetailsInput = z.infer<typeof input>;

const MAX_POD_SCAN_PAGES = 20;

async function run(deps: Ports, inp: WorkloadDetailsInput, ctx: ToolContext): Promise<WorkloadDetailsResult> {
  const kube = requirePort(
    deps.kube,
    'Kubernetes',
    'Set KUBECONFIG (or mount ~/.kube/config), or run the bot in the cluster with a service account.',
  );
  const contexts = await kube.listContexts();
  const cluster = inp.cluster ?? contexts.find((c) => c.current)?.name ?? 'default';
  if (inp.cluster && !contexts.some((c) => c.name === inp.cluster)) {
    throw new AppError({
      code: 'kube_unknown_context',
      userMessage: `There is no cluster context "${inp.cluster}" in the kubeconfig. Known contexts: ${contexts.map((c) => c.name).join(', ')}.`,
    });
  }
  const base: { cluster?: string; signal: AbortSignal } = { signal: ctx.signal };
  if (inp.cluster) base.cluster = inp.cluster;
  ctx.progress(`Looking up ${inp.name}…`);
  const target = await resolveTarget(kube, inp, base);
  const namespace = target.namespace;
  const targetName = target.obj.metadata?.name ?? inp.name;
  const now = Date.now();
  const notes: string[] = [];
  const result: WorkloadDetailsResult = {
    cluster,
    namespace,
    target: { kind: target.kind, name: targetName },
    containers: [],
    events: [],
    notes,
  };

  // Pick the pod: the given one, or the workload's most troubled pod (streamed, bounded state).
  let pod: KubePod | undefined;
  if (target.kind === 'Pod') {
    pod = target.obj as KubePod;
  } else {
    const w = target.obj as Workload;
    result.workload = workloadCounts(target.kind, w);
    const selector = selectorToString(w.spec?.selector as V1LabelSelector | undefined);
    const byState: Record<string, number> = {};
    let total = 0;
    let best: { pod: KubePod; score: number } | undefined;
    let pages = 0;
    for await (const page of kube.list('pods', { ...base, namespace, labelSelector: selector })) {
      if (page.endOfPage) pages += 1;
      for (const p of page.items) {
        if (!ownedBy(p, target.kind, targetName)) continue;
        total += 1;
        const { finding, score } = podInterest(p, now);
        const state =
          finding && SEVERITY_RANK[finding.severity] <= SEVERITY_RANK.warning
            ? finding.reason
            : (p.status?.phase ?? 'Unknown');
        byState[state] = (byState[state] ?? 0) + 1;
        if (!best || score > best.score) best = { pod: p, score };
      }
      ctx.progress(`Reading pods of ${target.kind} ${targetName}… ${total} so far`);
      if (pages >= MAX_POD_SCAN_PAGES) {
        notes.push(`Only the first ${total} pods were examined.`);
        break;
      }
    }
    result.pods = { total, byState };
    pod = best?.pod;
    if (!pod) notes.push(`${target.kind} ${targetName} has no pods.`);
  }

  const eventNames = [targetName];
  if (pod) {
    const podName = pod.metadata?.name ?? '';
    const { finding } = podInterest(pod, now);
    const created = toMillis(pod.metadata?.creationTimestamp);
    result.pod = {
      name: podName,
      phase: pod.status?.phase ?? 'Unknown',
      ready: pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    };
    if (pod.spec?.nodeName) result.pod.node = pod.spec.nodeName;
    if (created !== undefined) result.pod.ageMs = now - created;
    if (finding) result.pod.finding = finding;
    result.containers = describeContainers(pod).slice(0, 8);
    if (podName !== targetName) eventNames.push(podName);
    const owner = controllerOf(pod.metadata);
    if (owner?.kind === 'ReplicaSet') eventNames.push(owner.name);

    const choiceOpts: { container?: string; previous?: boolean; finding?: Finding } = {};
    if (inp.container) choiceOpts.container = inp.container;
    if (inp.previous !== undefined) choiceOpts.previous = inp.previous;
    if (finding) choiceOpts.finding = finding;
    const choice = chooseContainer(pod, choiceOpts);
    let logsPromise: Promise<WorkloadDetailsResult['logs']> = Promise.resolve(undefined);
    if ('error' in choice) notes.push(choice.error);
    else if (!choice.previous && !hasStarted(pod, choice.container)) {
      // The API answers 400 for a container that never ran; say why instead.
      notes.push(
        `No logs: container ${choice.container} has not started yet${finding ? ` (${finding.reason})` : ''}.`,
      );
    } else logsPromise = readLogs(kube, deps, pod, choice, inp, base, notes);
    ctx.progress(`Reading events${'error' in choice ? '' : ` and logs of ${choice.container}`}…`);
    const [logs, events] = await Promise.all([
      logsPromise,
      collectEvents(kube, eventNames, { ...base, namespace }, notes),
    ]);
    if (logs) result.logs = logs;
    result.events = events;
  } else {
    result.events = await collectEvents(kube, eventNames, { ...base, namespace }, notes);
  }
  return result;
}

/**
 * `workload_details`: one workload or pod up close — container states, recent events and the last
 * log lines of the right container (the previous instance for a crash loop), secrets redacted.
 */
export const workloadDetails = defineTool<WorkloadDetailsInput, WorkloadDetailsResult>({
  name: 'workload_details',
  command: {
    name: 'logs',
    usage: LOGS_USAGE,
    summary: "a workload's or pod's last log lines (previous instance if crash-looping) and recent events",
    keywords: ['logs', 'log', 'events', 'why', 'crash', 'crashing'],
    parse: parseLogsArgs,
    title: (i) => `Logs of ${i.name}${i.namespace ? ` in ${i.namespace}` : ''}`,
  },
  description:
    'Look at one Kubernetes workload (Deployment, StatefulSet, DaemonSet) or pod: replica and pod states, ' +
    'container states with restart counts and exit codes, recent events, and the last log lines of the failing ' +
    'container (the crashed previous instance when it is crash-looping), with secrets redacted. Use it after ' +
    'cluster_status names a problem, or when asked for logs or why a specific service fails. Not for a ' +
    'cluster-wide overview (use cluster_status). Read-only.',
  input,
  risk: 'read',
  run,
  summarize,
  blocks,
});

export default workloadDetails;
