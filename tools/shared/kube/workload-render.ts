/**
 * workload_details' two renderings of its result: compact text for the LLM (state first, then as
 * many final log lines as fit its budget) and a Slack message with a log excerpt and buttons.
 */

import { actions, button, context, escapeMrkdwn, fields, header, section, truncate } from '../block-kit.ts';
import type { Block, ButtonElement, Message } from '../message.ts';
import { KUBE_ACTION_IDS, logsCommand, statusCommand } from './command-args.ts';
import { formatAge, oneLine, toMillis } from './objects.ts';
import type { ContainerInfo } from './pod-details.ts';
import type { WorkloadDetailsResult } from './workload-details-result.ts';

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
export function renderWorkloadSummary(r: WorkloadDetailsResult): string {
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
export function renderWorkloadBlocks(r: WorkloadDetailsResult): Message {
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
