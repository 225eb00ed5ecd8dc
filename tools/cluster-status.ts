import { z } from 'zod';
import {
  actions,
  button,
  context,
  divider,
  escapeMrkdwn,
  fields,
  header,
  section,
  takeWithMore,
  truncate,
} from './shared/block-kit.ts';
import { defineTool, type ToolContext } from './shared/define-tool.ts';
import { AppError, isAppError } from './shared/errors.ts';
import {
  KUBE_ACTION_IDS,
  logsCommand,
  parseStatusArgs,
  STATUS_USAGE,
  statusCommand,
} from './shared/kube/command-args.ts';
import { SEVERITIES, type Severity } from './shared/kube/findings.ts';
import { clusterField, namespaceField } from './shared/kube/inputs.ts';
import { closestNames, formatAge, toMillis } from './shared/kube/objects.ts';
import {
  createStatusAccumulator,
  type Problem,
  type StatusAccumulator,
  type StatusReport,
} from './shared/kube/status-accumulator.ts';
import type { KubeListKind, KubePort } from './shared/kube-port.ts';
import type { Block, ButtonElement, Message } from './shared/message.ts';
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

export interface ClusterStatusResult {
  /** Kubeconfig context the status is for. */
  cluster: string;
  namespace?: string;
  report: StatusReport;
  /** Parts that could not be read (RBAC) and other caveats. */
  notes: string[];
  /** Set when the requested namespace does not exist; `closest` are suggestions. */
  namespaceNotFound?: { closest: string[] };
  /** The namespace exists but holds no pods, workloads or recent warnings. */
  empty?: boolean;
  /** API pages read, and wall time in ms. */
  pages: number;
  durationMs: number;
}

/** Lists that may be forbidden without making the status useless; pods are required. */
const OPTIONAL: readonly KubeListKind[] = [
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'nodes',
  'events',
];

const ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  notice: ':white_circle:',
};

const SUMMARY_BUDGET = 1200;
const MAX_BLOCK_PROBLEMS = 15;
const MAX_LOG_BUTTONS = 4;

const n = (x: number): string => x.toLocaleString('en-US');

function scopeLabel(r: Pick<ClusterStatusResult, 'cluster' | 'namespace'>): string {
  return r.namespace ? `${r.cluster}, namespace ${r.namespace}` : `${r.cluster}, all namespaces`;
}

function problemTitle(p: Problem): string {
  if (p.kind === 'Node') return `${p.affected} node${p.affected === 1 ? '' : 's'} ${p.name}`;
  return `${p.namespace ? `${p.namespace}/` : ''}${p.kind} ${p.name}`;
}

