import type { App } from '@slack/bolt';
import type { Queue } from 'bullmq';
import {
  actions,
  button,
  context,
  divider,
  escapeMrkdwn,
  header,
  section,
  truncate,
} from '../../tools/shared/block-kit.ts';
import type { KubePort } from '../../tools/shared/kube-port.ts';
import type { Block } from '../../tools/shared/message.ts';
import type { AuditEntry, AuditLog } from '../audit/audit.ts';
import type { Config } from '../config.ts';
import type { ChangeRequest, RequestStore } from '../deploys/requests.ts';
import { formatWhen } from '../digests/render.ts';
import type { JobEnvelope } from '../jobs/queues.ts';
import type { Logger } from '../log.ts';
import { nextRun } from '../ops/commands/digest.ts';
import type { Policy } from '../policy/policy.ts';

export interface HomeDeps {
  config: Config;
  policy: Policy;
  audit: AuditLog;
  requests: RequestStore;
  queue: Queue;
  kube: KubePort | undefined;
  log: Logger;
}

/** What the App Home shows, at most: Slack allows 100 blocks in a Home view. */
const MAX = { approvals: 5, running: 5, finished: 5, deploys: 5, digests: 5 };

const line = (items: readonly string[], empty: string): Block =>
  section(items.length ? items.join('\n') : `_${empty}_`);

/** The person's pending approvals: requests they may approve, with Approve and Reject. */
async function approvals(d: HomeDeps, userId: string, now: number): Promise<Block[]> {
  const asked = await d.audit.recent({ types: ['requested'] }, 30);
  const seen = new Set<string>();
  const out: Block[] = [];
  for (const e of asked) {
    if (!e.requestId || seen.has(e.requestId) || out.length >= MAX.approvals * 2) continue;
    seen.add(e.requestId);
    const r = await d.requests.get(e.requestId);
    if (r?.state !== 'pending' || r.expiresAt <= now) continue;
    const env = d.config.team.services[r.service]?.environments[r.environment];
    if (!env || !(await d.policy.canApprove(userId, env, r.requestedBy)).ok) continue;
    out.push(section(describe(r)), actions(approvalButtons(r), `home-${r.id}`));
  }
  return out.length ? out : [line([], 'Nothing waits for your approval.')];
}

function describe(r: ChangeRequest): string {
  const to =
    r.kind === 'rollback' && r.toRevision ? `revision ${r.toRevision}` : `\`${escapeMrkdwn(r.toImage)}\``;
  return `*${r.kind}* ${escapeMrkdwn(r.service)} → ${escapeMrkdwn(r.environment)}: \`${escapeMrkdwn(r.fromImage)}\` → ${to}, asked by <@${r.requestedBy}> (\`${r.id}\`)`;
}

const approvalButtons = (r: ChangeRequest) => [
  button('change_approve', 'Approve', `/ops approve ${r.id}`, 'primary'),
  button('change_reject', 'Reject', `/ops reject ${r.id}`, 'danger'),
];

/** The person's running and queued jobs (with Cancel), then their recent finished ones. */
async function jobs(d: HomeDeps, userId: string): Promise<Block[]> {
  const mine = (j: { data?: unknown }) => (j.data as JobEnvelope | undefined)?.requestedBy === userId;
  const running = (await d.queue.getJobs(['active', 'waiting', 'delayed', 'prioritized'], 0, 200)).filter(
    mine,
  );
  const finished = (await d.queue.getJobs(['completed', 'failed'], 0, 200))
    .filter(mine)
    .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
  const out: Block[] = [];
  for (const j of running.slice(0, MAX.running)) {
    const env = j.data as JobEnvelope;
    const text = `:hourglass_flowing_sand: ${escapeMrkdwn(truncate(env.title, 120))} (\`${j.id}\`)`;
    out.push(section(text));
    if (env.cancellable !== false)
      out.push(actions([button('job_cancel', 'Cancel', `/ops cancel ${j.id}`, 'danger')]));
  }
  if (!running.length) out.push(line([], 'No jobs of yours are running.'));
  const done = finished.slice(0, MAX.finished).map((j) => {
    const env = j.data as JobEnvelope;
    const icon = j.failedReason ? ':x:' : ':white_check_mark:';
    const when = j.finishedOn
      ? ` — <!date^${Math.floor(j.finishedOn / 1000)}^{date_short_pretty} {time}|${new Date(j.finishedOn).toISOString()}>`
      : '';
    return `${icon} ${escapeMrkdwn(truncate(env.title, 120))} (\`${j.id}\`)${when}`;
  });
  if (done.length) out.push(context(done.join('\n')));
  return out;
}

/** Recent deploys and rollbacks of the services the person may deploy (any environment). */
async function deploys(d: HomeDeps, userId: string): Promise<Block[]> {
  const services = d.config.team.services;
  const mayDeploy = new Map<string, boolean>();
  const entries = await d.audit.recent({ types: ['succeeded', 'failed'] }, 50);
  const items: string[] = [];
  for (const e of entries) {
    if (items.length >= MAX.deploys || !e.service || (e.kind !== 'deploy' && e.kind !== 'rollback')) continue;
    if (!mayDeploy.has(e.service)) {
      const envs = Object.values(services[e.service]?.environments ?? {});
      let ok = await d.policy.isAdmin(userId);
      for (const env of envs) ok ||= await d.policy.canDeploy(userId, env);
      mayDeploy.set(e.service, ok);
    }
    if (!mayDeploy.get(e.service)) continue;
    const icon = e.type === 'succeeded' ? ':white_check_mark:' : ':x:';
    items.push(
      `${icon} ${e.kind} ${escapeMrkdwn(e.service)} → ${escapeMrkdwn(e.environment ?? '?')}${e.detail ? `: ${escapeMrkdwn(truncate(e.detail, 120))}` : ''} — <@${e.actor}>, ${e.at.slice(0, 16).replace('T', ' ')} UTC`,
    );
  }
  return [line(items, 'No recent deploys of services you may deploy.')];
}

