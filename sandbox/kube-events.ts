/**
 * Events (kube-objects.ts): the Event builder, and the Warning events and logs real components produce
 * for a pod in a given state, planted into an object set.
 */

import { ago, DEFAULT_NOW, hex, nextResourceVersion, uid } from './kube-ids.ts';
import type { FakeObjects, Json } from './kube-json.ts';
import type { PodState } from './kube-pod-parts.ts';

export interface EventOptions {
  namespace: string;
  involved: { kind: string; name: string; namespace?: string; fieldPath?: string };
  reason: string;
  message: string;
  now?: Date;
  count?: number;
  /** Minutes since the event was last seen (default 1). */
  lastSeenMinutesAgo?: number;
  firstSeenMinutesAgo?: number;
  type?: 'Warning' | 'Normal';
  component?: string;
  host?: string;
}

export function makeEvent(opts: EventOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const last = opts.lastSeenMinutesAgo ?? 1;
  const first = opts.firstSeenMinutesAgo ?? last + 30;
  const name = `${opts.involved.name}.${hex(`${opts.namespace}/${opts.involved.kind}/${opts.involved.name}/${opts.reason}`, 16)}`;
  const involved: Json = {
    kind: opts.involved.kind,
    namespace: opts.involved.namespace ?? opts.namespace,
    name: opts.involved.name,
    uid: uid(`${opts.involved.kind}/${opts.namespace}/${opts.involved.name}`),
    apiVersion: opts.involved.kind === 'Pod' || opts.involved.kind === 'Node' ? 'v1' : 'apps/v1',
    resourceVersion: nextResourceVersion(),
  };
  if (opts.involved.kind === 'Node') delete involved.namespace;
  if (opts.involved.fieldPath) involved.fieldPath = opts.involved.fieldPath;
  const component = opts.component ?? (opts.involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: opts.namespace,
      uid: uid(`event/${name}`),
      resourceVersion: nextResourceVersion(),
      creationTimestamp: ago(now, first),
    },
    involvedObject: involved,
    reason: opts.reason,
    message: opts.message,
    source: opts.host ? { component, host: opts.host } : { component },
    firstTimestamp: ago(now, first),
    lastTimestamp: ago(now, last),
    count: opts.count ?? 1,
    type: opts.type ?? 'Warning',
    eventTime: null,
    reportingComponent: component,
    reportingInstance: opts.host ?? '',
  };
}

/** The Warning events and logs real components produce for a pod in `state` (pushed into `out`). */
export function plantEvidence(
  out: FakeObjects,
  now: Date,
  ns: string,
  pod: string,
  node: string,
  state: PodState,
): void {
  const ev = (reason: string, message: string, count = 1, component = 'kubelet'): void => {
    out.events.push(
      makeEvent({
        now,
        namespace: ns,
        involved: {
          kind: 'Pod',
          name: pod,
          fieldPath: component === 'kubelet' ? 'spec.containers{app}' : undefined,
        },
        reason,
        message,
        count,
        component,
        host: component === 'kubelet' ? node : undefined,
      }),
    );
  };
  switch (state.kind) {
    case 'crashLoop':
    case 'oomKilled':
      ev(
        'BackOff',
        `Back-off restarting failed container app in pod ${pod}_${ns}(${uid(`pod/${ns}/${pod}`)})`,
        60,
      );
      out.logs[`${ns}/${pod}/app`] =
        'starting server on :8080\nloading configuration from /etc/app/config.yaml\n';
      out.logs[`${ns}/${pod}/app/previous`] = [
        '2026-03-02T09:57:58Z INFO starting server on :8080',
        '2026-03-02T09:57:58Z INFO connecting to postgres://app:hunter2-very-secret@db.checkout.svc:5432/orders',
        '2026-03-02T09:57:59Z DEBUG outgoing request headers: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
        state.kind === 'oomKilled'
          ? '2026-03-02T09:58:01Z WARN cache warm-up: 1.2 GiB allocated'
          : '2026-03-02T09:58:01Z ERROR migration 0042_add_index failed: relation "orders" does not exist',
        state.kind === 'oomKilled'
          ? 'fatal error: runtime: out of memory'
          : 'panic: cannot start without schema',
      ].join('\n');
      break;
    case 'imagePull':
      ev('Failed', `Failed to pull image "registry.example.com/${ns}/app:1.4.2-missing": not found`, 5);
      ev('BackOff', `Back-off pulling image "registry.example.com/${ns}/app:1.4.2-missing"`, 40);
      break;
    case 'createContainerConfigError':
      ev('Failed', 'Error: secret "db-credentials" not found', 12);
      break;
    case 'createContainerError':
      ev(
        'Failed',
        'Error: failed to generate container "app" spec: failed to mkdir "/data": read-only file system',
        9,
      );
      break;
    case 'unschedulable':
      ev(
        'FailedScheduling',
        '0/6 nodes are available: 5 Insufficient cpu. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.',
        17,
        'default-scheduler',
      );
      break;
    case 'notReady':
      ev('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 240);
      out.logs[`${ns}/${pod}/app`] =
        'GET /readyz 503 waiting for downstream "inventory" (connection refused)\n'.repeat(5);
      break;
    case 'evicted':
      ev('Evicted', 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi.', 1);
      break;
    default:
      break;
  }
}