function phaseLine(byPhase: Record<string, number>): string {
  const order = ['Running', 'Pending', 'Failed', 'Succeeded', 'Unknown'];
  const keys = [
    ...order.filter((k) => byPhase[k]),
    ...Object.keys(byPhase).filter((k) => !order.includes(k)),
  ];
  return keys.map((k) => `${n(byPhase[k] ?? 0)} ${k}`).join(', ');
}

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

  // 60 problems leave room to fold repeats (see fold()) and still show 15 distinct ones.
  const acc = createStatusAccumulator({ now: Date.now(), maxProblems: 60 });
  const seen: Partial<Record<KubeListKind, number>> = {};
  let pages = 0;
  const onPage = (kind: KubeListKind, items: number, endOfPage: boolean): void => {
    if (endOfPage) pages += 1;
    seen[kind] = (seen[kind] ?? 0) + items;
    const parts = [`${n(seen.pods ?? 0)} pods`];
    const workloads = (seen.deployments ?? 0) + (seen.statefulsets ?? 0) + (seen.daemonsets ?? 0);
    if (workloads) parts.push(`${n(workloads)} workloads`);
    if (seen.nodes) parts.push(`${n(seen.nodes)} nodes`);
    if (seen.events) parts.push(`${n(seen.events)} warnings`);
    ctx.progress(
      `Reading ${scopeLabel({ cluster: clusterName, namespace: inp.namespace })}… ${parts.join(', ')}${pages > 0 ? ` (${n(pages)} page${pages === 1 ? '' : 's'} done)` : ''}`,
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

function problemLine(p: Problem): string {
  return `[${p.severity}] ${problemTitle(p)}: ${p.summary}`;
}

/** What makes problems "the same" across workloads: severity, reason and the evidence of that reason. */
function signature(p: Problem): string | undefined {
  if (p.kind === 'Node') return undefined;
  const detail =
    p.reasons.find((x) => x.reason === p.reason)?.detail ??
    p.status.find((x) => x.reason === p.reason)?.detail;
  // Restart counts and ages differ between otherwise identical problems.
  const norm = (detail ?? '').replace(/\b\d+ restarts\b/g, 'N restarts').replace(/\b\d+[smhd]\b/g, 'T');
  return `${p.severity}|${p.reason}|${norm}`;
}

/** A problem shown on its own, or several workloads with the same problem folded into one entry. */
type Item = { one: Problem } | { same: Problem[] };

/**
 * Keeps the first `keep` problems of each signature and folds the rest into one entry, so a shared
 * cause (a missing secret, a registry outage) takes two lines, not twenty, and other problems show.
 */
function fold(problems: readonly Problem[], keep = 2): Item[] {
  const items: Item[] = [];
  const seen = new Map<string, { count: number; folded?: Problem[] }>();
  for (const p of problems) {
    const sig = signature(p);
    if (sig === undefined) {
      items.push({ one: p });
      continue;
    }
    const s = seen.get(sig) ?? { count: 0 };
    seen.set(sig, s);
    s.count += 1;
    if (s.count <= keep) items.push({ one: p });
    else if (s.folded) s.folded.push(p);
    else {
      s.folded = [p];
      items.push({ same: s.folded });
    }
  }
  return items;
}

function foldedLine(ps: readonly Problem[]): string {
  const first = ps[0] as Problem;
  const names = takeWithMore(ps, 3, (p) => `${p.namespace ? `${p.namespace}/` : ''}${p.name}`).join(', ');
  const detail =
    first.reasons.find((x) => x.reason === first.reason)?.detail ?? first.status[0]?.detail ?? '';
  return `[${first.severity}] ${ps.length} more workloads with ${first.reason}${detail ? ` (${truncate(detail, 80)})` : ''}: ${names}`;
}

/** Compact text for the LLM: counts first, then problems worst first until the budget, then "+N more". */
function summarize(r: ClusterStatusResult): string {
  const scope = scopeLabel(r);
  if (r.namespaceNotFound) {
    const near = r.namespaceNotFound.closest;
    return `Namespace "${r.namespace}" not found on cluster ${r.cluster}.${near.length ? ` Closest namespaces: ${near.join(', ')}.` : ''}`;
  }
  const c = r.report.counts;
  const lines: string[] = [];
  if (r.empty)
    lines.push(`Namespace ${r.namespace} on ${r.cluster} is empty: no pods, workloads or recent warnings.`);
  else {
    lines.push(
      `Cluster ${scope}: nodes ${n(c.nodes.ready)}/${n(c.nodes.total)} ready${c.nodes.cordoned ? ` (${n(c.nodes.cordoned)} cordoned)` : ''}; workloads ${n(c.workloads.healthy)}/${n(c.workloads.total)} healthy; pods ${n(c.pods.total)} (${phaseLine(c.pods.byPhase) || 'none'}), ${n(c.pods.withProblems)} with problems; recent warnings ${n(c.events.total)} (${n(c.events.distinct)} distinct).`,
    );
  }
  const total = r.report.problems.length + r.report.omittedProblems;
  const tail: string[] = [];
  for (const note of r.notes) tail.push(`Note: ${truncate(note, 200)}`);
  if (total === 0) {
    if (!r.empty) lines.push('No problems found.');
    return truncate([...lines, ...tail].join('\n'), SUMMARY_BUDGET);
  }
  const sev = SEVERITIES.filter((s) => r.report.bySeverity[s] > 0)
    .map((s) => `${r.report.bySeverity[s]} ${s}`)
    .join(', ');
  lines.push(`Problems (${n(total)}: ${sev}), worst first:`);
  const reserve = tail.reduce((a, t) => a + t.length + 1, 0) + 40;
  let used = lines.reduce((a, l) => a + l.length + 1, 0);
  let shown = 0;
  let entry = 0;
  for (const item of fold(r.report.problems)) {
    const text = 'one' in item ? problemLine(item.one) : foldedLine(item.same);
    const line = truncate(`${entry + 1}. ${text}`, 200);
    if (used + line.length + 1 > SUMMARY_BUDGET - reserve) break;
    lines.push(line);
    used += line.length + 1;
    entry += 1;
    shown += 'one' in item ? 1 : item.same.length;
  }
  if (total > shown) lines.push(`+${n(total - shown)} more problems.`);
  return truncate([...lines, ...tail].join('\n'), SUMMARY_BUDGET);
}

function problemSection(p: Problem, now: number): Block {
  const first =
    p.kind === 'Node'
      ? `${ICON[p.severity]} *${n(p.affected)} node${p.affected === 1 ? '' : 's'} ${escapeMrkdwn(p.name)}*`
      : `${ICON[p.severity]} *${escapeMrkdwn(p.name)}* · ${p.kind}${p.namespace ? ` in \`${escapeMrkdwn(p.namespace)}\`` : ''} — *${escapeMrkdwn(p.reason)}*`;
  const lines = [first, escapeMrkdwn(truncate(p.summary, 600))];
  const unit = p.kind === 'Node' ? 'nodes' : 'pods';
  for (const ex of p.examples.slice(0, 3)) {
    lines.push(`• \`${escapeMrkdwn(truncate(ex.name, 80))}\` ${escapeMrkdwn(truncate(ex.detail, 220))}`);
  }
  if (p.affected > p.examples.length && p.examples.length > 0)
    lines.push(`• +${n(p.affected - p.examples.length)} more ${unit}`);
  for (const ev of p.events.slice(0, 2)) {
    const last = toMillis(ev.lastSeen);
    const agoText = last !== undefined ? `, ${formatAge(now - last)} ago` : '';
    const on =
      ev.objects > 1 ? `${n(ev.objects)} objects, last ${truncate(ev.object, 80)}` : truncate(ev.object, 80);
    lines.push(
      `_${escapeMrkdwn(ev.reason)}_ ×${n(ev.count)} on ${escapeMrkdwn(on)}${agoText}: ${escapeMrkdwn(truncate(ev.message, 200))}`,
    );
  }
  return section(lines.join('\n'));
}

