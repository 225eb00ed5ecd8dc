/** The node analyzer: a node's bad conditions (NotReady, pressure, network), and whether it is Ready. */

import type { KubeNode } from '../kube-port.ts';
import type { Finding } from './findings.ts';
import { formatAge, oneLine, toMillis } from './objects.ts';

const NODE_PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

type NodeCondition = NonNullable<NonNullable<KubeNode['status']>['conditions']>[number];

/** `Type=Status (Reason): message`, the words `kubectl describe node` shows, on one line. */
function conditionWords(c: NodeCondition | undefined, type: string): string {
  if (!c) return `no ${type} condition`;
  const message = oneLine(c.message, 160);
  return `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${message ? `: ${message}` : ''}`;
}

/**
 * Node conditions worth waking someone for; one finding per bad condition. A node whose Ready
 * condition is False or Unknown is `NotReady`, as `kubectl get nodes` and the node controller's
 * `NodeNotReady` event call it, with the condition's own reason and message (`NodeStatusUnknown:
 * Kubelet stopped posting node status.`, `KubeletNotReady: … cni plugin not initialized`).
 */
export function analyzeNode(n: KubeNode, now: number): Finding[] {
  const out: Finding[] = [];
  const conditions = n.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const since = toMillis(ready?.lastTransitionTime);
    out.push({
      reason: 'NotReady',
      severity: 'critical',
      detail: `NotReady${since !== undefined ? ` for ${formatAge(now - since)}` : ''} — ${conditionWords(ready, 'Ready')}`,
    });
    return out;
  }
  for (const type of NODE_PRESSURE) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status === 'True')
      out.push({ reason: type, severity: 'warning', detail: conditionWords(c, type) });
  }
  const net = conditions.find((c) => c.type === 'NetworkUnavailable');
  if (net?.status === 'True')
    out.push({
      reason: 'NetworkUnavailable',
      severity: 'error',
      detail: conditionWords(net, 'NetworkUnavailable'),
    });
  return out;
}

export function nodeIsReady(n: KubeNode): boolean {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
