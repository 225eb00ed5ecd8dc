import { describe, expect, it } from '@jest/globals';
import {
  emptyObjects,
  type FakeObjects,
  type Json,
  makeCluster,
  makeDeployment,
  makeEvent,
  makePod,
  nameOf,
} from '../../sandbox/kube-objects.ts';
import type { ToolContext } from '../../tools/shared/define-tool.ts';
import { type AppError, isAppError } from '../../tools/shared/errors.ts';
import {
  LOGS_USAGE,
  logsCommand,
  parseLogsArgs,
  parseStatusArgs,
  statusCommand,
} from '../../tools/shared/kube/command-args.ts';
import type { WorkloadDetailsResult } from '../../tools/shared/kube/workload-details-result.ts';
import { redact } from '../../tools/shared/redact.ts';
import { type WorkloadDetailsInput, workloadDetails } from '../../tools/workload-details.ts';
import { createMemoryKube, forbidden, type MemoryKube } from '../support/memory-kube.ts';

const NOW = new Date();

function ctx(): ToolContext {
  return { userId: 'U1', traceId: 't-1', signal: new AbortController().signal, progress: () => {} };
}

async function details(kube: MemoryKube, input: WorkloadDetailsInput): Promise<WorkloadDetailsResult> {
  return workloadDetails.run({ redact, kube }, workloadDetails.input.parse(input), ctx());
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
}

/** A cluster whose first deployment (`api-0000` in `checkout`) crash-loops and whose second OOMs. */
function crashing(): FakeObjects {
  return makeCluster({ pods: 60, problems: { crashLoop: 1, oomKilled: 1 }, now: NOW });
}

