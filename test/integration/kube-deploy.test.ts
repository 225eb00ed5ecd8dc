/**
 * The deploy port (createKubeDeployPort over the real @kubernetes/client-node) and watchRollout
 * against the fake API server over HTTPS: strategic-merge patches and server-side dry runs, the
 * simulated Deployment controller rolling out (and failing to), rollbacks, watches that resume
 * after dropped connections and 410s, a second worker picking a rollout up, and the errors the deploy
 * flow must explain (RBAC, conflicts, invalid requests, unknown objects, an unreachable API).
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deploymentObjects,
  emptyObjects,
  FAKE_CA_PATH,
  FAKE_TOKEN,
  type FakeKube,
  type Json,
  kubeconfigYaml,
  nameOf,
  startFakeKube,
} from '../../sandbox/fake-kube.ts';
import { createKubeDeployPort, type KubeDeployClient } from '../../src/clients/kube-deploy.ts';
import type { DeploymentRef } from '../../src/deploys/kube-deploy-port.ts';
import type { RolloutStatus } from '../../src/deploys/rollout.ts';
import { watchRollout } from '../../src/deploys/watch-rollout.ts';
import { type AppError, isAppError } from '../../tools/shared/errors.ts';

const NS = 'shop';
const image = (name: string, tag: string) => `registry.example.com/${NS}/${name}:${tag}`;
const ref = (name: string): DeploymentRef => ({ namespace: NS, name });

/** Deployments each test owns, so tests do not see each other's rollouts. */
function objects(names: string[]) {
  const into = emptyObjects();
  for (const name of names) deploymentObjects({ namespace: NS, name, replicas: 3 }, into);
  return into;
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

/** Polls `pred` until true or the deadline. */
async function until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const watchOf = (name: string) => (r: { query: Record<string, string>; method: string }) =>
  r.method === 'GET' && r.query.watch === '1' && r.query.fieldSelector === `metadata.name=${name}`;

let fake: FakeKube;
let slow: FakeKube;
let port: KubeDeployClient;
let slowPort: KubeDeployClient;
let dir: string;

beforeAll(async () => {
  fake = await startFakeKube({
    objects: objects(['checkout', 'web', 'api', 'pay', 'cart', 'billing', 'search-rbac']),
    rolloutTickMs: 20,
    timeScale: 0.001,
  });
  // Slower rollouts, for tests that act in the middle of one.
  slow = await startFakeKube({
    objects: objects(['search', 'orders', 'gone', 'quiet']),
    rolloutTickMs: 120,
  });
  port = createKubeDeployPort({
    kubeconfigPath: fake.kubeconfigPath,
    requestTimeoutMs: 2000,
    watchRetryMs: 5000,
  });
  slowPort = createKubeDeployPort({
    kubeconfigPath: slow.kubeconfigPath,
    requestTimeoutMs: 2000,
    watchRetryMs: 5000,
  });
  dir = await mkdtemp(join(tmpdir(), 'kube-deploy-test-'));
});

afterAll(async () => {
  await port?.close();
  await slowPort?.close();
  await fake?.close();
  await slow?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('reading', () => {
  it('getDeployment flattens the live object', async () => {
    const d = await port.getDeployment(ref('checkout'));
    expect(d).toMatchObject({
      name: 'checkout',
      namespace: NS,
      generation: 7,
      observedGeneration: 7,
      replicas: 3,
      revision: 7,
      selector: { app: 'checkout' },
      containers: [{ name: 'app', image: image('checkout', '1.4.2') }],
    });
  });

  it('a missing Deployment is kube_not_found, naming it', async () => {
    const e = await rejection(port.getDeployment(ref('nope')));
    expect(e.code).toBe('kube_not_found');
    expect(e.userMessage).toBe('Deployment "nope" not found in namespace "shop" on cluster "fake-main".');
  });

  it('listRevisions: only the ReplicaSets the Deployment owns', async () => {
    const revs = await port.listRevisions(ref('checkout'));
    expect(revs).toHaveLength(1);
    expect(revs[0]).toMatchObject({ revision: 7, replicas: 3, readyReplicas: 3 });
    expect(revs[0]?.name).toBe(`checkout-${revs[0]?.podTemplateHash}`);
  });
});

describe('dry runs', () => {
  it('a valid dry run returns the would-be Deployment and the cluster sees no write', async () => {
    const before = fake.getObject('deployments', NS, 'checkout');
    const rsBefore = fake.listObjects('replicasets', NS).length;
    const writes = fake.writes.length;
    const d = await port.setImage(ref('checkout'), 'app', image('checkout', '2.0.0'), { dryRun: true });
    expect(d.containers).toEqual([{ name: 'app', image: image('checkout', '2.0.0') }]);
    expect(d.generation).toBe(8);
    expect(fake.writes.length).toBe(writes);
    expect(fake.getObject('deployments', NS, 'checkout')).toEqual(before);
    expect(fake.listObjects('replicasets', NS).length).toBe(rsBefore);
    const patch = fake.requests.filter((r) => r.method === 'PATCH').at(-1);
    expect(patch?.query).toMatchObject({ dryRun: 'All', fieldManager: 'shipmate' });
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      spec: { template: { spec: { containers: [{ name: 'app', image: image('checkout', '2.0.0') }] } } },
    });
  });

  it('an invalid image fails the dry run with the API server’s reason', async () => {
    const upper = await rejection(
      port.setImage(ref('checkout'), 'app', 'Registry.Example.com/Shop/Checkout:2.0.0', { dryRun: true }),
    );
    expect(upper.code).toBe('kube_invalid');
    expect(upper.retryable).toBe(false);
    expect(upper.userMessage).toBe(
      'Kubernetes rejected the change to Deployment "checkout" in namespace "shop" on cluster "fake-main" as invalid: spec.template.spec.containers[0].image: Invalid value: "Registry.Example.com/Shop/Checkout:2.0.0": invalid reference format: repository name must be lowercase',
    );
    const spaces = await rejection(
      port.setImage(ref('checkout'), 'app', 'registry.example.com/shop/checkout: 2.0', { dryRun: true }),
    );
    expect(spaces.userMessage).toContain('must not contain whitespace');
    expect(fake.writes.filter((w) => w.name === 'checkout')).toEqual([]);
  });

  it('an unknown container is refused before anything is sent', async () => {
    const patches = fake.requests.filter((r) => r.method === 'PATCH').length;
    const e = await rejection(port.setImage(ref('checkout'), 'sidecar', image('x', '1'), { dryRun: true }));
    expect(e.code).toBe('kube_invalid');
    expect(e.userMessage).toBe(
      'Deployment "checkout" in namespace "shop" has no container "sidecar"; its containers: app.',
    );
    expect(fake.requests.filter((r) => r.method === 'PATCH').length).toBe(patches);
  });

  it('the fake answers a patch adding a container with 422 and a Status body', async () => {
    const res = await rawPatch(fake, `/apis/apps/v1/namespaces/${NS}/deployments/checkout?dryRun=All`, {
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1.30' }] } } },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      details: {
        name: 'checkout',
        group: 'apps',
        kind: 'Deployment',
        causes: [{ reason: 'FieldValueNotFound', field: 'spec.template.spec.containers[1].name' }],
      },
    });
  });
});

