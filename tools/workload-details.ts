import type { V1LabelSelector } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  fields,
  header,
  section,
  truncate,
} from './shared/block-kit.ts';
import { defineTool, type ToolContext } from './shared/define-tool.ts';
import { AppError, isAppError } from './shared/errors.ts';
import {
  KUBE_ACTION_IDS,
  LOGS_USAGE,
  logsCommand,
  parseLogsArgs,
  statusCommand,
} from './shared/kube/command-args.ts';
import {
  analyzeDaemonSet,
  analyzeDeployment,
  analyzeStatefulSet,
  type Finding,
  SEVERITY_RANK,
} from './shared/kube/findings.ts';
import { clusterField, namespaceField } from './shared/kube/inputs.ts';
import {
  closestNames,
  controllerOf,
  formatAge,
  oneLine,
  selectorToString,
  toMillis,
} from './shared/kube/objects.ts';
import {
  type ContainerInfo,
  chooseContainer,
  describeContainers,
  type EventInfo,
  podInterest,
  recentEvents,
  tailLog,
} from './shared/kube/pod-details.ts';
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEvent,
  KubeListKind,
  KubeListOptions,
  KubePod,
  KubePort,
  KubeResources,
  KubeStatefulSet,
} from './shared/kube-port.ts';
import type { Block, ButtonElement, Message } from './shared/message.ts';
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
    .max(200)
    .optional()
    .describe('How many log lines from the end to fetch (default 50, at most 200).'),
});

export type WorkloadDetailsInput = z.infer<typeof input>;

type TargetKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Pod';

export interface WorkloadDetailsResult {
  cluster: string;
  namespace: string;
  target: { kind: TargetKind; name: string };
  /** For workloads: replica counts and status findings. */
  workload?: { desired: number; ready: number; findings: Finding[] };
  /** For workloads: how many pods, by state (Running, CrashLoopBackOff, …). */
  pods?: { total: number; byState: Record<string, number> };
  /** The pod looked at (for a workload, its most troubled pod). */
  pod?: {
    name: string;
    phase: string;
    node?: string;
    ready: boolean;
    /** ms since creation. */
    ageMs?: number;
    finding?: Finding;
  };
  containers: ContainerInfo[];
  logs?: { container: string; previous: boolean; why: string; lines: string[]; dropped: number };
  events: EventInfo[];
  notes: string[];
}

const DEFAULT_TAIL = 50;
const LOG_CHAR_BUDGET = 8000;
const MAX_EVENTS = 10;
const MAX_POD_SCAN_PAGES = 20;

const KIND_PREFIX: Record<string, TargetKind> = {
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  po: 'Pod',
  pod: 'Pod',
  pods: 'Pod',
};

const LIST_KIND: Record<TargetKind, KubeListKind> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Pod: 'pods',
};

type Workload = KubeDeployment | KubeStatefulSet | KubeDaemonSet;

interface Candidate {
  kind: TargetKind;
  namespace: string;
  obj: Workload | KubePod;
}

/** All objects of `kind` named `name` (in `namespace`, or cluster-wide), via a field selector. */
async function findByName(
  kube: KubePort,
  kind: TargetKind,
  name: string,
  base: { cluster?: string; namespace?: string; signal: AbortSignal },
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const opts: KubeListOptions = { ...base, fieldSelector: `metadata.name=${name}`, limit: 50 };
  for await (const page of kube.list(LIST_KIND[kind], opts)) {
    for (const obj of page.items as KubeResources[KubeListKind][]) {
      const meta = (obj as { metadata?: { namespace?: string } }).metadata;
      out.push({ kind, namespace: meta?.namespace ?? '', obj: obj as Workload | KubePod });
    }
    if (out.length >= 50) break;
  }
  return out;
}

async function firstPageNames(
  kube: KubePort,
  kind: KubeListKind,
  base: { cluster?: string; namespace?: string; signal: AbortSignal },
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const batch of kube.list(kind, { ...base, limit: 500 })) {
      for (const o of batch.items) {
        const name = (o as { metadata?: { name?: string } }).metadata?.name;
        if (name) names.push(name);
      }
      if (batch.endOfPage) break;
    }
  } catch (e) {
    if (isAppError(e) && e.code === 'kube_forbidden') return [];
    throw e;
  }
  return names;
}

