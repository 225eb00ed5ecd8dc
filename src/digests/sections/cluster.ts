import { clusterStatus } from '../../../tools/cluster-status.ts';
import { escapeMrkdwn, truncate } from '../../../tools/shared/block-kit.ts';
import { formatCount } from '../../../tools/shared/kube/status-render.ts';
import type { Problem } from '../../../tools/shared/kube/status-report.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import type { DigestItem, DigestSection, SectionResult } from '../section.ts';

function title(p: Problem): string {
  if (p.kind === 'Node') return `${p.affected} node${p.affected === 1 ? '' : 's'} ${p.name}`;
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}

/**
 * `cluster`: the findings of `/ops status` (cluster_status) for each context and namespace the digest
 * names, one item per problem group (workload, node condition or lone pod) and reason. The tool keeps
 * at most 60 groups per scope, so the digest is the same size at 100 pods or 10,000.
 */
export function clusterSection(ports: Ports): DigestSection {
  return {
    name: 'cluster',
    title: 'Cluster',
    async collect(digest, ctx): Promise<SectionResult> {
      const clusters = digest.clusters?.length ? digest.clusters : [undefined];
      const namespaces = digest.namespaces?.length ? digest.namespaces : [undefined];
      const items: DigestItem[] = [];
      const summaries: string[] = [];
      const notes: string[] = [];
      let omitted = 0;
      for (const cluster of clusters) {
        for (const namespace of namespaces) {
          const r = await clusterStatus.run(
            ports,
            { ...(cluster ? { cluster } : {}), ...(namespace ? { namespace } : {}) },
            {
              userId: 'digest',
              traceId: `digest-${digest.id}`,
              signal: ctx.signal,
              progress: ctx.progress,
            },
          );
          const scope = `${r.cluster}${r.namespace ? `/${r.namespace}` : ''}`;
          const c = r.report.counts;
          const problems = r.report.problems.length + r.report.omittedProblems;
          summaries.push(
            `${escapeMrkdwn(scope)}: ${formatCount(c.pods.total)} pods, ${formatCount(problems)} problem${problems === 1 ? '' : 's'}`,
          );
          if (r.namespaceNotFound)
            notes.push(`namespace ${escapeMrkdwn(namespace ?? '')} not found on ${escapeMrkdwn(r.cluster)}`);
          for (const n of r.notes) notes.push(escapeMrkdwn(n));
          omitted += r.report.omittedProblems;
          const multi = clusters.length > 1 || namespaces.length > 1;
          for (const p of r.report.problems) {
            items.push({
              fingerprint: `k8s:${r.cluster}/${p.namespace ?? '-'}/${p.kind}/${p.name}:${p.reason}`,
              kind: 'finding',
              severity: p.severity,
              text: `*${escapeMrkdwn(truncate(title(p), 120))}*${multi ? ` on ${escapeMrkdwn(r.cluster)}` : ''} — ${escapeMrkdwn(truncate(p.summary, 240))}`,
            });
          }
        }
      }
      if (omitted > 0) notes.push(`${formatCount(omitted)} more problem groups not listed`);
      const more =
        clusters.length === 1 && namespaces.length === 1
          ? statusCommand(clusters[0], namespaces[0])
          : '/ops status';
      return { items, summary: summaries.join(' · '), notes, more };
    },
  };
}

function statusCommand(cluster: string | undefined, namespace: string | undefined): string {
  return ['/ops status', namespace, cluster ? `--cluster ${cluster}` : ''].filter(Boolean).join(' ');
}