describe('workload_details', () => {
  it('picks the crash-looping pod of a Deployment, its previous instance, redacts the log, adds events', async () => {
    const kube = createMemoryKube(crashing());
    const r = await details(kube, { name: 'api-0000' });
    expect(r.target).toEqual({ kind: 'Deployment', name: 'api-0000' });
    expect(r.namespace).toBe('checkout');
    expect(r.workload).toMatchObject({ desired: 5, ready: 3 });
    expect(r.pods).toEqual({ total: 5, byState: { Running: 3, CrashLoopBackOff: 2 } });
    expect(r.pod?.finding?.reason).toBe('CrashLoopBackOff');
    // The pod with the most restarts (15) of the two crash-looping ones.
    const logCall = kube.calls.find((c) => c.method === 'readPodLog');
    expect(logCall?.options).toMatchObject({
      name: r.pod?.name,
      container: 'app',
      previous: true,
      tailLines: 50,
    });
    expect(r.containers[0]).toMatchObject({
      name: 'app',
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      restarts: 15,
    });
    expect(r.logs?.previous).toBe(true);
    expect(r.logs?.lines.at(-1)).toBe('panic: cannot start without schema');
    const log = r.logs?.lines.join('\n') ?? '';
    expect(log).toContain('postgres://app:[REDACTED]@db.checkout.svc');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(r.events[0]).toMatchObject({ type: 'Warning', reason: 'BackOff', count: 60 });

    const text = workloadDetails.summarize(r);
    expect(text.length).toBeLessThanOrEqual(1200);
    expect(text).toContain('Deployment checkout/api-0000 on mem-main: 3/5 ready');
    expect(text).toContain('Last log lines of app (previous instance):');
    expect(text).toContain('panic: cannot start without schema');
    const m = workloadDetails.blocks(r);
    expect(m.blocks?.length).toBeLessThanOrEqual(50);
    for (const b of m.blocks ?? [])
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    const json = JSON.stringify(m);
    expect(json).toContain('```');
    expect(json).not.toContain('hunter2');
    // The toggle button asks for the current instance explicitly.
    expect(json).toContain(
      `/ops logs pod/${r.pod?.name} checkout --container app --current --cluster mem-main`,
    );
  });

  it('honours previous: false, an explicit container and a pod name', async () => {
    const objects = crashing();
    const kube = createMemoryKube(objects);
    const podName = nameOf(
      objects.pods.find(
        (p) =>
          JSON.stringify(p).includes('CrashLoopBackOff') && (p.metadata as Json).namespace === 'checkout',
      ),
    );
    const r = await details(kube, {
      name: `pod/${podName}`,
      namespace: 'checkout',
      previous: false,
      container: 'app',
    });
    expect(r.target).toEqual({ kind: 'Pod', name: podName });
    expect(r.workload).toBeUndefined();
    expect(r.logs).toMatchObject({ container: 'app', previous: false, why: 'as requested' });
    expect(r.logs?.lines[0]).toBe('starting server on :8080');
  });

  it('reads the failing container of a multi-container pod, not the first one', async () => {
    const objects = emptyObjects();
    const p = makePod({ namespace: 'edge', name: 'gw-0', containers: ['envoy', 'gateway'], now: NOW });
    const statuses = (p.status as Json).containerStatuses as Json[];
    statuses[1] = {
      ...(statuses[1] as Json),
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
      lastState: {
        terminated: {
          exitCode: 3,
          reason: 'Error',
          finishedAt: new Date(NOW.getTime() - 60_000).toISOString(),
        },
      },
      ready: false,
      restartCount: 3,
    };
    objects.pods.push(p);
    objects.logs['edge/gw-0/gateway/previous'] = 'config: listener :443 has no certificate\nexit 3\n';
    const r = await details(createMemoryKube(objects), { name: 'gw-0' });
    expect(r.logs).toMatchObject({ container: 'gateway', previous: true });
    expect(r.logs?.lines).toEqual(['config: listener :443 has no certificate', 'exit 3']);
  });

  it('bounds a huge log, whatever its size', async () => {
    const objects = crashing();
    const podName = nameOf(objects.pods.find((p) => JSON.stringify(p).includes('CrashLoopBackOff')));
    objects.logs[`checkout/${podName}/app/previous`] = Array.from(
      { length: 20_000 },
      (_, i) => `${i} ${'y'.repeat(900)}`,
    ).join('\n');
    const r = await details(createMemoryKube(objects), { name: podName, tailLines: 200 });
    expect(r.logs?.lines.length).toBeLessThanOrEqual(200);
    expect((r.logs?.lines ?? []).join('\n').length).toBeLessThanOrEqual(8000);
    expect(workloadDetails.summarize(r).length).toBeLessThanOrEqual(1200);
    const m = workloadDetails.blocks(r);
    for (const b of m.blocks ?? [])
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(m)).toContain('earlier lines not shown');
  });

  it('explains a pod that never started instead of asking for its logs', async () => {
    const objects = makeCluster({ pods: 30, problems: { unschedulable: 1 }, now: NOW });
    const kube = createMemoryKube(objects);
    const r = await details(kube, { name: 'api-0000', namespace: 'checkout' });
    expect(r.pod?.finding?.reason).toBe('Unschedulable');
    expect(r.logs).toBeUndefined();
    expect(r.notes).toContain('No logs: container app has not started yet (Unschedulable).');
    expect(kube.calls.some((c) => c.method === 'readPodLog')).toBe(false);
    expect(workloadDetails.summarize(r)).toContain('0/6 nodes are available');
  });

  it('falls back to the current log when no previous instance is kept', async () => {
    const objects = crashing();
    for (const k of Object.keys(objects.logs)) if (k.endsWith('/previous')) delete objects.logs[k];
    const r = await details(createMemoryKube(objects), { name: 'api-0000' });
    expect(r.logs?.previous).toBe(false);
    expect(r.logs?.why).toContain('no previous instance is kept');
  });

  it('reports a forbidden log read as a note, keeping the rest', async () => {
    const kube = createMemoryKube(crashing());
    kube.fail('readPodLog', forbidden('get', 'pods/log', 'checkout'));
    const r = await details(kube, { name: 'api-0000' });
    expect(r.logs).toBeUndefined();
    expect(r.notes[0]).toContain('Logs not shown');
    expect(r.events.length).toBeGreaterThan(0);
  });

  it('suggests names from the whole first page and reads events past the first batch of a page', async () => {
    const objects = emptyObjects();
    for (let i = 0; i < 20; i++) {
      const name = `svc-${String(i).padStart(2, '0')}`;
      objects.deployments.push(makeDeployment({ namespace: 'prod', name, now: NOW }).deployment);
    }
    objects.deployments.push(makeDeployment({ namespace: 'prod', name: 'checkout', now: NOW }).deployment);
    // Listed oldest first: the newest events come after the port's first batch.
    for (let i = 0; i < 12; i++) {
      objects.events.push(
        makeEvent({
          namespace: 'prod',
          involved: { kind: 'Deployment', name: 'checkout' },
          reason: `Reason${i}`,
          message: `event ${i}`,
          lastSeenMinutesAgo: 60 - i,
          now: NOW,
        }),
      );
    }
    const kube = createMemoryKube(objects);
    const missing = await rejection(details(kube, { name: 'chekout', namespace: 'prod' }));
    expect(missing.userMessage).toContain('Closest: checkout');
    const r = await details(kube, { name: 'checkout', namespace: 'prod' });
    expect(r.events).toHaveLength(10);
    expect(r.events.map((e) => e.reason)).toContain('Reason11');
  });

  it('examines every pod of a large workload (pages, not batches, bound the scan)', async () => {
    const objects = emptyObjects();
    const { deployment, replicaSet, podTemplateHash } = makeDeployment({
      namespace: 'prod',
      name: 'big',
      replicas: 300,
      now: NOW,
    });
    objects.deployments.push(deployment);
    objects.replicasets.push(replicaSet);
    for (let i = 0; i < 300; i++) {
      objects.pods.push(
        makePod({
          now: NOW,
          namespace: 'prod',
          name: `big-${podTemplateHash}-${String(i).padStart(5, '0')}`,
          owner: { kind: 'ReplicaSet', name: nameOf(replicaSet) },
          labels: { app: 'big', 'app.kubernetes.io/name': 'big', 'pod-template-hash': podTemplateHash },
          state: i === 250 ? { kind: 'crashLoop', restarts: 9, exitCode: 1 } : { kind: 'running' },
        }),
      );
    }
    const r = await details(createMemoryKube(objects), { name: 'big', namespace: 'prod' });
    expect(r.pods?.total).toBe(300);
    expect(r.notes.join(' ')).not.toContain('Only the first');
    expect(r.pod?.name).toBe(`big-${podTemplateHash}-00250`); // the crash-looping one, late in the list
  });

  it('asks for a namespace when a name is ambiguous, and suggests close names for an unknown one', async () => {
    const objects = emptyObjects();
    for (const ns of ['staging', 'prod']) {
      const { deployment } = makeDeployment({ namespace: ns, name: 'checkout', now: NOW });
      objects.deployments.push(deployment);
    }
    objects.events.push(
      makeEvent({
        namespace: 'prod',
        involved: { kind: 'Deployment', name: 'checkout' },
        reason: 'x',
        message: 'y',
        now: NOW,
      }),
    );
    const kube = createMemoryKube(objects);
    const amb = await rejection(details(kube, { name: 'checkout' }));
    expect(amb).toMatchObject({ code: 'ambiguous' });
    expect(amb.userMessage).toBe(
      'Deployment "checkout" exists in several namespaces (staging, prod). Say which namespace.',
    );
    const r = await details(kube, { name: 'checkout', namespace: 'prod' });
    expect(r.notes).toContain('Deployment checkout has no pods.');
    const missing = await rejection(details(kube, { name: 'chekout' }));
    expect(missing).toMatchObject({ code: 'kube_not_found' });
    expect(missing.userMessage).toBe(
      'No workload or pod named "chekout" in any namespace. Closest: checkout.',
    );
    const badKind = await rejection(details(kube, { name: 'svc/checkout' }));
    expect(badKind.code).toBe('bad_arguments');
  });
});

