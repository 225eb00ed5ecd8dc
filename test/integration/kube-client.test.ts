/**
 * The real @kubernetes/client-node, through createKubePort, against the fake API server over HTTPS
 * with the kubeconfig's CA: paging, selectors, TLS verification, auth, and every failure the port
 * promises a specific answer for.
 */

import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FAKE_CA_PATH,
  FAKE_TOKEN,
  type FakeKube,
  kubeconfigYaml,
  makeCluster,
  makeNamespace,
  nameOf,
  startFakeKube,
} from '../../sandbox/fake-kube.ts';
import { createKubePort, type KubeClient } from '../../src/clients/kube.ts';
import { clusterStatus } from '../../tools/cluster-status.ts';
import { type AppError, isAppError } from '../../tools/shared/errors.ts';
import type { KubePod } from '../../tools/shared/kube-port.ts';
import { redact } from '../../tools/shared/redact.ts';
import { workloadDetails } from '../../tools/workload-details.ts';

let fake: FakeKube;
let kube: KubeClient;
let dir: string;
const NOW = new Date();

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
}

/** All items of a list, and how many API pages they came in. */
async function drain<T>(
  it: AsyncIterable<{ items: T[]; endOfPage: boolean }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  for await (const batch of it) {
    if (batch.endOfPage) pages += 1;
    items.push(...batch.items);
  }
  return { items, pages };
}

