import { context, escapeMrkdwn, section } from '../../../tools/shared/block-kit.ts';
import type { AuditLog, AuditType, StoredAuditEntry } from '../../audit/audit.ts';
import { changeJobId, type DeployService, type ProposalInput } from '../../deploys/service.ts';
import { AppError } from '../../errors.ts';
import { type Enqueue, safeJobId } from '../../jobs/enqueue.ts';
import { changeProposeSpec } from '../../jobs/specs/changes.ts';
import type { TeamConfig } from '../../team-config.ts';
import { ephemeral, type OpsCommand, usageError } from '../command.ts';

export interface ChangeCommandDeps {
  deploys: DeployService;
  enqueue: Enqueue;
  audit: AuditLog;
  team: TeamConfig;
}

const REQUEST_ID = /^req-[A-Za-z0-9]{4,16}$/;

async function queueProposal(
  d: ChangeCommandDeps,
  input: ProposalInput,
  ctx: Parameters<OpsCommand['run']>[1],
) {
  // Authorize now, before anything is queued: a refusal says who can, and nothing happens.
  await d.deploys.authorize(input, ctx.requester.userId);
  const r = await d.enqueue({
    spec: changeProposeSpec,
    payload: { input, invocationId: ctx.invocationId },
    jobId: safeJobId('propose', ctx.invocationId),
    requestedBy: ctx.requester.userId,
    target: ctx.target,
    traceId: ctx.traceId,
    title: `${input.kind === 'deploy' ? 'Deploy' : 'Rollback'} of ${input.service} to ${input.environment}: preview`,
  });
  return {
    message: { text: r.created ? '' : `Already preparing as job ${r.jobId}.` },
    visibility: 'ephemeral' as const,
    jobIds: [r.jobId],
  };
}

export function createDeployCommand(d: ChangeCommandDeps): OpsCommand {
  const cmd: OpsCommand = {
    name: 'deploy',
    usage: '/ops deploy <service> <version|image> to <environment>',
    summary: 'preview a deploy (dry run), then deploy once a permitted person approves; watched to the end',
    keywords: ['deploy', 'release', 'ship', 'rollout'],
    async run(argv, ctx) {
      const example = `/ops deploy ${Object.keys(d.team.services)[0] ?? 'checkout'} 1.5.0 to prod`;
      const [service, version, to, environment, ...extra] = argv;
      if (!service || !version || to?.toLowerCase() !== 'to' || !environment || extra.length) {
        throw usageError(cmd, 'Say which service, which version and where.', example);
      }
      return queueProposal(d, { kind: 'deploy', service, version, environment }, ctx);
    },
  };
  return cmd;
}

export function createRollbackCommand(d: ChangeCommandDeps): OpsCommand {
  const cmd: OpsCommand = {
    name: 'rollback',
    usage: '/ops rollback <service> <environment> [to <revision>]',
    summary: 'back to the previous (or a named) revision, with the same approvals and watch as a deploy',
    keywords: ['rollback', 'revert', 'undo'],
    async run(argv, ctx) {
      const [service, environment, to, rev, ...extra] = argv;
      const example = `/ops rollback ${Object.keys(d.team.services)[0] ?? 'checkout'} prod`;
      if (
        !service ||
        !environment ||
        extra.length ||
        (to !== undefined && (to.toLowerCase() !== 'to' || !rev))
      ) {
        throw usageError(cmd, 'Say which service and environment (and optionally `to <revision>`).', example);
      }
      let revision: number | undefined;
      if (rev !== undefined) {
        // Deployment revisions are int64 in Kubernetes; past 2^31 is no revision anyone has.
        if (!/^\d{1,10}$/.test(rev) || Number(rev) < 1 || Number(rev) > 2 ** 31 - 1)
          throw usageError(
            cmd,
            `Revision must be a whole number from 1 to ${2 ** 31 - 1}, not \`${rev}\`.`,
            `${example} to 6`,
          );
        revision = Number(rev);
      }
      return queueProposal(d, { kind: 'rollback', service, environment, revision }, ctx);
    },
  };
  return cmd;
}

