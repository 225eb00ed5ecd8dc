/**
 * rolloutStatus on Deployments shaped like the API returns them (kubectl's `rollout status` rules),
 * the snapshot/revision views, and watchRollout's decisions over an in-memory port: an already
 * finished rollout, resuming mid-way, timeout with the failing pods' reasons, superseded, cancelled.
 */

import { describe, expect, it } from '@jest/globals';
import {
  type DeploymentOptions,
  emptyObjects,
  type Json,
  makeDeployment,
  makePod,
  type PodState,
} from '../../sandbox/kube-objects.ts';
import type {
  DeploymentSnapshot,
  KubeDeployPort,
  ReplicaSetRevision,
} from '../../src/deploys/kube-deploy-port.ts';
import { type RolloutStatus, revisionOf, rolloutStatus, snapshotOf } from '../../src/deploys/rollout.ts';
import { watchRollout } from '../../src/deploys/watch-rollout.ts';
import { isAppError } from '../../tools/shared/errors.ts';
import type { KubeDeployment, KubeReplicaSet } from '../../tools/shared/kube-port.ts';
import { createMemoryKube } from '../support/memory-kube.ts';

const NS = 'shop';

/** A Deployment as JSON, with `edit` applied to the raw object (status fields as the controller writes them). */
function deployment(
  opts: Partial<DeploymentOptions> = {},
  edit: (d: Json) => void = () => {},
): KubeDeployment {
  const { deployment: d } = makeDeployment({ namespace: NS, name: 'checkout', ...opts });
  edit(d);
  return d as unknown as KubeDeployment;
}

const status = (d: Json) => d.status as Json;
const meta = (d: Json) => d.metadata as Json;

