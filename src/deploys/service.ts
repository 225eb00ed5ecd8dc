import type { ChangeProposal } from '../../tools/shared/changes-port.ts';
import type { Message } from '../../tools/shared/message.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { ReplyTarget } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Enqueue, safeJobId } from '../jobs/enqueue.ts';
import type { Messenger } from '../jobs/messenger.ts';
import { changeApplySpec, changeExpirySpec } from '../jobs/specs/changes.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy/policy.ts';
import { mentionAll } from '../policy/policy.ts';
import type { TeamConfig } from '../team-config.ts';
import { resolveImage, resolveTarget, type Target } from './catalog.ts';
import type { DeploymentRef, KubeDeployPort } from './kube-deploy-port.ts';
import { requestMessage } from './messages.ts';
import type { ChangeRequest, RequestStore } from './requests.ts';

/** A deploy or rollback as asked for; the same shape the agent's tools propose. */
export type ProposalInput = ChangeProposal;

/** The one job that applies an approved request (queued under this fixed id: queueing again is a no-op). */
export const changeJobId = (requestId: string) => safeJobId('change', requestId);

export interface Actor {
  userId: string;
  traceId: string;
  /** Seeds a deterministic request id (a repeated command creates no second request). */
  invocationId?: string;
}

export interface DeployService {
  /** Checks the requester may ask for a change there (fast: no cluster call). */
  authorize(input: ProposalInput, userId: string): Promise<Target>;
  /** Reads the Deployment, dry-runs the change, stores a pending request and schedules its expiry. */
  propose(input: ProposalInput, actor: Actor): Promise<{ request: ChangeRequest; message: Message }>;
  /** Records where the request message is, so decisions can edit it. */
  attachMessage(id: string, where: { channel?: string; ts?: string }): Promise<void>;
  /**
   * `where`: the channel and thread the click came from. A request the agent proposed has no message
   * of its own (its buttons sit in the agent's answer), so the deploy reports in that thread.
   */
  approve(
    id: string,
    userId: string,
    traceId: string,
    where?: { channel?: string; threadTs?: string },
  ): Promise<string>;
  reject(id: string, userId: string, traceId: string): Promise<string>;
  /** Marks a pending request expired (the expiry job); false when it was decided in time. */
  expire(id: string): Promise<boolean>;
  get(id: string): Promise<ChangeRequest | undefined>;
  messageFor(r: ChangeRequest, note?: string): Promise<Message>;
  refOf(r: Pick<ChangeRequest, 'cluster' | 'namespace' | 'deployment'>): DeploymentRef;
}

export interface DeployServiceDeps {
  team: TeamConfig;
  policy: Policy;
  requests: RequestStore;
  audit: AuditLog;
  kube: KubeDeployPort;
  /** Queues the apply job of an approved request and the delayed expiry of a pending one. */
  enqueue: Enqueue;
  messenger: Messenger;
  approvalTtlMs: number;
  log: Logger;
}