async function resolveTarget(
  kube: KubePort,
  inp: WorkloadDetailsInput,
  base: { cluster?: string; signal: AbortSignal },
): Promise<Candidate> {
  let name = inp.name;
  let kinds: TargetKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'];
  const slash = name.indexOf('/');
  if (slash > 0) {
    const k = KIND_PREFIX[name.slice(0, slash).toLowerCase()];
    if (!k) {
      throw new AppError({
        code: 'bad_arguments',
        userMessage: `"${name.slice(0, slash)}" is not a kind I can look at; use deploy/, sts/, ds/ or pod/.`,
      });
    }
    kinds = [k];
    name = name.slice(slash + 1);
  }
  const where: { cluster?: string; namespace?: string; signal: AbortSignal } = { ...base };
  if (inp.namespace) where.namespace = inp.namespace;
  const found = (await Promise.all(kinds.map((k) => findByName(kube, k, name, where)))).flat();
  if (found.length === 0) {
    const names = new Set<string>();
    for (const k of ['deployments', 'statefulsets', 'daemonsets'] as const) {
      for (const x of await firstPageNames(kube, k, where)) names.add(x);
    }
    const near = closestNames(name, names, 3);
    throw new AppError({
      code: 'kube_not_found',
      userMessage: `No workload or pod named "${name}"${inp.namespace ? ` in namespace ${inp.namespace}` : ' in any namespace'}.${
        near.length ? ` Closest: ${near.join(', ')}.` : ''
      }`,
    });
  }
  // A workload beats a pod of the same name; within a kind, the namespace must be unambiguous.
  const order: TargetKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'];
  found.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const best = found[0] as Candidate;
  const sameKind = found.filter((c) => c.kind === best.kind);
  if (sameKind.length > 1) {
    throw new AppError({
      code: 'ambiguous',
      userMessage: `${best.kind} "${name}" exists in several namespaces (${sameKind
        .slice(0, 6)
        .map((c) => c.namespace)
        .join(', ')}${sameKind.length > 6 ? ', …' : ''}). Say which namespace.`,
    });
  }
  return best;
}

function workloadCounts(
  kind: TargetKind,
  w: Workload,
): { desired: number; ready: number; findings: Finding[] } {
  if (kind === 'Deployment') {
    const d = w as KubeDeployment;
    return {
      desired: d.spec?.replicas ?? 1,
      ready: d.status?.readyReplicas ?? 0,
      findings: analyzeDeployment(d),
    };
  }
  if (kind === 'StatefulSet') {
    const s = w as KubeStatefulSet;
    return {
      desired: s.spec?.replicas ?? 1,
      ready: s.status?.readyReplicas ?? 0,
      findings: analyzeStatefulSet(s),
    };
  }
  const ds = w as KubeDaemonSet;
  return {
    desired: ds.status?.desiredNumberScheduled ?? 0,
    ready: ds.status?.numberReady ?? 0,
    findings: analyzeDaemonSet(ds),
  };
}

/** Is `pod` really this workload's (a selector can match strangers)? */
function ownedBy(pod: KubePod, kind: TargetKind, name: string): boolean {
  const owner = controllerOf(pod.metadata);
  if (!owner) return false;
  if (kind === 'Deployment') return owner.kind === 'ReplicaSet' && owner.name.startsWith(`${name}-`);
  return owner.kind === kind && owner.name === name;
}

async function collectEvents(
  kube: KubePort,
  names: string[],
  base: { cluster?: string; namespace: string; signal: AbortSignal },
  notes: string[],
): Promise<EventInfo[]> {
  const all: KubeEvent[] = [];
  try {
    await Promise.all(
      names.map(async (name) => {
        for await (const page of kube.list('events', {
          ...base,
          fieldSelector: `involvedObject.name=${name}`,
          limit: 100,
        })) {
          all.push(...page.items);
          if (page.endOfPage) break; // one page, 100 per object, is plenty
        }
      }),
    );
  } catch (e) {
    if (isAppError(e) && e.code === 'kube_forbidden') {
      notes.push(`Events not shown: ${e.userMessage}`);
      return [];
    }
    throw e;
  }
  return recentEvents(all, MAX_EVENTS);
}

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

/** Has the container ever run (so that it has a log)? */
function hasStarted(pod: KubePod, container: string): boolean {
  const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  return Boolean(cs && (cs.state?.running || cs.state?.terminated || cs.lastState?.terminated));
}