function foldedSection(ps: readonly Problem[]): Block {
  const first = ps[0] as Problem;
  const detail =
    first.reasons.find((x) => x.reason === first.reason)?.detail ?? first.status[0]?.detail ?? '';
  const affected = ps.reduce((a, p) => a + p.affected, 0);
  const lines = [
    `${ICON[first.severity]} *${n(ps.length)} more workloads* — *${escapeMrkdwn(first.reason)}*${affected ? ` (${n(affected)} pods)` : ''}`,
    detail ? `Same evidence: ${escapeMrkdwn(truncate(detail, 300))}` : '',
    ...takeWithMore(
      ps,
      5,
      (p) => `• ${p.kind} \`${escapeMrkdwn(p.namespace ?? '')}/${escapeMrkdwn(p.name)}\``,
    ),
  ].filter(Boolean);
  return section(lines.join('\n'));
}

/** Slack message: counts, then up to 15 problems worst first, then "+N more" and buttons. Same size at any scale. */
function blocks(r: ClusterStatusResult): Message {
  const scope = scopeLabel(r);
  const now = toMillis(r.report.at) ?? Date.now();
  const out: Block[] = [header(`Cluster status: ${scope}`)];
  // Buttons pin the cluster this status is about, whatever the default context is when clicked.
  const clusterArg = r.cluster;
  if (r.namespaceNotFound) {
    const near = r.namespaceNotFound.closest;
    out.push(
      section(
        `:grey_question: Namespace \`${escapeMrkdwn(r.namespace ?? '')}\` not found on cluster *${escapeMrkdwn(r.cluster)}*.${
          near.length ? ` Closest: ${near.map((x) => `\`${escapeMrkdwn(x)}\``).join(', ')}.` : ''
        }`,
      ),
    );
    if (near.length) {
      out.push(
        actions(
          near.map((ns) =>
            button(
              KUBE_ACTION_IDS.status,
              `Status of ${ns}`,
              statusCommand({ namespace: ns, cluster: clusterArg }),
            ),
          ),
        ),
      );
    }
    return { text: `Namespace ${r.namespace} not found on ${r.cluster}.`, blocks: out };
  }
  const c = r.report.counts;
  out.push(
    fields([
      `*Nodes*\n${n(c.nodes.ready)}/${n(c.nodes.total)} ready${c.nodes.cordoned ? `, ${n(c.nodes.cordoned)} cordoned` : ''}`,
      `*Workloads*\n${n(c.workloads.healthy)}/${n(c.workloads.total)} healthy`,
      `*Pods*\n${n(c.pods.total)} · ${phaseLine(c.pods.byPhase) || 'none'}`,
      `*Warnings (1h)*\n${n(c.events.total)} (${n(c.events.distinct)} distinct)`,
    ]),
  );
  const total = r.report.problems.length + r.report.omittedProblems;
  const sev = SEVERITIES.filter((s) => r.report.bySeverity[s] > 0)
    .map((s) => `${ICON[s]} ${r.report.bySeverity[s]} ${s}`)
    .join('  ');
  out.push(
    context(
      r.empty
        ? `Namespace ${escapeMrkdwn(r.namespace ?? '')} is empty: no pods, workloads or recent warnings.`
        : total === 0
          ? ':large_green_circle: No problems found.'
          : `${n(total)} problem${total === 1 ? '' : 's'}: ${sev} · read ${n(r.pages)} pages in ${formatAge(r.durationMs)}`,
    ),
  );
  if (total > 0) out.push(divider());
  const items = fold(r.report.problems).slice(0, MAX_BLOCK_PROBLEMS);
  const shown = items.flatMap((i) => ('one' in i ? [i.one] : []));
  const covered = items.reduce((a, i) => a + ('one' in i ? 1 : i.same.length), 0);
  for (const item of items)
    out.push('one' in item ? problemSection(item.one, now) : foldedSection(item.same));
  if (total > covered) {
    out.push(
      context(
        `+${n(total - covered)} more problems${r.namespace ? '' : ' — narrow with `/ops status <namespace>`'}`,
      ),
    );
  }
  const logButtons: ButtonElement[] = [];
  for (const p of shown) {
    if (logButtons.length >= MAX_LOG_BUTTONS) break;
    if (p.kind === 'Node' || p.affected === 0 || !p.namespace) continue;
    logButtons.push(
      button(
        KUBE_ACTION_IDS.logs,
        `Logs: ${p.name}`,
        logsCommand({ name: p.name, namespace: p.namespace, cluster: clusterArg }),
      ),
    );
  }
  if (logButtons.length > 0) out.push(actions(logButtons));
  if (r.notes.length > 0)
    out.push(context(r.notes.map((x) => `:warning: ${escapeMrkdwn(truncate(x, 400))}`).join('\n')));

  const worst = shown[0];
  const text = r.empty
    ? `Namespace ${r.namespace} on ${r.cluster} is empty.`
    : total === 0
      ? `Cluster ${scope}: no problems found.`
      : `Cluster ${scope}: ${total} problems${worst ? `, worst: ${problemTitle(worst)}${worst.kind === 'Node' ? '' : ` ${worst.reason}`}` : ''}.`;
  return { text: truncate(text, 300), blocks: out };
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