describe('/ops status and /ops logs arguments', () => {
  it('parses status arguments', () => {
    expect(parseStatusArgs([])).toEqual({});
    expect(parseStatusArgs(['prod'])).toEqual({ namespace: 'prod' });
    expect(parseStatusArgs(['prod', '--cluster', 'eu-1'])).toEqual({ namespace: 'prod', cluster: 'eu-1' });
    expect(parseStatusArgs(['--cluster=eu-1'])).toEqual({ cluster: 'eu-1' });
    expect(() => parseStatusArgs(['a', 'b'])).toThrow('Expected at most one namespace');
    expect(() => parseStatusArgs(['--cluster'])).toThrow('--cluster needs a value');
    expect(() => parseStatusArgs(['--verbose'])).toThrow('Unknown option --verbose');
    expect(statusCommand({ namespace: 'prod', cluster: 'eu-1' })).toBe('/ops status prod --cluster eu-1');
  });

  it('parses logs arguments, round-tripping the button commands', () => {
    expect(parseLogsArgs(['api', 'prod', '--previous'])).toEqual({
      name: 'api',
      namespace: 'prod',
      previous: true,
    });
    expect(parseLogsArgs(['pod/api-1', '--container', 'app', '--current', '--lines', '20'])).toEqual({
      name: 'pod/api-1',
      container: 'app',
      previous: false,
      tailLines: 20,
    });
    expect(() => parseLogsArgs([])).toThrow(LOGS_USAGE);
    expect(() => parseLogsArgs(['api', '--previous', '--current'])).toThrow('not both');
    expect(() => parseLogsArgs(['api', '--lines', 'ten'])).toThrow('--lines must be a positive whole number');
    const args = { name: 'pod/api-1', namespace: 'prod', container: 'app', previous: false, cluster: 'eu-1' };
    expect(parseLogsArgs(logsCommand(args).split(' ').slice(2))).toEqual(args);
    // The parsed arguments are valid tool input as they are.
    expect(workloadDetails.input.parse(parseLogsArgs(['api', 'prod', '--previous']))).toEqual({
      name: 'api',
      namespace: 'prod',
      previous: true,
    });
  });
});