async function readLogs(
  kube: KubePort,
  deps: Ports,
  pod: KubePod,
  choice: { container: string; previous: boolean; why: string },
  inp: WorkloadDetailsInput,
  base: { cluster?: string; signal: AbortSignal },
  notes: string[],
): Promise<WorkloadDetailsResult['logs']> {
  const tail = inp.tailLines ?? DEFAULT_TAIL;
  const ref = {
    ...base,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    container: choice.container,
  };
  const read = (previous: boolean) =>
    kube.readPodLog({ ...ref, tailLines: tail, previous, limitBytes: 256 * 1024 });
  let previous = choice.previous;
  let why = choice.why;
  let text: string;
  try {
    text = await read(previous);
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (previous && e.code === 'kube_bad_request' && inp.previous === undefined) {
      // No previous instance after all (e.g. it was garbage-collected): show the current one.
      previous = false;
      why = `${why}; no previous instance is kept, so the current one`;
      try {
        text = await read(false);
      } catch (e2) {
        if (!isAppError(e2)) throw e2;
        notes.push(`Logs not shown: ${e2.userMessage}`);
        return undefined;
      }
    } else if (e.code === 'kube_forbidden' || e.code === 'kube_bad_request' || e.code === 'kube_not_found') {
      notes.push(`Logs not shown: ${e.userMessage}`);
      return undefined;
    } else throw e;
  }
  const t = tailLog(text, deps.redact, { maxLines: tail, maxChars: LOG_CHAR_BUDGET });
  return { container: choice.container, previous, why, lines: t.lines, dropped: t.dropped };
}

function containerLine(c: ContainerInfo, now: number): string {
  const state =
    c.state === 'waiting'
      ? `waiting: ${c.reason ?? '?'}${c.message && c.reason !== 'CrashLoopBackOff' ? ` (${oneLine(c.message, 140)})` : ''}`
      : c.state === 'terminated'
        ? `terminated: exit ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`
        : c.state === 'running'
          ? `running${c.since ? ` ${formatAge(now - (toMillis(c.since) ?? now))}` : ''}${c.ready ? '' : ', not ready'}`
          : 'no status';
  const last = c.lastTermination;
  const lastText = last
    ? `; last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}${last.finishedAt ? ` ${formatAge(now - (toMillis(last.finishedAt) ?? now))} ago` : ''}`
    : '';
  return `${c.init ? 'init ' : ''}${c.name}: ${state}, ${c.restarts} restarts${lastText}`;
}

function title(r: WorkloadDetailsResult): string {
  return `${r.target.kind} ${r.namespace}/${r.target.name}`;
}

function stateLine(r: WorkloadDetailsResult): string {
  const parts: string[] = [];
  if (r.workload) parts.push(`${r.workload.ready}/${r.workload.desired} ready`);
  if (r.pods) {
    const states = Object.entries(r.pods.byState)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([s, k]) => `${k} ${s}`)
      .join(', ');
    parts.push(`${r.pods.total} pods${states ? ` (${states})` : ''}`);
  }
  for (const f of r.workload?.findings ?? []) parts.push(`${f.reason}: ${oneLine(f.detail, 100)}`);
  return parts.join('; ');
}

/** For the LLM: target state, the pod, containers, events, then as many final log lines as fit. */
function summarize(r: WorkloadDetailsResult): string {
  const budget = 1200;
  const now = Date.now();
  const head: string[] = [`${title(r)} on ${r.cluster}${r.workload || r.pods ? `: ${stateLine(r)}` : ''}.`];
  if (r.pod) {
    head.push(
      `Pod ${r.pod.name}: ${r.pod.phase}${r.pod.ready ? ', ready' : ', not ready'}${r.pod.node ? ` on ${r.pod.node}` : ''}${
        r.pod.finding ? ` — ${r.pod.finding.reason}: ${oneLine(r.pod.finding.detail, 120)}` : ''
      }.`,
    );
  }
  for (const c of r.containers.slice(0, 3)) head.push(truncate(containerLine(c, now), 200));
  if (r.containers.length > 3) head.push(`+${r.containers.length - 3} more containers`);
  const ev = r.events
    .slice(0, 3)
    .map((e) =>
      truncate(
        `${e.type === 'Warning' ? '⚠ ' : ''}${e.reason} ×${e.count} on ${e.object}: ${e.message}`,
        180,
      ),
    );
  if (ev.length) head.push(`Events: ${ev.join(' | ')}`);
  for (const n of r.notes) head.push(`Note: ${truncate(n, 200)}`);
  let text = truncate(head.join('\n'), budget);
  if (r.logs) {
    const label = `Last log lines of ${r.logs.container} (${r.logs.previous ? 'previous instance' : 'current instance'}):`;
    const room = budget - text.length - label.length - 2;
    const shown: string[] = [];
    let used = 0;
    for (let i = r.logs.lines.length - 1; i >= 0 && room > 40; i--) {
      const line = truncate(r.logs.lines[i] ?? '', 160);
      if (used + line.length + 1 > room) break;
      shown.unshift(line);
      used += line.length + 1;
    }
    text += `\n${label}${shown.length ? `\n${shown.join('\n')}` : ' (none fit; see the Slack message)'}`;
    if (r.logs.lines.length === 0) text += ' (empty)';
  }
  return truncate(text, budget);
}

