/**
 * A `cluster` digest at two cluster sizes: `node bench/digest.ts [runs=5]`
 *
 * For clusters of 100 and 10,000 pods (the same problem kinds planted in both, scaled), served by
 * the fake API server (sandbox/fake-kube.ts: HTTPS, real paging) and read through the real
 * @kubernetes/client-node, times in one process and against the same server:
 *   - the digest's work: the `cluster` section's collect (which runs cluster_status), the diff with
 *     the last digest's findings, and rendering the message;
 *   - the baseline: the cluster_status tool alone (what `/ops status` runs) on the same cluster.
 * One warm-up, then `runs` alternating measured runs; median and spread (min–max) are printed, with
 * the ratio digest/status and the size of the message (JSON characters, blocks), first digest (all
 * new) and second (unchanged: quiet). Goal (#11): the message must not grow with the cluster.
 */

import { makeCluster, startFakeKube } from '../sandbox/fake-kube.ts';
import { createKubePort } from '../src/clients/kube.ts';
import { diffDigest, type SectionItem } from '../src/digests/diff.ts';
import { renderDigest } from '../src/digests/render.ts';
import { clusterSection } from '../src/digests/sections/cluster.ts';
import { teamConfigSchema } from '../src/team-config.ts';
import { clusterStatus } from '../tools/cluster-status.ts';
import { redact } from '../tools/shared/redact.ts';

const runs = Number(process.argv[2] ?? 5);
const digest = teamConfigSchema.parse({
  digests: [{ id: 'bench', channel: 'C1OPS', cron: '0 9 * * 1-5', sections: ['cluster'] }],
}).digests[0] as ReturnType<typeof teamConfigSchema.parse>['digests'][number];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function measure(pods: number) {
  const scale = pods / 100;
  const objects = makeCluster({
    pods,
    problems: {
      crashLoop: Math.ceil(2 * scale),
      oomKilled: Math.ceil(scale),
      imagePull: Math.ceil(scale),
      createContainerConfigError: Math.ceil(scale),
      unschedulable: Math.ceil(scale),
      nodeNotReady: 1,
    },
  });
  const fake = await startFakeKube({ objects });
  const kube = createKubePort({ kubeconfigPath: fake.kubeconfigPath, requestTimeoutMs: 60_000 });
  const ports = { redact, kube };
  const section = clusterSection(ports);
  const signal = new AbortController().signal;
  const ctx = (known: Record<string, unknown>) => ({
    since: undefined,
    now: new Date(),
    signal,
    log: {
      info() {},
      warn() {},
      error() {},
      debug() {},
      child() {
        return this;
      },
    } as never,
    progress: () => {},
    known: (fp: string) => Object.hasOwn(known, fp),
  });

  const digestOnce = async (known: Record<string, never>) => {
    const t0 = performance.now();
    const result = await section.collect(digest, ctx(known));
    const items: SectionItem[] = result.items.map((i) => ({ ...i, section: 'cluster' }));
    const diff = diffDigest(known, items, new Set(), new Date());
    const message = renderDigest({
      digest,
      sections: [{ name: 'cluster', title: 'Cluster', result }],
      diff,
      now: new Date(),
      since: undefined,
      mode: 'scheduled',
    });
    return { ms: performance.now() - t0, message, diff };
  };
  const statusOnce = async () => {
    const t0 = performance.now();
    await clusterStatus.run(ports, {}, { userId: 'U_BENCH', traceId: 'bench', signal, progress: () => {} });
    return performance.now() - t0;
  };

  await digestOnce({});
  await statusOnce();
  const dMs: number[] = [];
  const sMs: number[] = [];
  let first: Awaited<ReturnType<typeof digestOnce>> | undefined;
  for (let i = 0; i < runs; i++) {
    first = await digestOnce({});
    dMs.push(first.ms);
    sMs.push(await statusOnce());
  }
  const second = await digestOnce(first?.diff.next as Record<string, never>);
  await kube.close();
  await fake.close();
  return {
    pods,
    problems: first?.diff.fresh.length ?? 0,
    digestMs: median(dMs),
    digestSpread: spread(dMs),
    statusMs: median(sMs),
    statusSpread: spread(sMs),
    firstChars: JSON.stringify(first?.message).length,
    firstBlocks: first?.message.blocks?.length ?? 0,
    secondChars: JSON.stringify(second.message).length,
    secondBlocks: second.message.blocks?.length ?? 0,
  };
}

const rows = [];
for (const pods of [100, 10_000]) rows.push(await measure(pods));
for (const r of rows) {
  console.log(
    `${r.pods.toLocaleString('en')} pods, ${r.problems} problem groups: digest ${r.digestMs.toFixed(0)} ms (${r.digestSpread}) · ` +
      `cluster_status alone ${r.statusMs.toFixed(0)} ms (${r.statusSpread}) · ratio digest/status ${(r.digestMs / r.statusMs).toFixed(2)} · ` +
      `message: first ${r.firstChars} chars / ${r.firstBlocks} blocks, unchanged ${r.secondChars} chars / ${r.secondBlocks} blocks`,
  );
}
const [small, large] = rows;
if (small && large) {
  console.log(
    `size ratio 10,000/100 pods: first digest ${(large.firstChars / small.firstChars).toFixed(2)}, unchanged ${(large.secondChars / small.secondChars).toFixed(2)}   goal: does not grow with the cluster (≤ Slack's 50 blocks, 3,000 chars a section)`,
  );
}
process.exit(0);