/** A port that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  const other = makeCluster({ pods: 12, now: NOW });
  other.namespaces.push(makeNamespace('only-in-other'));
  fake = await startFakeKube({
    objects: makeCluster({
      pods: 1234,
      problems: { crashLoop: 1, nodeNotReady: 1, warningEvents: 4 },
      now: NOW,
    }),
    other,
  });
  // 6 s per request: the stall/hang tests wait it out, and a whole list of 1,234 pods from the fake (in
  // this process) must fit in it with room to spare on a loaded 2-core machine (2 s did not, under load).
  kube = createKubePort({ kubeconfigPath: fake.kubeconfigPath, requestTimeoutMs: 6000 });
  dir = await mkdtemp(join(tmpdir(), 'kube-client-test-'));
});

afterAll(async () => {
  await kube?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createKubePort against the fake API server', () => {
  it('lists the kubeconfig contexts without credentials', async () => {
    const contexts = await kube.listContexts();
    expect(contexts.map((c) => [c.name, c.current])).toEqual([
      ['fake-main', true],
      ['fake-other', false],
      ['fake-bad-ca', false],
    ]);
    expect(contexts[1]?.server).toBe(`${fake.url}/clusters/other`);
    expect(JSON.stringify(contexts)).not.toContain(FAKE_TOKEN);
  });

  it('pages with limit and continue, over TLS verified with the kubeconfig CA, with the bearer token', async () => {
    const before = fake.requests.length;
    const pages: { n: number; cont?: string; remaining?: number }[] = [];
    let first: KubePod | undefined;
    let n = 0;
    for await (const batch of kube.list('pods')) {
      first ??= batch.items[0];
      n += batch.items.length;
      if (!batch.endOfPage) {
        expect(batch.continue).toBeUndefined();
        continue;
      }
      const p: { n: number; cont?: string; remaining?: number } = { n };
      if (batch.continue) p.cont = batch.continue;
      if (batch.remainingItemCount !== undefined) p.remaining = batch.remainingItemCount;
      pages.push(p);
      n = 0;
    }
    expect(pages.map((p) => [p.n, p.remaining])).toEqual([
      [500, 734],
      [500, 234],
      [234, undefined],
    ]);
    const reqs = fake.requests.slice(before);
    expect(reqs.map((r) => r.path)).toEqual(['/api/v1/pods', '/api/v1/pods', '/api/v1/pods']);
    expect(reqs.map((r) => r.query.limit)).toEqual(['500', '500', '500']);
    expect(reqs[0]?.query.continue).toBeUndefined();
    expect(reqs[1]?.query.continue).toBe(pages[0]?.cont);
    expect(reqs[2]?.query.continue).toBe(pages[1]?.cont);
    expect(
      reqs.every(
        (r) =>
          r.authorization === `Bearer ${FAKE_TOKEN}` &&
          r.userAgent.startsWith('kubernetes-client-javascript/'),
      ),
    ).toBe(true);
    // Items are the API's JSON: timestamps stay RFC 3339 strings.
    expect(typeof first?.metadata?.creationTimestamp).toBe('string');
    expect(first?.metadata?.ownerReferences?.[0]?.kind).toBeDefined();
  });

  it('reuses pooled TLS connections across requests', async () => {
    const before = fake.connections;
    for (let i = 0; i < 5; i++) await drain(kube.list('nodes'));
    expect(fake.connections - before).toBeLessThanOrEqual(1);
  });

  it('scopes lists to a namespace and passes field and label selectors through', async () => {
    const ns = await drain(kube.list('deployments', { namespace: 'payments', limit: 10 }));
    expect(ns.items.length).toBeGreaterThan(10);
    expect(ns.pages).toBe(Math.ceil(ns.items.length / 10));
    expect(ns.items.every((d) => d.metadata?.namespace === 'payments')).toBe(true);
    const warnings = await drain(kube.list('events', { fieldSelector: 'type=Warning' }));
    expect(warnings.items.length).toBeGreaterThan(0);
    expect(warnings.items.every((e) => e.type === 'Warning')).toBe(true);
    const web = await drain(kube.list('pods', { namespace: 'checkout', labelSelector: 'app=api-0000' }));
    expect(web.items).toHaveLength(5);
    const last = fake.requests.at(-1);
    expect(last?.path).toBe('/api/v1/namespaces/checkout/pods');
    expect(last?.query).toMatchObject({ labelSelector: 'app=api-0000', limit: '500' });
  });

  it('stops paging when the consumer stops', async () => {
    const before = fake.requests.length;
    for await (const batch of kube.list('pods', { limit: 100 })) {
      expect(batch.items.length).toBeGreaterThan(0);
      break;
    }
    // The first page, plus at most the one read ahead.
    expect(fake.requests.length - before).toBeLessThanOrEqual(2);
  });

  it('hands a page over in batches as it streams in, never a whole 500-pod page at once', async () => {
    let batches = 0;
    let largest = 0;
    let firstPageBatches = 0;
    let pagesSeen = 0;
    const all = new Set<string>();
    for await (const batch of kube.list('pods')) {
      batches += 1;
      if (pagesSeen === 0) firstPageBatches += 1;
      if (batch.endOfPage) pagesSeen += 1;
      largest = Math.max(largest, batch.items.length);
      for (const p of batch.items) all.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
    }
    // Every pod once, in several batches per page (the page is ~2 MB, read in network chunks).
    expect(all.size).toBe(1234);
    expect(pagesSeen).toBe(3);
    expect(firstPageBatches).toBeGreaterThan(3);
    expect(largest).toBeLessThan(500);
    expect(batches).toBeGreaterThan(pagesSeen);
  });

  it("times out a page whose body stops half-way, stops it on the caller's signal, and reports a connection cut mid-page as retryable", async () => {
    fake.fail(/\/api\/v1\/pods\?/, 'stall-body', { times: 1 });
    const stalled = await rejection(drain(kube.list('pods')));
    expect(stalled).toMatchObject({ code: 'kube_timeout', retryable: true });
    expect(stalled.userMessage).toContain('(list pods)');
    fake.fail(/\/api\/v1\/pods\?/, 'cut-body', { times: 1 });
    const cut = await rejection(drain(kube.list('pods')));
    expect(cut).toMatchObject({ code: 'kube_unreachable', retryable: true });
    // The caller's signal stops a page mid-body too.
    fake.fail(/\/api\/v1\/pods\?/, 'stall-body', { times: 1 });
    const ac = new AbortController();
    const pending = rejection(drain(kube.list('pods', { signal: ac.signal })));
    await fake.waitForRequest((r) => r.path === '/api/v1/pods' && r.status === 200);
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toMatchObject({ code: 'cancelled' });
    // None left anything behind: the next list reads every pod.
    expect((await drain(kube.list('pods'))).items).toHaveLength(1234);
  });

  it('gets pods and deployments (undefined when missing) and reads logs with tailLines, container and previous', async () => {
    const objects = makeCluster({ pods: 1234, problems: { crashLoop: 1 }, now: NOW });
    const crashing = objects.pods.find((p) => JSON.stringify(p).includes('CrashLoopBackOff'));
    const name = nameOf(crashing);
    const pod = await kube.getPod({ namespace: 'checkout', name });
    expect(pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(await kube.getPod({ namespace: 'checkout', name: 'nope' })).toBeUndefined();
    expect((await kube.getDeployment({ namespace: 'checkout', name: 'api-0000' }))?.spec?.replicas).toBe(5);
    expect(await kube.getDeployment({ namespace: 'nowhere', name: 'api-0000' })).toBeUndefined();
    const prev = await kube.readPodLog({
      namespace: 'checkout',
      name,
      container: 'app',
      previous: true,
      tailLines: 2,
    });
    expect(prev).toBe(
      '2026-03-02T09:58:01Z ERROR migration 0042_add_index failed: relation "orders" does not exist\npanic: cannot start without schema\n',
    );
    expect(fake.requests.at(-1)?.query).toEqual({ container: 'app', previous: 'true', tailLines: '2' });
    const e = await rejection(
      kube.readPodLog({ namespace: 'checkout', name: 'api-0000-nope', previous: true }),
    );
    expect(e.code).toBe('kube_not_found');
    expect(e.userMessage).toBe(
      'Pod "api-0000-nope" not found in namespace "checkout" on cluster "fake-main".',
    );
  });

  it('serves another context from its own server entry', async () => {
    const ns = await drain(kube.list('namespaces', { cluster: 'fake-other' }));
    expect(ns.items.map((n) => n.metadata?.name)).toContain('only-in-other');
    expect(fake.requests.at(-1)?.path).toBe('/clusters/other/api/v1/namespaces');
  });

  it('explains a 403 with the verb, resource and scope the identity lacks', async () => {
    fake.fail(/\/api\/v1\/pods/, 'forbidden', { times: 1 });
    const e = await rejection(drain(kube.list('pods')));
    expect(e).toMatchObject({ code: 'kube_forbidden', retryable: false });
    expect(e.userMessage).toBe(
      'The bot\'s Kubernetes identity "system:serviceaccount:ops:shipmate" is not allowed to list pods cluster-wide on cluster "fake-main". Grant it "list" on "pods" with a ClusterRole and binding, or ask about one namespace it can read.',
    );
    fake.fail(/\/apis\/apps\/v1\/namespaces\/prod\/deployments/, 'forbidden', { times: 1 });
    const ns = await rejection(drain(kube.list('deployments', { namespace: 'prod' })));
    expect(ns.userMessage).toContain('not allowed to list deployments (API group apps) in namespace "prod"');
    expect(ns.userMessage).toContain('with a Role and binding');
    fake.fail(/\/log/, 'forbidden', { times: 1 });
    const log = await rejection(kube.readPodLog({ namespace: 'checkout', name: 'x' }));
    expect(log.userMessage).toContain('not allowed to get pods/log in namespace "checkout"');
  });

  it('maps 401, 500 and an expired continue token', async () => {
    fake.fail(/\/api\/v1\/nodes/, 'unauthorized', { times: 1 });
    expect(await rejection(drain(kube.list('nodes')))).toMatchObject({
      code: 'kube_unauthorized',
      retryable: false,
    });
    fake.fail(/\/api\/v1\/nodes/, 'server-error', { times: 1 });
    const e500 = await rejection(drain(kube.list('nodes')));
    expect(e500).toMatchObject({ code: 'kube_api_error', retryable: true });
    expect(e500.userMessage).toContain('500: Internal error occurred: etcdserver: request timed out');
    fake.fail(/continue=/, 'expired', { times: 1 });
    expect(await rejection(drain(kube.list('pods')))).toMatchObject({
      code: 'kube_list_expired',
      retryable: true,
    });
  });

  it('times out a request that hangs, as a retryable error', async () => {
    fake.fail(/\/apis\/apps\/v1\/statefulsets/, 'hang', { times: 1 });
    const started = Date.now();
    const e = await rejection(drain(kube.list('statefulsets')));
    expect(e).toMatchObject({ code: 'kube_timeout', retryable: true });
    expect(e.userMessage).toContain('did not answer within 6 s (list statefulsets)');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("cancels with the caller's signal", async () => {
    fake.fail(/\/apis\/apps\/v1\/daemonsets/, 'hang', { times: 1 });
    const ac = new AbortController();
    const pending = rejection(drain(kube.list('daemonsets', { signal: ac.signal })));
    await fake.waitForRequest((r) => r.path === '/apis/apps/v1/daemonsets');
    ac.abort();
    expect(await pending).toMatchObject({ code: 'cancelled' });
  });

  it('refuses a server certificate the kubeconfig CA did not sign', async () => {
    const e = await rejection(drain(kube.list('pods', { cluster: 'fake-bad-ca' })));
    expect(e).toMatchObject({ code: 'kube_tls', retryable: false });
    expect(e.userMessage).toContain("presented a certificate that the kubeconfig's CA does not verify");
  });

  it("runs in a pod on the service account's token and CA (KUBERNETES_SERVICE_HOST/PORT)", async () => {
    const sa = join(dir, 'pod', 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'token'), FAKE_TOKEN);
    await copyFile(FAKE_CA_PATH, join(sa, 'ca.crt'));
    await writeFile(join(sa, 'namespace'), 'ops');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    const { hostname, port } = new URL(fake.url);
    process.env.KUBERNETES_SERVICE_HOST = hostname;
    process.env.KUBERNETES_SERVICE_PORT = port;
    const pod = createKubePort({
      inCluster: true,
      inClusterPathPrefix: join(dir, 'pod'),
      requestTimeoutMs: 2000,
    });
    try {
      expect(await pod.listContexts()).toEqual([
        {
          name: 'inClusterContext',
          cluster: 'inCluster',
          server: `https://${hostname}:${port}`,
          namespace: 'ops',
          current: true,
        },
      ]);
      const before = fake.requests.length;
      expect((await drain(pod.list('nodes'))).items.length).toBeGreaterThan(0);
      expect(fake.requests.slice(before).map((r) => r.authorization)).toEqual([`Bearer ${FAKE_TOKEN}`]);
      // Without the service's address (not in a pod), a specific answer instead of a request to nowhere.
      delete process.env.KUBERNETES_SERVICE_HOST;
      delete process.env.KUBERNETES_SERVICE_PORT;
      const outside = createKubePort({ inCluster: true, inClusterPathPrefix: join(dir, 'pod') });
      const e = await rejection(outside.listContexts());
      expect(e).toMatchObject({ code: 'kube_not_configured' });
      expect(e.userMessage).toContain('KUBERNETES_SERVICE_HOST/PORT are not set');
    } finally {
      await pod.close();
      for (const [k, v] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('names an unknown context and lists the known ones', async () => {
    const e = await rejection(drain(kube.list('pods', { cluster: 'prod-us' })));
    expect(e).toMatchObject({ code: 'kube_unknown_context' });
    expect(e.userMessage).toBe(
      'There is no cluster context "prod-us" in the kubeconfig. Known contexts: fake-main, fake-other, fake-bad-ca.',
    );
  });

  it('reports an unreachable API server as retryable', async () => {
    const path = join(dir, 'unreachable');
    const port = await closedPort();
    await writeFile(
      path,
      kubeconfigYaml({
        current: 'down',
        clusters: [{ name: 'down', server: `https://127.0.0.1:${port}`, caPath: FAKE_CA_PATH }],
        token: FAKE_TOKEN,
      }),
    );
    const down = createKubePort({ kubeconfigPath: path, requestTimeoutMs: 2000 });
    const e = await rejection(drain(down.list('pods')));
    expect(e).toMatchObject({ code: 'kube_unreachable', retryable: true });
    expect(e.userMessage).toBe(
      `Cannot reach the Kubernetes API of cluster "down" at https://127.0.0.1:${port} (ECONNREFUSED). Check the network path and that the API server is up.`,
    );
    const dns = join(dir, 'dns');
    await writeFile(
      dns,
      kubeconfigYaml({
        current: 'dns',
        clusters: [{ name: 'dns', server: 'https://api.cluster.invalid:6443', caPath: FAKE_CA_PATH }],
        token: FAKE_TOKEN,
      }),
    );
    // `.invalid` never resolves (RFC 6761), with or without a network.
    const e2 = await rejection(
      drain(createKubePort({ kubeconfigPath: dns, requestTimeoutMs: 15_000 }).list('pods')),
    );
    expect(e2).toMatchObject({ code: 'kube_unreachable', retryable: true });
    expect(e2.userMessage).toContain('(host name not found)');
  });

  it('says no cluster is configured when the kubeconfig is missing', async () => {
    const e = await rejection(drain(createKubePort({ kubeconfigPath: join(dir, 'missing') }).list('pods')));
    expect(e.code).toBe('kube_not_configured');
    expect(e.userMessage).toContain(`the kubeconfig ${join(dir, 'missing')} does not exist`);
    const empty = join(dir, 'empty');
    await writeFile(empty, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect((await rejection(createKubePort({ kubeconfigPath: empty }).listContexts())).code).toBe(
      'kube_not_configured',
    );
  });

  it('runs cluster_status and workload_details end to end through the real client', async () => {
    fake.clearFailures();
    const steps: string[] = [];
    const ctx = {
      userId: 'U1',
      traceId: 't',
      signal: new AbortController().signal,
      progress: (s: string) => steps.push(s),
    };
    const r = await clusterStatus.run({ redact, kube }, {}, ctx);
    expect(r.report.counts.pods.total).toBe(1234);
    expect(r.report.problems.map((p) => p.reason)).toEqual(
      expect.arrayContaining(['CrashLoopBackOff', 'NotReady']),
    );
    expect(steps.some((s) => /1,234 pods/.test(s))).toBe(true);
    const d = await workloadDetails.run({ redact, kube }, { name: 'api-0000', namespace: 'checkout' }, ctx);
    expect(d.logs?.previous).toBe(true);
    expect(d.logs?.lines.join('\n')).toContain('[REDACTED]');
    expect(d.events.length).toBeGreaterThan(0);
  });
});