/** Slack message: state, containers, events, and a log excerpt in a code block, within Slack's limits. */
function blocks(r: WorkloadDetailsResult): Message {
  const now = Date.now();
  const out: Block[] = [header(title(r))];
  const f: string[] = [`*Cluster*\n${escapeMrkdwn(r.cluster)}`];
  if (r.workload) f.push(`*Replicas*\n${r.workload.ready}/${r.workload.desired} ready`);
  if (r.pods) f.push(`*Pods*\n${escapeMrkdwn(stateLine({ ...r, workload: undefined }))}`);
  if (r.pod) {
    f.push(
      `*Pod*\n\`${escapeMrkdwn(r.pod.name)}\` ${r.pod.phase}${r.pod.ready ? '' : ', not ready'}${r.pod.ageMs !== undefined ? `, ${formatAge(r.pod.ageMs)} old` : ''}`,
    );
    if (r.pod.node) f.push(`*Node*\n${escapeMrkdwn(r.pod.node)}`);
  }
  out.push(fields(f));
  const findings = [
    ...(r.workload?.findings ?? []).map(
      (x) => `*${escapeMrkdwn(x.reason)}*: ${escapeMrkdwn(oneLine(x.detail, 300))}`,
    ),
    ...(r.pod?.finding
      ? [`*${escapeMrkdwn(r.pod.finding.reason)}*: ${escapeMrkdwn(oneLine(r.pod.finding.detail, 300))}`]
      : []),
  ];
  if (findings.length) out.push(section(findings.join('\n')));
  if (r.containers.length) {
    out.push(
      section(
        `*Containers*\n${r.containers.map((c) => `• ${escapeMrkdwn(containerLine(c, now))}`).join('\n')}`,
      ),
    );
  }
  if (r.events.length) {
    out.push(
      section(
        `*Recent events*\n${r.events
          .map((e) => {
            const at = toMillis(e.lastSeen);
            return `• ${e.type === 'Warning' ? ':warning: ' : ''}_${escapeMrkdwn(e.reason)}_ ×${e.count} ${at ? `${formatAge(now - at)} ago ` : ''}on ${escapeMrkdwn(e.object)}: ${escapeMrkdwn(truncate(e.message, 200))}`;
          })
          .join('\n')}`,
      ),
    );
  }
  if (r.logs) {
    const label = `*Logs of \`${escapeMrkdwn(r.logs.container)}\`*, ${r.logs.previous ? 'previous instance' : 'current instance'} (${escapeMrkdwn(r.logs.why)})`;
    // Keep the newest lines that fit in one section with the code fence.
    const room = 2900 - label.length - 10;
    const kept: string[] = [];
    let used = 0;
    for (let i = r.logs.lines.length - 1; i >= 0; i--) {
      const line = (r.logs.lines[i] ?? '').replace(/```/g, "'''");
      if (used + line.length + 1 > room) break;
      kept.unshift(line);
      used += line.length + 1;
    }
    out.push(section(kept.length ? `${label}\n\`\`\`${kept.join('\n')}\`\`\`` : `${label}\n_(no output)_`));
    const hidden = r.logs.lines.length - kept.length + r.logs.dropped;
    if (hidden > 0) out.push(context(`${hidden} earlier lines not shown.`));
  }
  if (r.notes.length)
    out.push(context(r.notes.map((x) => `:warning: ${escapeMrkdwn(truncate(x, 400))}`).join('\n')));
  const buttons: ButtonElement[] = [];
  const logged = r.containers.find((c) => c.name === r.logs?.container);
  if (r.logs && r.pod && (r.logs.previous || (logged?.restarts ?? 0) > 0)) {
    buttons.push(
      button(
        KUBE_ACTION_IDS.logs,
        r.logs.previous ? 'Current logs' : 'Previous logs',
        logsCommand({
          name: `pod/${r.pod.name}`,
          namespace: r.namespace,
          container: r.logs.container,
          previous: !r.logs.previous,
          cluster: r.cluster,
        }),
      ),
    );
  }
  buttons.push(
    button(
      KUBE_ACTION_IDS.status,
      `Status of ${r.namespace}`,
      statusCommand({ namespace: r.namespace, cluster: r.cluster }),
    ),
  );
  out.push(actions(buttons));
  const worst = r.pod?.finding ?? r.workload?.findings[0];
  return {
    text: truncate(
      `${title(r)}${worst ? `: ${worst.reason} — ${oneLine(worst.detail, 120)}` : r.workload ? `: ${stateLine(r)}` : ''}`,
      300,
    ),
    blocks: out,
  };
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