function decisionCommand(d: ChangeCommandDeps, name: 'approve' | 'reject'): OpsCommand {
  const cmd: OpsCommand = {
    name,
    usage: `/ops ${name} <request-id>`,
    summary:
      name === 'approve'
        ? 'approve a deploy or rollback request (someone other than the requester)'
        : 'reject or withdraw a pending request',
    keywords: [name],
    async run(argv, ctx) {
      const [id, ...extra] = argv;
      if (!id || extra.length || !REQUEST_ID.test(id))
        throw usageError(cmd, 'Give the request id shown on the request.', `/ops ${name} req-3f9a2c10`);
      const where =
        ctx.target.kind === 'slack'
          ? { channel: ctx.target.channel, threadTs: ctx.target.threadTs }
          : undefined;
      if (name === 'reject') return ephemeral(await d.deploys.reject(id, ctx.requester.userId, ctx.traceId));
      const text = await d.deploys.approve(id, ctx.requester.userId, ctx.traceId, where);
      // The change job it started: a console waits for it before it exits (and, piped, before the next line).
      return { ...ephemeral(text), jobIds: [changeJobId(id)] };
    },
  };
  return cmd;
}

export const createApproveCommand = (d: ChangeCommandDeps) => decisionCommand(d, 'approve');
export const createRejectCommand = (d: ChangeCommandDeps) => decisionCommand(d, 'reject');

const ICON: Record<AuditType, string> = {
  requested: '📝',
  approved: '✅',
  rejected: '✖️',
  expired: '⌛',
  started: '▶️',
  succeeded: '🟢',
  failed: '🔴',
  rerun: '🔁',
};

function renderEntries(title: string, entries: StoredAuditEntry[], empty: string) {
  if (!entries.length) return ephemeral(empty);
  const lines = entries.map(
    (e) =>
      `${ICON[e.type] ?? '•'} ${e.at.slice(0, 16).replace('T', ' ')}Z *${e.type}* ${e.kind ?? ''} ${e.service ? `${escapeMrkdwn(e.service)} ${escapeMrkdwn(e.environment ?? '')}` : ''} by <@${e.actor}>${e.detail ? ` — ${escapeMrkdwn(e.detail)}` : ''}${e.requestId ? ` (\`${e.requestId}\`)` : ''}`,
  );
  return ephemeral(`${title}\n${lines.join('\n')}`, [
    section(`*${title}*`),
    section(lines.join('\n')),
    context(`${entries.length} most recent, newest first`),
  ]);
}

export function createHistoryCommand(d: ChangeCommandDeps): OpsCommand {
  const cmd: OpsCommand = {
    name: 'history',
    usage: '/ops history <service> [environment]',
    summary: 'recent deploys and rollbacks of a service, from the audit log',
    keywords: ['history', 'deploys', 'released'],
    async run(argv) {
      const [service, environment, ...extra] = argv;
      if (!service || extra.length) throw usageError(cmd, 'Which service?', '/ops history checkout prod');
      const entries = await d.audit.recent(
        { service, environment, types: ['started', 'succeeded', 'failed'] },
        15,
      );
      return renderEntries(
        `Deploy history of ${service}${environment ? ` ${environment}` : ''}`,
        entries,
        `No deploys or rollbacks of ${service}${environment ? ` ${environment}` : ''} recorded yet.`,
      );
    },
  };
  return cmd;
}

export function createAuditCommand(d: ChangeCommandDeps): OpsCommand {
  const cmd: OpsCommand = {
    name: 'audit',
    usage: '/ops audit [service]',
    summary: 'the audit log: every request, approval, rejection, expiry, start, success and failure',
    keywords: ['audit', 'who'],
    async run(argv) {
      const [service, ...extra] = argv;
      if (extra.length) throw usageError(cmd, 'At most one service.', '/ops audit checkout');
      const entries = await d.audit.recent({ service }, 20);
      return renderEntries(
        `Audit log${service ? ` of ${service}` : ''}`,
        entries,
        `Nothing in the audit log${service ? ` for ${service}` : ''} yet.`,
      );
    },
  };
  return cmd;
}

/**
 * Without `services:` in the team file there is nothing to deploy: these stand in for deploy,
 * rollback, approve, reject and history (hidden from help) and say what to add, instead of
 * "Unknown subcommand" for commands the README documents.
 */
export function createNeedsServicesCommands(teamConfigPath: string, found: boolean): OpsCommand[] {
  const where = found ? `${teamConfigPath} lists none` : `there is no team file at ${teamConfigPath}`;
  return (['deploy', 'rollback', 'approve', 'reject', 'history'] as const).map((name) => ({
    name,
    usage: `/ops ${name}`,
    summary: 'needs services in the team file',
    hidden: true,
    async run() {
      throw new AppError({
        code: 'not_configured',
        userMessage: `\`/ops ${name}\` works on the services of the team file, and ${where}. Add a \`services:\` section (each with its environments, namespace, deployment and deployers — see shipmate.example.yml), or set SHIPMATE_CONFIG to your team file.`,
      });
    },
  }));
}
