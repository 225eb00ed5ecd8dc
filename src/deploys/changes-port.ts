import type { ChangesPort } from '../../tools/shared/changes-port.ts';
import { own } from '../../tools/shared/lookup.ts';
import type { AuditLog } from '../audit/audit.ts';
import { toAppError } from '../errors.ts';
import type { TeamConfig } from '../team-config.ts';
import { resolveTarget } from './catalog.ts';
import type { KubeDeployPort } from './kube-deploy-port.ts';
import type { RequestStore } from './requests.ts';
import { rolloutStatus } from './rollout.ts';
import type { DeployService } from './service.ts';

/**
 * The agent's view of deploys (tools/shared/changes-port.ts): propose (a pending request, nothing
 * changed) and status. Identity comes from the tool context, which src/ built from the Slack event.
 */
export function createChangesPort(o: {
  service: DeployService;
  team: TeamConfig;
  kube: KubeDeployPort;
  requests: RequestStore;
  audit: AuditLog;
}): ChangesPort {
  return {
    services: () => Object.keys(o.team.services),
    async propose(p, actor) {
      // Seeded by the turn and the arguments: a retried agent turn finds its request instead of
      // creating a second one.
      const { request } = await o.service.propose(p, {
        ...actor,
        invocationId: `${actor.traceId}-${JSON.stringify(p)}`,
      });
      const env = resolveTarget(o.team, request.service, request.environment).env;
      return {
        requestId: request.id,
        kind: request.kind,
        service: request.service,
        environment: request.environment,
        fromImage: request.fromImage,
        toImage: request.toImage,
        approvers: [...env.approvers],
        expiresAt: request.expiresAt,
        message: await o.service.messageFor(request),
      };
    },
    async status(serviceName, environment, signal) {
      const svc = own(o.team.services, serviceName);
      if (!svc) resolveTarget(o.team, serviceName, environment ?? '');
      const names = environment ? [environment] : Object.keys(svc?.environments ?? {});
      const environments = await Promise.all(
        names.map(async (name) => {
          try {
            const { env } = resolveTarget(o.team, serviceName, name);
            const d = await o.kube.getDeployment(
              { cluster: env.cluster, namespace: env.namespace, name: env.deployment },
              signal,
            );
            const c = d.containers.find((x) => x.name === env.container) ?? d.containers[0];
            const st = rolloutStatus(d);
            return {
              environment: name,
              image: c?.image,
              revision: d.revision,
              rollout: st.text,
              phase: st.phase,
              runningRequest: await o.requests.holder(serviceName, name),
            };
          } catch (e) {
            return { environment: name, error: toAppError(e).userMessage };
          }
        }),
      );
      const recent = (await o.audit.recent({ service: serviceName, environment }, 8)).map((e) => ({
        at: e.at,
        type: e.type,
        actor: e.actor,
        environment: e.environment,
        detail: e.detail,
        requestId: e.requestId,
      }));
      return { service: serviceName, environments, recent };
    },
  };
}
