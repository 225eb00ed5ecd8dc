/**
 * The sample world behind `npm run demo`: a Kubernetes API (sample-cluster.ts), a GitHub
 * (sample-github.ts) and an OpenAI-compatible model (sample-model.ts), each one of the loopback fakes
 * the tests use, on 127.0.0.1 with a port the OS picks, plus a team file with services, a deployer
 * (you), an approver, CI channels and a digest. Nothing leaves the machine.
 *
 * `startSampleWorld()` returns the environment that points Shipmate at it — the same variables a
 * real installation sets (KUBECONFIG, GITHUB_API_URL, OPENAI_BASE_URL, SHIPMATE_CONFIG, …) — and a
 * `close()` that stops the servers and removes the temporary files.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start as startFakeGitHub } from './fake-github.ts';
import { startFakeKube } from './fake-kube.ts';
import { startFakeOpenAI } from './fake-openai.ts';
import { sampleCluster, sampleNeverReady } from './sample-cluster.ts';
import { sampleRepos } from './sample-github.ts';
import { sampleModelStep } from './sample-model.ts';

/** Who you are in the demo: a deployer of every sample service. */
export const SAMPLE_USER = 'U1YOU';
/** The second person: approver of prod, for `/as U2BOB /ops approve`. */
export const SAMPLE_APPROVER = 'U2BOB';

/** The sample team file; valid against the real schema (src/team-config.ts). */
export const SAMPLE_TEAM_YAML = `# The sample world's team file (npm run demo). A real one: see shipmate.example.yml.
services:
  checkout:
    repo: acme/shop
    environments:
      staging: { namespace: shop-staging, deployment: checkout, deployers: [${SAMPLE_USER}] }
      prod:
        namespace: shop
        deployment: checkout
        deployers: [${SAMPLE_USER}]
        approvers: [${SAMPLE_APPROVER}]
  cart:
    repo: acme/shop
    environments:
      prod: { namespace: shop, deployment: cart, deployers: [${SAMPLE_USER}], approvers: [${SAMPLE_APPROVER}] }
ci:
  channels:
    acme/shop: C0DEMO
digests:
  - id: morning
    channel: C0DEMO
    cron: "0 9 * * 1-5"
    timezone: Europe/Berlin
    sections: [cluster, ci, deploys]
admins: [U9ADMIN]
`;

/**
 * Commands to try, in an order that tells a story; each works exactly as written, in this order
 * (test/integration/demo.test.ts runs them). `/ops approve` with no id takes the request shown last.
 */
export const SAMPLE_COMMANDS: readonly { line: string; what: string }[] = [
  { line: '/ops status', what: 'what is broken, worst first' },
  { line: '/ops logs payments', what: 'why a pod crash-loops: its previous logs and events' },
  { line: '/ops triage acme/shop', what: 'why the latest build on main failed' },
  {
    line: '/ops deploy checkout 1.5.0 to prod',
    what: 'a deploy request (dry run first) that needs an approver',
  },
  { line: '/as U2BOB /ops approve', what: 'approve it as Bob, the approver; it rolls out' },
  { line: '/ops deploy checkout 9.9.9-broken to staging', what: 'a version that crash-loops' },
  { line: '/ops approve', what: 'confirm it (staging needs no second person): it fails' },
  { line: '/ops rollback checkout staging', what: 'back to the previous revision' },
  { line: '/ops approve', what: 'confirm the rollback' },
  { line: '/ops history checkout', what: 'what was done, from the audit log' },
];

/** A question for the scripted model (a mention in Slack). */
export const SAMPLE_QUESTION = 'why is payments crashing?';

export interface SampleWorld {
  /** Environment variables that point Shipmate at the sample world. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface SampleWorldOptions {
  /** One rolling-update step every this many ms (default 300: a 3-replica rollout takes a few seconds). */
  rolloutTickMs?: number;
  /** Fake seconds per real second for progress deadlines (default 0.008: a failed rollout shows in ~5 s). */
  timeScale?: number;
}

export async function startSampleWorld(opts: SampleWorldOptions = {}): Promise<SampleWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'shipmate-sample-'));
  const [kube, github, model] = await Promise.all([
    startFakeKube({
      objects: sampleCluster(),
      rolloutTickMs: opts.rolloutTickMs ?? 300,
      timeScale: opts.timeScale ?? 0.008,
      neverReady: sampleNeverReady,
    }),
    startFakeGitHub({ repos: sampleRepos() }),
    startFakeOpenAI({ respond: sampleModelStep }),
  ]);
  const teamPath = join(dir, 'shipmate.yml');
  await writeFile(teamPath, SAMPLE_TEAM_YAML);
  return {
    env: {
      KUBECONFIG: kube.kubeconfigPath,
      GITHUB_TOKEN: 'sample-world-token',
      GITHUB_API_URL: github.url,
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sample-world-key',
      OPENAI_MODEL: 'sample-scripted-model',
      SHIPMATE_CONFIG: teamPath,
      SHIPMATE_CONSOLE_USER: SAMPLE_USER,
    },
    async close() {
      await Promise.allSettled([kube.close(), github.close(), model.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
