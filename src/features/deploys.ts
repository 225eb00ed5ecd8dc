import { deployStatus } from '../../tools/deploy-status.ts';
import { proposeDeploy } from '../../tools/propose-deploy.ts';
import { proposeRollback } from '../../tools/propose-rollback.ts';
import { createChangesPort } from '../deploys/changes-port.ts';
import { createRequestStore } from '../deploys/requests.ts';
import { createDeployService } from '../deploys/service.ts';
import { deploysSection } from '../digests/sections/deploys.ts';
import { applyTimeoutMs, processApply, processExpiry, processPropose } from '../jobs/processors/change.ts';
import { handle } from '../jobs/spec.ts';
import { changeApplySpec, changeExpirySpec, changeProposeSpec } from '../jobs/specs/changes.ts';
import {
  createApproveCommand,
  createAuditCommand,
  createDeployCommand,
  createHistoryCommand,
  createNeedsServicesCommands,
  createRejectCommand,
  createRollbackCommand,
} from '../ops/commands/changes.ts';
import { defineFeature } from './feature.ts';

/**
 * Deploys and rollbacks (#5, #6): a preview with a dry run, a second person's approval, the rollout
 * watched to its end; the audit log. Without services in the team file only `/ops audit` remains.
 * Provides the `changes` port through which the agent proposes (never applies) a change.
 */
export const deploys = defineFeature({
  name: 'deploys',
  needs: ['config', 'log', 'redis', 'policy', 'audit', 'queue', 'messenger', 'kubeDeploy'],
  actions: ['change_approve', 'change_reject', 'change_rollback'],
  build: (d) => {
    const team = d.config.team;
    const requests = createRequestStore(d.redis, d.config.redis.prefix);
    const service = createDeployService({
      team,
      policy: d.policy,
      requests,
      audit: d.audit,
      kube: d.kubeDeploy,
      enqueue: d.queue.enqueue,
      messenger: d.messenger,
      approvalTtlMs: d.config.deploy.approvalTtlMs,
      log: d.log,
    });
    const rolloutTimeoutMs = d.config.deploy.rolloutTimeoutMs;
    const jobs = [
      handle(changeProposeSpec, (run) => processPropose(run, { deploys: service })),
      handle(changeExpirySpec, (run) => processExpiry(run, { deploys: service })),
      handle(
        changeApplySpec,
        (run) =>
          processApply(run, {
            deploys: service,
            requests,
            audit: d.audit,
            kube: d.kubeDeploy,
            rolloutTimeoutMs,
          }),
        { timeoutMs: applyTimeoutMs(rolloutTimeoutMs) },
      ),
    ];
    const c = { deploys: service, enqueue: d.queue.enqueue, audit: d.audit, team };
    const digestSections = [
      deploysSection({ audit: d.audit, requests, approvalTtlMs: d.config.deploy.approvalTtlMs }),
    ];
    if (Object.keys(team.services).length === 0)
      return {
        commands: [
          createAuditCommand(c),
          ...createNeedsServicesCommands(d.config.teamConfigPath, d.config.teamConfigFound),
        ],
        jobs,
        digestSections,
      };
    return {
      tools: [deployStatus, proposeDeploy, proposeRollback] as never[],
      commands: [
        createDeployCommand(c),
        createRollbackCommand(c),
        createApproveCommand(c),
        createRejectCommand(c),
        createHistoryCommand(c),
        createAuditCommand(c),
      ],
      jobs,
      digestSections,
      provides: {
        changes: createChangesPort({ service, team, kube: d.kubeDeploy, requests, audit: d.audit }),
      },
    };
  },
});
