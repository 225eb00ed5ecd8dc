/**
 * cluster_status' two renderings of its result: compact text for the LLM (counts first, then problems
 * worst first until the budget, then "+N more") and a Slack message of the same size at any scale.
 * Both fold workloads that share one problem (a missing secret, a registry outage) into one entry.
 */

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
} from '../block-kit.ts';
import type { Block, ButtonElement, Message } from '../message.ts';
import type { ClusterStatusResult } from './cluster-status-result.ts';
import { KUBE_ACTION_IDS, logsCommand, statusCommand } from './command-args.ts';
import { SEVERITIES, type Severity } from './findings.ts';
import { formatAge, toMillis } from './objects.ts';
import type { Problem } from './status-report.ts';

const ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  notice: ':white_circle:',
};

const SUMMARY_BUDGET = 1200;
const MAX_BLOCK_PROBLEMS = 15;
const MAX_LOG_BUTTONS = 4;

/** A count as people read it, `12,345` (en-US grouping, whatever the host's locale). */
export function formatCount(x: number): string {
  return x.toLocaleString('en-US');
}

const n = formatCount;

/** `prod, all namespaces` or `prod, namespace shop`. */
export function scopeLabel(r: Pick<ClusterStatusResult, 'cluster' | 'namespace'>): string {
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
export function renderStatusSummary(r: ClusterStatusResult): string {
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
export function renderStatusBlocks(r: ClusterStatusResult): Message {
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
