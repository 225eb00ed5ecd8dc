import { clusterStatus } from './cluster-status.ts';
import { deployStatus } from './deploy-status.ts';
import { proposeDeploy } from './propose-deploy.ts';
import { proposeRollback } from './propose-rollback.ts';
import { recentCiFailures } from './recent-ci-failures.ts';
import type { Tool } from './shared/define-tool.ts';
import { triageBuild } from './triage-build.ts';
import { workloadDetails } from './workload-details.ts';

/**
 * Every tool the agent may call, in the order it sees them. Adding a capability: one file in tools/,
 * one line here. `/ops` commands and buttons reach the same tool values through src/ops/.
 */
export const ALL_TOOLS: readonly Tool<unknown, unknown>[] = [
  clusterStatus as Tool<unknown, unknown>,
  workloadDetails as Tool<unknown, unknown>,
  recentCiFailures as Tool<unknown, unknown>,
  triageBuild as Tool<unknown, unknown>,
  deployStatus as Tool<unknown, unknown>,
  proposeDeploy as Tool<unknown, unknown>,
  proposeRollback as Tool<unknown, unknown>,
];

/** Tools that need the service catalog (the team file's `services`); left out without one. */
export const CATALOG_TOOLS: readonly string[] = [deployStatus.name, proposeDeploy.name, proposeRollback.name];

export {
  clusterStatus,
  deployStatus,
  proposeDeploy,
  proposeRollback,
  recentCiFailures,
  triageBuild,
  workloadDetails,
};