function digests(d: HomeDeps, now: Date): Block[] {
  const items = d.config.team.digests.slice(0, MAX.digests).map((g) => {
    const next = nextRun(g, now);
    return `*${escapeMrkdwn(g.id)}* in <#${g.channel}>: ${next ? formatWhen(next, g.timezone) : 'no next run'} (${escapeMrkdwn(g.sections.join(', '))})`;
  });
  return [line(items, 'No digests are configured (the team file’s `digests:`).')];
}

async function integrations(d: HomeDeps): Promise<Block[]> {
  const c = d.config;
  let kube: string;
  try {
    const contexts = d.kube ? await d.kube.listContexts() : [];
    kube = contexts.length
      ? `:white_check_mark: Kubernetes: ${contexts.map((x) => `\`${escapeMrkdwn(x.name)}\``).join(', ')}`
      : ':warning: Kubernetes: no contexts — set `KUBECONFIG`, or run in a cluster with a service account';
  } catch (e) {
    kube = `:warning: Kubernetes: ${escapeMrkdwn(truncate((e as { userMessage?: string }).userMessage ?? String(e), 200))}`;
  }
  const github = c.github.token
    ? ':white_check_mark: GitHub: token'
    : c.github.appId
      ? `:white_check_mark: GitHub: App ${escapeMrkdwn(c.github.appId)}`
      : ':warning: GitHub: not configured — set `GITHUB_TOKEN` or a GitHub App for CI triage';
  const webhook = c.github.webhookSecret
    ? ''
    : ' (no `GITHUB_WEBHOOK_SECRET`: failed runs are not triaged automatically)';
  const llm = c.llm
    ? `:white_check_mark: LLM: \`${escapeMrkdwn(c.llm.model)}\``
    : ':warning: LLM: not configured — set `OPENAI_API_KEY` or `OPENAI_BASE_URL` for answers in your own words';
  return [section([kube, `${github}${c.github.token || c.github.appId ? webhook : ''}`, llm].join('\n'))];
}

/**
 * The App Home of `userId`: pending approvals they may give (Approve/Reject), their jobs (Cancel),
 * recent deploys of services they may deploy, the next digests and which integrations are set up.
 * Buttons carry the same `/ops` commands as everywhere, so a click is checked like a typed command.
 */
export async function buildHome(
  d: HomeDeps,
  userId: string,
  now = new Date(),
): Promise<{ type: 'home'; blocks: Block[] }> {
  const [a, j, dep, integ] = await Promise.all([
    approvals(d, userId, now.getTime()),
    jobs(d, userId),
    deploys(d, userId),
    integrations(d),
  ]);
  const blocks = [
    header('Shipmate'),
    section('*Waiting for your approval*'),
    ...a,
    divider(),
    section('*Your jobs*'),
    ...j,
    divider(),
    section('*Recent deploys*'),
    ...dep,
    divider(),
    section('*Next digests*'),
    ...digests(d, now),
    divider(),
    section('*Integrations*'),
    ...integ,
    context(
      `Updated ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC — type \`/ops help\` for every command.`,
    ),
  ];
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

/** The one Web API method the Home needs. */
export interface ViewsClient {
  views: { publish(args: { user_id: string; view: { type: 'home'; blocks: Block[] } }): Promise<unknown> };
}

/** Publishes `userId`'s Home tab; failures are logged (a Home tab is never worth an error to the user). */
export async function publishHome(client: ViewsClient, d: HomeDeps, userId: string): Promise<void> {
  try {
    await client.views.publish({ user_id: userId, view: await buildHome(d, userId) });
  } catch (err) {
    d.log.warn({ err, userId }, 'could not publish the App Home');
  }
}

/**
 * When a change request is created or decided, the Homes of the people who can act on it are out
 * of date: its approvers (or, without approvers, its deployers), the admins and its requester. Slack
 * user ids only — a user group's members are not listed here; they see it when they next open it.
 */
export function homeRefresher(d: HomeDeps, publish: (userId: string) => Promise<void>) {
  return async (e: AuditEntry): Promise<void> => {
    if (!['requested', 'approved', 'rejected', 'expired'].includes(e.type) || !e.service || !e.environment)
      return;
    const env = d.config.team.services[e.service]?.environments[e.environment];
    if (!env) return;
    const requester = e.requestId ? (await d.requests.get(e.requestId))?.requestedBy : undefined;
    const people = new Set(
      [
        ...(env.approvers.length ? env.approvers : env.deployers),
        ...d.config.team.admins,
        e.actor,
        requester ?? '',
      ].filter((u) => /^[UW][A-Z0-9]+$/.test(u)),
    );
    await Promise.all([...people].map((u) => publish(u)));
  };
}

/** `app_home_opened` (Home tab) → views.publish of that person's Home. */
export function registerHome(app: App, d: HomeDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, d, event.user);
  });
}
