/** The node analyzer: a node's bad conditions (NotReady, pressure, network), and whether it is Ready. */

import type { KubeNode } from '../kube-port.ts';
import type { Finding } from './findings.ts';
import { formatAge, oneLine, toMillis } from './objects.ts';

const NODE_PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** Node conditions worth waking someone for; one finding per bad condition. */
export function analyzeNode(n: KubeNode, now: number): Finding[] {
  const out: Finding[] = [];
  const conditions = n.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const since = toMillis(ready?.lastTransitionTime);
    const reason = ready?.status === 'Unknown' ? 'NodeUnknown' : 'NodeNotReady';
    out.push({
      reason,
      severity: 'critical',
      detail: `${ready?.status === 'Unknown' ? 'Unknown' : 'NotReady'}${since !== undefined ? ` for ${formatAge(now - since)}` : ''}: ${oneLine(ready?.message, 160) || 'no Ready condition'}`,
    });
    return out;
  }
  for (const type of NODE_PRESSURE) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status === 'True')
      out.push({ reason: type, severity: 'warning', detail: oneLine(c.message, 160) || type });
  }
  const net = conditions.find((c) => c.type === 'NetworkUnavailable');
  if (net?.status === 'True')
    out.push({
      reason: 'NetworkUnavailable',
      severity: 'error',
      detail: oneLine(net.message, 160) || 'network unavailable',
    });
  return out;
}

export function nodeIsReady(n: KubeNode): boolean {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