describe('rollouts', () => {
  it('setImage, then watchRollout follows the rollout to completion', async () => {
    const web = ref('web');
    const d = await port.setImage(web, 'app', image('web', '2.0.0'), { dryRun: false });
    expect(d.generation).toBe(8);
    const seen: RolloutStatus[] = [];
    const r = await watchRollout(port, web, {
      fromGeneration: d.generation,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onProgress: (s) => seen.push(s),
    });
    expect(r.outcome).toBe('complete');
    expect(r.superseded).toBe(false);
    expect(r.snapshot).toMatchObject({
      generation: 8,
      observedGeneration: 8,
      revision: 8,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      totalReplicas: 3,
      containers: [{ name: 'app', image: image('web', '2.0.0') }],
    });
    expect(r.status.text).toBe('Deployment "web" successfully rolled out (3/3 available)');
    // Progress came replica by replica, each distinct state once.
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.at(-1)?.phase).toBe('complete');
    expect(seen.slice(0, -1).every((s) => s.phase === 'progressing')).toBe(true);
    // (Before the controller observes the change, the counts are still the previous rollout's.)
    const updated = seen.filter((s) => s.reason !== 'NotObserved').map((s) => s.updated);
    expect(updated).toEqual([...updated].sort((a, b) => a - b));
    expect(new Set(seen.map((s) => JSON.stringify(s))).size).toBe(seen.length);
    // Watched, not polled: one get, then the watch.
    expect(fake.requests.filter(watchOf('web')).length).toBeGreaterThanOrEqual(1);
    // One write, what kubectl set image sends.
    expect(fake.writes.filter((w) => w.name === 'web')).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        resource: 'deployments',
        contentType: 'application/strategic-merge-patch+json',
        fieldManager: 'shipmate',
      }),
    ]);
    // History: the new ReplicaSet first, the old one scaled to zero; old pods gone.
    const revs = await port.listRevisions(web);
    expect(revs.map((x) => [x.revision, x.replicas, x.images[0]?.image])).toEqual([
      [8, 3, image('web', '2.0.0')],
      [7, 0, image('web', '1.4.2')],
    ]);
    const pods = fake.listObjects('pods', NS).filter((p) => nameOf(p).startsWith('web-'));
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => nameOf(p).startsWith(revs[0]?.name ?? '?'))).toBe(true);
  });

  it('an image that crash-loops ends `failed` on ProgressDeadlineExceeded, with the pods’ reasons', async () => {
    const api = ref('api');
    const d = await port.setImage(api, 'app', image('api', 'broken'), { dryRun: false });
    const r = await watchRollout(port, api, {
      fromGeneration: d.generation,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.outcome).toBe('failed');
    expect(r.status.reason).toBe('ProgressDeadlineExceeded');
    expect(r.status.text).toContain('exceeded its progress deadline');
    // maxUnavailable 0 of 3: the old pods keep serving.
    expect(r.snapshot).toMatchObject({ updatedReplicas: 1, availableReplicas: 3, totalReplicas: 4 });
    expect(r.failingPods).toHaveLength(1);
    expect(r.failingPods[0]).toMatchObject({ reason: 'CrashLoopBackOff', container: 'app' });
    expect(r.failingPods[0]?.detail).toMatch(/^exit 1 \(Error\), 3 restarts/);
  });

  it('an image that cannot be pulled names the image', async () => {
    const pay = ref('pay');
    const bad = image('pay', '2.0.0-missing');
    const d = await port.setImage(pay, 'app', bad, { dryRun: false });
    const r = await watchRollout(port, pay, {
      fromGeneration: d.generation,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.outcome).toBe('failed');
    expect(r.failingPods.map((p) => p.reason)).toEqual(['ImagePullBackOff']);
    expect(r.failingPods[0]?.detail).toContain(`image "${bad}"`);
  });

  it('rollbackTo the previous revision restores the image and completes', async () => {
    const cart = ref('cart');
    const bad = await port.setImage(cart, 'app', image('cart', 'missing'), { dryRun: false });
    const failed = await watchRollout(port, cart, {
      fromGeneration: bad.generation,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(failed.outcome).toBe('failed');
    const revs = await port.listRevisions(cart);
    expect(revs.map((r) => r.revision)).toEqual([8, 7]);
    const previous = revs[1]?.revision as number;

    // A dry run first, as the preview does: nothing changes.
    const writes = fake.writes.length;
    const preview = await port.rollbackTo(cart, previous, { dryRun: true });
    expect(preview.containers[0]?.image).toBe(image('cart', '1.4.2'));
    expect(fake.writes.length).toBe(writes);

    const d = await port.rollbackTo(cart, previous, { dryRun: false });
    expect(d.generation).toBe(bad.generation + 1);
    const patch = fake.writes.at(-1)?.patch as Json;
    const template = (patch.spec as Json).template as Json;
    expect(template.$patch).toBe('replace');
    expect(((template.metadata as Json).labels as Json)['pod-template-hash']).toBeUndefined();
    const r = await watchRollout(port, cart, {
      fromGeneration: d.generation,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.outcome).toBe('complete');
    expect(r.snapshot.containers).toEqual([{ name: 'app', image: image('cart', '1.4.2') }]);
    expect(r.snapshot.totalReplicas).toBe(3);
    // The old ReplicaSet came back under the next revision number; revision 7 is gone.
    const after = await port.listRevisions(cart);
    expect(after.map((x) => [x.revision, x.replicas])).toEqual([
      [9, 3],
      [8, 0],
    ]);
    expect(after[0]?.name).toBe(revs[1]?.name);
    expect((await rejection(port.rollbackTo(cart, 7, { dryRun: true }))).code).toBe(
      'kube_revision_not_found',
    );
    const noop = await rejection(port.rollbackTo(cart, 9, { dryRun: true }));
    expect(noop.code).toBe('kube_already_at_revision');
  });
});

describe('resuming', () => {
  it('a dropped watch is resumed from the last resourceVersion without missing the completion', async () => {
    const search = ref('search');
    const d = await slowPort.setImage(search, 'app', image('search', '2.0.0'), { dryRun: false });
    let dropped = 0;
    const r = await watchRollout(slowPort, search, {
      fromGeneration: d.generation,
      timeoutMs: 15_000,
      signal: new AbortController().signal,
      onProgress: (s) => {
        if (dropped === 0 && s.phase === 'progressing' && s.updated >= 1 && slow.openWatches > 0) {
          dropped = slow.dropWatches();
        }
      },
    });
    expect(dropped).toBeGreaterThan(0);
    expect(r.outcome).toBe('complete');
    expect(r.snapshot.containers[0]?.image).toBe(image('search', '2.0.0'));
    const watches = slow.requests.filter(watchOf('search'));
    expect(watches.length).toBeGreaterThanOrEqual(2);
    // The second watch resumed from a resourceVersion the first one delivered.
    expect(Number(watches[1]?.query.resourceVersion)).toBeGreaterThan(
      Number(watches[0]?.query.resourceVersion),
    );
  });

  it('a 410 Gone (history compacted) re-reads the Deployment and keeps watching', async () => {
    const gone = ref('gone');
    const d = await slowPort.setImage(gone, 'app', image('gone', '2.0.0'), { dryRun: false });
    let mark = -1;
    const r = await watchRollout(slowPort, gone, {
      fromGeneration: d.generation,
      timeoutMs: 15_000,
      signal: new AbortController().signal,
      onProgress: (s) => {
        if (mark < 0 && s.phase === 'progressing' && s.updated >= 1 && slow.openWatches > 0) {
          mark = slow.requests.length;
          slow.compactWatchHistory();
          slow.dropWatches();
        }
      },
    });
    expect(mark).toBeGreaterThan(0);
    expect(r.outcome).toBe('complete');
    expect(r.snapshot.containers[0]?.image).toBe(image('gone', '2.0.0'));
    // After the drop: a watch from the old resourceVersion (answered with 410 Expired), a list of
    // just this Deployment for a fresh resourceVersion, and a watch from that list's version.
    const after = slow.requests
      .slice(mark)
      .filter((q) => q.method === 'GET' && q.query.fieldSelector === 'metadata.name=gone')
      .map((q) => (q.query.watch ? `watch@${q.query.resourceVersion}` : 'list'));
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after[0]).toMatch(/^watch@/);
    expect(after[1]).toBe('list');
    expect(after[2]).toMatch(/^watch@/);
    expect(Number(after[2]?.slice(6))).toBeGreaterThan(Number(after[0]?.slice(6)));
  });

  it('a second worker calling watchRollout mid-rollout picks up the current state and completes', async () => {
    const orders = ref('orders');
    const d = await slowPort.setImage(orders, 'app', image('orders', '2.0.0'), { dryRun: false });
    // Worker 1 dies (its signal aborts) once the rollout is under way.
    const first = new AbortController();
    const e = await rejection(
      watchRollout(slowPort, orders, {
        fromGeneration: d.generation,
        timeoutMs: 15_000,
        signal: first.signal,
        onProgress: (s) => {
          if (s.reason !== 'NotObserved' && s.updated >= 1) first.abort();
        },
      }),
    );
    expect(e.code).toBe('cancelled');
    await until(() => slow.openWatches === 0);
    // Worker 2 starts from scratch with the job's data (the generation).
    const seen: RolloutStatus[] = [];
    const r = await watchRollout(slowPort, orders, {
      fromGeneration: d.generation,
      timeoutMs: 15_000,
      signal: new AbortController().signal,
      onProgress: (s) => seen.push(s),
    });
    expect(r.outcome).toBe('complete');
    expect(seen[0]?.updated).toBeGreaterThanOrEqual(1);
    expect(seen[0]?.reason).not.toBe('NotObserved');
  });
});

describe('a watch that opens but never sends an event', () => {
  it('is reconnected after watchIdleMs and the rollout is reported complete, not timed out', async () => {
    // Only the watch can decide here (no re-read before the deadline): the silent connection must
    // be given up and reopened from the last resourceVersion.
    const quietPort = createKubeDeployPort({
      kubeconfigPath: slow.kubeconfigPath,
      requestTimeoutMs: 2000,
      watchRetryMs: 5000,
      watchIdleMs: 300,
    });
    try {
      const quiet = ref('quiet');
      slow.fail(/watch=1.*metadata\.name%3Dquiet/, 'silent-watch', { times: 1 });
      const d = await quietPort.setImage(quiet, 'app', image('quiet', '2.0.0'), { dryRun: false });
      const seen: RolloutStatus[] = [];
      const r = await watchRollout(quietPort, quiet, {
        fromGeneration: d.generation,
        timeoutMs: 15_000,
        resyncMs: 600_000,
        signal: new AbortController().signal,
        onProgress: (s) => seen.push(s),
      });
      expect(seen[0]?.phase).toBe('progressing');
      expect(r.outcome).toBe('complete');
      expect(r.snapshot.containers[0]?.image).toBe(image('quiet', '2.0.0'));
      const watches = slow.requests.filter(watchOf('quiet'));
      expect(watches.length).toBeGreaterThanOrEqual(2);
      // The reopened watch resumed where the silent one started.
      expect(watches[1]?.query.resourceVersion).toBe(watches[0]?.query.resourceVersion);
    } finally {
      slow.clearFailures();
      await quietPort.close();
    }
  });
});

describe('errors the deploy flow must explain', () => {
  it('403 on the patch names the verb and resource the bot lacks', async () => {
    fake.fail(/deployments\/billing\?.*fieldManager/, 'forbidden', { times: 1 });
    const e = await rejection(
      port.setImage(ref('billing'), 'app', image('billing', '2.0.0'), { dryRun: true }),
    );
    expect(e.code).toBe('kube_forbidden');
    expect(e.retryable).toBe(false);
    expect(e.userMessage).toBe(
      'The bot\'s Kubernetes identity "system:serviceaccount:ops:shipmate" is not allowed to patch deployments (API group apps) in namespace "shop" on cluster "fake-main". Grant it "patch" on "deployments" with a Role and binding.',
    );
    expect(fake.writes.filter((w) => w.name === 'billing')).toEqual([]);
  });

  it('403 on the watch names the missing verb', async () => {
    fake.fail(/watch=1.*search-rbac|search-rbac.*watch=1/, 'forbidden', { times: 1 });
    const ac = new AbortController();
    const e = await rejection(
      (async () => {
        for await (const _ of port.watchDeployment(ref('search-rbac'), { signal: ac.signal })) {
          // the first snapshot comes from the list; the watch request then fails
        }
      })(),
    );
    ac.abort();
    expect(e.code).toBe('kube_forbidden');
    expect(e.userMessage).toContain(
      'is not allowed to watch deployments (API group apps) in namespace "shop"',
    );
  });

  it('409 Conflict is retryable', async () => {
    fake.fail(/deployments\/billing\?.*fieldManager/, 'conflict', { times: 1 });
    const e = await rejection(
      port.setImage(ref('billing'), 'app', image('billing', '2.0.0'), { dryRun: false }),
    );
    expect(e.code).toBe('kube_conflict');
    expect(e.retryable).toBe(true);
    expect(e.userMessage).toContain('was changed by someone else at the same time');
  });

  it('an unreachable API server is retryable', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const closedPort = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const path = join(dir, 'down');
    await writeFile(
      path,
      kubeconfigYaml({
        current: 'down',
        clusters: [{ name: 'down', server: `https://127.0.0.1:${closedPort}`, caPath: FAKE_CA_PATH }],
        token: FAKE_TOKEN,
      }),
    );
    const down = createKubeDeployPort({ kubeconfigPath: path, requestTimeoutMs: 2000 });
    const e = await rejection(down.setImage(ref('web'), 'app', 'x:1', { dryRun: true }));
    await down.close();
    expect(e.code).toBe('kube_unreachable');
    expect(e.retryable).toBe(true);
  });
});

/** A PATCH straight to the fake (for what the port never sends). */
function rawPatch(f: FakeKube, path: string, body: unknown): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, f.url);
    const req = request(
      url,
      {
        method: 'PATCH',
        ca: readCa(),
        headers: {
          authorization: `Bearer ${FAKE_TOKEN}`,
          'content-type': 'application/strategic-merge-patch+json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Json }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let ca: Buffer | undefined;
function readCa(): Buffer {
  ca ??= readFileSync(FAKE_CA_PATH);
  return ca;
}