export function createDeployService(d: DeployServiceDeps): DeployService {
  const refOf = (r: Pick<ChangeRequest, 'cluster' | 'namespace' | 'deployment'>): DeploymentRef => ({
    cluster: r.cluster,
    namespace: r.namespace,
    name: r.deployment,
  });
  const envOf = (r: Pick<ChangeRequest, 'service' | 'environment'>) =>
    resolveTarget(d.team, r.service, r.environment).env;

  const messageFor = async (r: ChangeRequest, note?: string) => {
    const holder = r.state === 'pending' ? await d.requests.holder(r.service, r.environment) : undefined;
    return requestMessage(r, {
      approvers: envOf(r).approvers,
      note,
      busyWith:
        holder && holder !== r.id
          ? `Change \`${holder}\` to ${r.service} ${r.environment} is running`
          : undefined,
    });
  };

  /** Re-renders the request message where it was posted (best effort: the decision stands regardless). */
  const refresh = async (r: ChangeRequest) => {
    if (!r.channel || !r.messageTs) return;
    const target: ReplyTarget =
      r.channel === 'CONSOLE' ? { kind: 'console' } : { kind: 'slack', channel: r.channel };
    await d.messenger
      .update(target, { channel: r.channel, ts: r.messageTs }, await messageFor(r), true)
      .catch((err) => d.log.warn({ err, requestId: r.id }, 'could not update the request message'));
  };

  const service: DeployService = {
    refOf,
    messageFor,
    get: (id) => d.requests.get(id),

    async authorize(input, userId) {
      const target = resolveTarget(d.team, input.service, input.environment);
      if (!(await d.policy.canDeploy(userId, target.env))) {
        const allowed = [...target.env.deployers, ...d.team.admins];
        throw new AppError({
          code: 'forbidden',
          userMessage: `You can't ${input.kind} ${input.service} in ${input.environment}. ${allowed.length ? `Ask ${mentionAll(allowed)}.` : 'Nobody is listed as a deployer there; an admin must add you under deployers in the team file.'}`,
        });
      }
      return target;
    },

    async propose(input, actor) {
      const target = await service.authorize(input, actor.userId);
      const env = target.env;
      const ref: DeploymentRef = { cluster: env.cluster, namespace: env.namespace, name: env.deployment };
      const current = await d.kube.getDeployment(ref);
      const containerName =
        env.container ??
        (current.containers.length === 1
          ? current.containers[0]?.name
          : (() => {
              throw new AppError({
                code: 'ambiguous_container',
                userMessage: `Deployment ${env.namespace}/${env.deployment} has containers ${current.containers.map((c) => c.name).join(', ')}; set \`container:\` for ${input.service} ${input.environment} in the team file.`,
              });
            })());
      const container = current.containers.find((c) => c.name === containerName);
      if (!container) {
        throw new AppError({
          code: 'unknown_container',
          userMessage: `Deployment ${env.namespace}/${env.deployment} has no container \`${containerName}\` (it has ${current.containers.map((c) => c.name).join(', ')}). Fix \`container:\` in the team file.`,
        });
      }
      let toImage: string;
      let toRevision: number | undefined;
      if (input.kind === 'deploy') {
        toImage = resolveImage(input.version, container.image);
        if (toImage === container.image) {
          throw new AppError({
            code: 'no_change',
            userMessage: `${input.service} ${input.environment} already runs \`${toImage}\`.`,
          });
        }
        await d.kube.setImage(ref, container.name, toImage, { dryRun: true });
      } else {
        const revisions = await d.kube.listRevisions(ref);
        const older = revisions.filter((r) => r.revision !== current.revision);
        const chosen =
          input.revision === undefined ? older[0] : revisions.find((r) => r.revision === input.revision);
        if (!chosen) {
          throw new AppError({
            code: 'unknown_revision',
            userMessage:
              input.revision === undefined
                ? `${input.service} ${input.environment} has no earlier revision to roll back to.`
                : `No revision ${input.revision} of ${input.service} ${input.environment}; available: ${revisions.map((r) => r.revision).join(', ') || 'none'}.`,
          });
        }
        if (chosen.revision === current.revision) {
          throw new AppError({
            code: 'no_change',
            userMessage: `Revision ${chosen.revision} is already the current one.`,
          });
        }
        toRevision = chosen.revision;
        toImage = chosen.images.find((i) => i.container === container.name)?.image ?? container.image;
        await d.kube.rollbackTo(ref, chosen.revision, { dryRun: true });
      }
      const now = Date.now();
      const request: ChangeRequest = {
        id: d.requests.newId(actor.invocationId),
        kind: input.kind,
        service: input.service,
        environment: input.environment,
        cluster: env.cluster,
        namespace: env.namespace,
        deployment: env.deployment,
        container: container.name,
        fromImage: container.image,
        toImage,
        fromRevision: current.revision,
        toRevision,
        replicas: current.replicas,
        requestedBy: actor.userId,
        createdAt: now,
        expiresAt: now + d.approvalTtlMs,
        state: 'pending',
        traceId: actor.traceId,
      };
      const existing = await d.requests.get(request.id);
      // The same invocation again (a retried job): the same request. But a button clicked again
      // after its earlier request was decided or expired asks for a new one.
      if (existing?.state === 'pending') return { request: existing, message: await messageFor(existing) };
      if (existing) request.id = d.requests.newId();
      await d.requests.create(request);
      await d.audit.record({
        type: 'requested',
        kind: request.kind,
        actor: actor.userId,
        service: request.service,
        environment: request.environment,
        requestId: request.id,
        detail: `${request.fromImage} → ${request.toImage}`,
        traceId: actor.traceId,
      });
      await d.enqueue({
        spec: changeExpirySpec,
        payload: { requestId: request.id },
        jobId: safeJobId('expire', request.id),
        requestedBy: actor.userId,
        target: { kind: 'console' },
        traceId: actor.traceId,
        title: `Expiry of ${request.id}`,
        delayMs: d.approvalTtlMs,
      });
      return { request, message: await messageFor(request) };
    },

    async attachMessage(id, where) {
      if (where.channel && where.ts)
        await d.requests.update(id, { channel: where.channel, messageTs: where.ts });
    },

    async approve(id, userId, traceId, where) {
      const r = await d.requests.get(id);
      if (!r) throw new AppError({ code: 'not_found', userMessage: `No change request \`${id}\`.` });
      const verdict = await d.policy.canApprove(userId, envOf(r), r.requestedBy);
      if (!verdict.ok) throw new AppError({ code: 'forbidden', userMessage: verdict.why });
      if (r.state === 'pending' && Date.now() > r.expiresAt) await service.expire(id);
      const t = await d.requests.transition(id, ['pending'], 'approved', { decidedBy: userId });
      const target: ReplyTarget =
        r.channel && r.channel !== 'CONSOLE'
          ? { kind: 'slack', channel: r.channel, threadTs: r.messageTs }
          : where?.channel && where.channel !== 'CONSOLE'
            ? { kind: 'slack', channel: where.channel, threadTs: where.threadTs }
            : { kind: 'console' };
      // Queued under a fixed id: queueing again is a no-op, so an approval whose queueing failed
      // (Redis briefly away) is started by the next click instead of being stuck as "approved".
      const start = () =>
        d.enqueue({
          spec: changeApplySpec,
          payload: { requestId: id },
          jobId: changeJobId(id),
          requestedBy: r.requestedBy,
          target,
          traceId: r.traceId,
          title: `${r.kind === 'deploy' ? 'Deploy' : 'Rollback'} of ${r.service} to ${r.environment}`,
        });
      if (!t.ok) {
        const again = await d.requests.get(id);
        if (t.state === 'approved') {
          await start();
          return again?.decidedBy === userId
            ? `You already approved \`${id}\`; it is starting.`
            : `\`${id}\` was already approved by <@${again?.decidedBy}>; it is starting.`;
        }
        if (
          again?.decidedBy === userId &&
          (t.state === 'running' || t.state === 'succeeded' || t.state === 'failed')
        ) {
          return `You already approved \`${id}\`; it is ${t.state}.`;
        }
        throw new AppError({
          code: 'already_decided',
          userMessage: `Request \`${id}\` is ${t.state}${again?.decidedBy ? ` (by <@${again.decidedBy}>)` : ''}; nothing to approve.`,
        });
      }
      await d.audit.record({
        type: 'approved',
        kind: r.kind,
        actor: userId,
        service: r.service,
        environment: r.environment,
        requestId: id,
        detail: `${r.fromImage} → ${r.toImage}`,
        traceId,
      });
      await start();
      await refresh({ ...r, state: 'approved', decidedBy: userId });
      const thread = r.messageTs && r.channel !== 'CONSOLE';
      return `Approved \`${id}\`; the ${r.kind} has started${thread ? ' — progress in the thread' : ''}.`;
    },

    async reject(id, userId, traceId) {
      const r = await d.requests.get(id);
      if (!r) throw new AppError({ code: 'not_found', userMessage: `No change request \`${id}\`.` });
      const env = envOf(r);
      const allowed =
        userId === r.requestedBy ||
        (await d.policy.includes(env.approvers, userId)) ||
        (await d.policy.includes(env.deployers, userId)) ||
        (await d.policy.isAdmin(userId));
      if (!allowed) {
        throw new AppError({
          code: 'forbidden',
          userMessage: `Only the requester, ${mentionAll([...env.approvers, ...env.deployers]) || 'the deployers'} or an admin can reject this.`,
        });
      }
      const t = await d.requests.transition(id, ['pending'], 'rejected', { decidedBy: userId });
      if (!t.ok)
        throw new AppError({
          code: 'already_decided',
          userMessage: `Request \`${id}\` is ${t.state}; it can no longer be rejected.`,
        });
      await d.audit.record({
        type: 'rejected',
        kind: r.kind,
        actor: userId,
        service: r.service,
        environment: r.environment,
        requestId: id,
        traceId,
      });
      await refresh({ ...r, state: 'rejected', decidedBy: userId });
      return userId === r.requestedBy
        ? `Withdrew \`${id}\`; nothing was changed.`
        : `Rejected \`${id}\`; nothing was changed.`;
    },

    async expire(id) {
      const t = await d.requests.transition(id, ['pending'], 'expired');
      if (!t.ok) return false;
      const r = await d.requests.get(id);
      if (!r) return false;
      await d.audit.record({
        type: 'expired',
        kind: r.kind,
        actor: 'shipmate',
        service: r.service,
        environment: r.environment,
        requestId: id,
        traceId: r.traceId,
      });
      await refresh(r);
      return true;
    },
  };
  return service;
}