describe('snapshotOf / revisionOf', () => {
  it('flattens the fields the deploy flow reads', () => {
    const s = snapshotOf(
      deployment({ containers: ['app', 'proxy'], image: 'registry.example.com/shop/checkout:1.4.2' }),
    );
    expect(s).toMatchObject({
      name: 'checkout',
      namespace: NS,
      generation: 7,
      observedGeneration: 7,
      replicas: 3,
      totalReplicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
      revision: 7,
      progressDeadlineSeconds: 600,
      paused: false,
      selector: { app: 'checkout' },
      labelSelector: 'app=checkout',
    });
    expect(s.containers).toEqual([
      { name: 'app', image: 'registry.example.com/shop/checkout:1.4.2' },
      { name: 'proxy', image: 'registry.example.com/shop/checkout:1.4.2' },
    ]);
    expect(s.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.conditions.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    expect(s.conditions[1]).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('reads a ReplicaSet as a history entry', () => {
    const { replicaSet, podTemplateHash } = makeDeployment({ namespace: NS, name: 'checkout', ready: 2 });
    const r: ReplicaSetRevision = revisionOf(replicaSet as unknown as KubeReplicaSet);
    expect(r).toMatchObject({ revision: 7, replicas: 3, readyReplicas: 2, podTemplateHash });
    expect(r.name).toBe(`checkout-${podTemplateHash}`);
    expect(r.images).toEqual([{ container: 'app', image: 'registry.example.com/shop/checkout:1.4.2' }]);
    expect(r.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('rolloutStatus (kubectl rollout status semantics)', () => {
  it('complete: observed, all updated, no old replicas, all available', () => {
    const st = rolloutStatus(snapshotOf(deployment()));
    expect(st).toMatchObject({ phase: 'complete', desired: 3, updated: 3, ready: 3, available: 3, old: 0 });
    expect(st.text).toBe('Deployment "checkout" successfully rolled out (3/3 available)');
    expect(st.reason).toBeUndefined();
  });

  it('waits until the controller has observed the new generation', () => {
    // Right after a patch: generation bumped, the status still the old (complete) one.
    const d = deployment({}, (x) => {
      meta(x).generation = 8;
    });
    const st = rolloutStatus(snapshotOf(d));
    expect(st.phase).toBe('progressing');
    expect(st.reason).toBe('NotObserved');
    expect(st.text).toContain('spec update to be observed');
  });

  it('waits for the generation being watched, even if the object looks done', () => {
    const st = rolloutStatus(snapshotOf(deployment()), { fromGeneration: 8 });
    expect(st).toMatchObject({ phase: 'progressing', reason: 'NotObserved' });
  });

  it('counts new replicas being updated', () => {
    const d = deployment({ updated: 1 }, (x) => {
      status(x).replicas = 4;
      status(x).unavailableReplicas = 1;
    });
    const st = rolloutStatus(snapshotOf(d));
    expect(st).toMatchObject({ phase: 'progressing', reason: 'Updating', updated: 1, old: 3 });
    expect(st.text).toBe(
      'Waiting for deployment "checkout" rollout to finish: 1 out of 3 new replicas have been updated',
    );
  });

  it('waits for old replicas to terminate', () => {
    const d = deployment({}, (x) => {
      status(x).replicas = 4;
    });
    const st = rolloutStatus(snapshotOf(d));
    expect(st).toMatchObject({ phase: 'progressing', reason: 'OldReplicasPending', old: 1 });
    expect(st.text).toContain('1 old replica is pending termination');
  });

  it('waits for updated replicas to become available', () => {
    const st = rolloutStatus(snapshotOf(deployment({ ready: 2 })));
    expect(st).toMatchObject({ phase: 'progressing', reason: 'Unavailable', available: 2 });
    expect(st.text).toContain('2 of 3 updated replicas are available');
  });

  it('fails on ProgressDeadlineExceeded, quoting the condition', () => {
    const d = deployment({ progressDeadlineExceeded: true, updated: 1, ready: 3 }, (x) => {
      status(x).replicas = 4;
    });
    const st = rolloutStatus(snapshotOf(d));
    expect(st.phase).toBe('failed');
    expect(st.reason).toBe('ProgressDeadlineExceeded');
    expect(st.text).toMatch(
      /exceeded its progress deadline \(600 s\): 1 of 3 new replicas updated, 3 available/,
    );
    expect(st.text).toContain('has timed out progressing');
  });

  it('says why pods cannot be created (ReplicaFailure)', () => {
    const d = deployment(
      {
        updated: 0,
        ready: 3,
        replicaFailure:
          'pods "checkout-7d4b9c8f6-x2x9z" is forbidden: exceeded quota: compute, requested: cpu=250m, used: cpu=4, limited: cpu=4',
      },
      () => {},
    );
    const st = rolloutStatus(snapshotOf(d));
    expect(st).toMatchObject({ phase: 'progressing', reason: 'ReplicaFailure' });
    expect(st.text).toContain('exceeded quota');
  });

  it('notes a paused rollout', () => {
    const d = deployment({ updated: 1 }, (x) => {
      (x.spec as Json).paused = true;
    });
    const st = rolloutStatus(snapshotOf(d));
    expect(st).toMatchObject({ phase: 'progressing', reason: 'Paused' });
    expect(st.text).toContain('rollout paused');
  });

  it('a Deployment scaled to zero is complete', () => {
    const d = deployment({ replicas: 0 }, (x) => {
      delete status(x).readyReplicas;
      delete status(x).availableReplicas;
    });
    expect(rolloutStatus(snapshotOf(d)).phase).toBe('complete');
  });
});

/** A scripted deploy port: getDeployment returns `now`, the watch yields pushed snapshots. */
function scriptedPort(initial: DeploymentSnapshot, pods: Json[] = [], hash?: string) {
  let current = initial;
  const queue: DeploymentSnapshot[] = [];
  let wake: (() => void) | undefined;
  const memory = createMemoryKube({ ...emptyObjects(), pods });
  let watches = 0;
  let reads = 0;
  const port: KubeDeployPort & Pick<typeof memory, 'list'> = {
    list: memory.list,
    async getDeployment() {
      reads += 1;
      return current;
    },
    async listRevisions() {
      const r: ReplicaSetRevision = {
        name: `checkout-${hash ?? 'x'}`,
        revision: 8,
        images: [],
        createdAt: '2026-03-02T10:00:00Z',
        replicas: 1,
        readyReplicas: 0,
      };
      if (hash) r.podTemplateHash = hash;
      return [r];
    },
    async setImage() {
      throw new Error('not used');
    },
    async rollbackTo() {
      throw new Error('not used');
    },
    watchDeployment(_ref, o) {
      watches += 1;
      return {
        async *[Symbol.asyncIterator]() {
          while (!o.signal.aborted) {
            const next = queue.shift();
            if (next) {
              current = next;
              yield next;
              continue;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
              o.signal.addEventListener('abort', () => resolve(), { once: true });
            });
          }
        },
      };
    },
  };
  return {
    port,
    push(s: DeploymentSnapshot) {
      queue.push(s);
      wake?.();
    },
    /** Changes the Deployment without the watch saying so (a watch that went silent). */
    set(s: DeploymentSnapshot) {
      current = s;
    },
    get watches() {
      return watches;
    },
    get reads() {
      return reads;
    },
  };
}

const REF = { namespace: NS, name: 'checkout' };
const rolling = (updated: number, ready: number, generation = 8): DeploymentSnapshot =>
  snapshotOf(
    deployment({ updated, ready }, (x) => {
      meta(x).generation = generation;
      status(x).observedGeneration = generation;
      status(x).replicas = Math.max(3, updated + 3 - Math.min(3, ready));
    }),
  );
const done = (generation = 8) =>
  snapshotOf(
    deployment({}, (x) => {
      meta(x).generation = generation;
      status(x).observedGeneration = generation;
    }),
  );

describe('watchRollout', () => {
  it('returns at once when the rollout already finished (a resumed job), without watching', async () => {
    const s = scriptedPort(done());
    const seen: RolloutStatus[] = [];
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onProgress: (st) => seen.push(st),
    });
    expect(r.outcome).toBe('complete');
    expect(r.superseded).toBe(false);
    expect(r.failingPods).toEqual([]);
    expect(seen.map((x) => x.phase)).toEqual(['complete']);
    expect(s.watches).toBe(0);
  });

  it('follows the watch from the current state to completion, reporting each change once', async () => {
    const s = scriptedPort(rolling(1, 3));
    const seen: RolloutStatus[] = [];
    const p = watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onProgress: (st) => seen.push(st),
    });
    s.push(rolling(1, 3)); // same status again: no new callback
    s.push(rolling(2, 3));
    s.push(rolling(3, 2));
    s.push(done());
    const r = await p;
    expect(r.outcome).toBe('complete');
    expect(seen.map((x) => `${x.phase}:${x.updated}`)).toEqual([
      'progressing:1',
      'progressing:2',
      'progressing:3',
      'complete:3',
    ]);
  });

  it('times out with the new pods that are not ready, and why', async () => {
    const hash = 'f7c9d5b8x4';
    const labels = { app: 'checkout', 'pod-template-hash': hash };
    const owner = { kind: 'ReplicaSet' as const, name: `checkout-${hash}` };
    const podOf = (name: string, state: PodState) =>
      makePod({
        namespace: NS,
        name,
        labels,
        owner,
        state,
        now: new Date(),
        image: 'registry.example.com/shop/checkout:2.0.0',
      });
    const pods = [
      podOf('checkout-f7c9d5b8x4-aaaaa', { kind: 'running' }),
      podOf('checkout-f7c9d5b8x4-bbbbb', { kind: 'unschedulable' }),
      podOf('checkout-f7c9d5b8x4-ccccc', { kind: 'crashLoop', exitCode: 137, restarts: 4 }),
      // An old pod, not part of the new ReplicaSet: not reported.
      makePod({
        namespace: NS,
        name: 'checkout-old-ddddd',
        labels: { app: 'checkout', 'pod-template-hash': 'old' },
        state: { kind: 'crashLoop' },
      }),
    ];
    const s = scriptedPort(rolling(3, 1), pods, hash);
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 50,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.outcome).toBe('timeout');
    expect(r.failingPodsTotal).toBe(2);
    expect(r.failingPods.map((p) => [p.pod, p.reason])).toEqual([
      ['checkout-f7c9d5b8x4-bbbbb', 'Unschedulable'],
      ['checkout-f7c9d5b8x4-ccccc', 'CrashLoopBackOff'],
    ]);
    expect(r.failingPods[0]?.detail).toContain('Insufficient cpu');
    expect(r.failingPods[1]?.detail).toContain('exit 137');
  });

  it('a watch that never sends an event: the re-read on a timer sees the rollout complete', async () => {
    const s = scriptedPort(rolling(2, 3));
    const seen: RolloutStatus[] = [];
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      // Far beyond the test's own limit: only a re-read can end this watch.
      timeoutMs: 600_000,
      resyncMs: 5,
      signal: new AbortController().signal,
      onProgress: (st) => {
        seen.push(st);
        // The rollout finishes right after the first read; the open watch never tells.
        if (st.phase === 'progressing') s.set(done());
      },
    });
    expect(r.outcome).toBe('complete');
    expect(r.status.text).toContain('successfully rolled out (3/3 available)');
    expect(r.failingPods).toEqual([]);
    expect(seen.map((x) => x.phase)).toEqual(['progressing', 'complete']);
    expect(s.watches).toBeGreaterThanOrEqual(1);
    expect(s.reads).toBeGreaterThanOrEqual(2);
  });

  it('a deadline reached while the watch was silent: the Deployment’s status decides, not the deadline', async () => {
    const s = scriptedPort(rolling(2, 3));
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 20,
      // No re-read before the deadline: the last read at the deadline must still see the status.
      resyncMs: 600_000,
      signal: new AbortController().signal,
      onProgress: (st) => {
        if (st.phase === 'progressing') s.set(done());
      },
    });
    expect(r).toMatchObject({ outcome: 'complete', failingPods: [], failingPodsTotal: 0 });
    expect(s.reads).toBe(2);
  });

  it('a deadline reached while still rolling out is a timeout, after one more read', async () => {
    const s = scriptedPort(rolling(2, 3));
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 20,
      resyncMs: 600_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.outcome).toBe('timeout');
    expect(r.status.phase).toBe('progressing');
    expect(s.reads).toBe(2);
  });

  it('marks a rollout that someone else changed again as superseded', async () => {
    const s = scriptedPort(done(9));
    const r = await watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r).toMatchObject({ outcome: 'complete', superseded: true });
  });

  it('rejects with `cancelled` when the caller aborts (a worker shutting down)', async () => {
    const s = scriptedPort(rolling(1, 3));
    const ac = new AbortController();
    const p = watchRollout(s.port, REF, {
      fromGeneration: 8,
      timeoutMs: 5000,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isAppError(e) && e.code).toBe('cancelled');
  });
});
