/**
 * Every tool, by name, for tests and benches. The app does not use this file: each feature in
 * src/features/ lists the tools it brings, which is what the agent sees.
 */
import { clusterStatus } from './cluster-status.ts';
import { deployStatus } from './deploy-status.ts';
import { proposeDeploy } from './propose-deploy.ts';
import { proposeRollback } from './propose-rollback.ts';
import { recentCiFailures } from './recent-ci-failures.ts';
import type { Tool } from './shared/define-tool.ts';
import { triageBuild } from './triage-build.ts';
import { workloadDetails } from './workload-details.ts';

/** All tools, in the order a fully configured bot's agent sees them (kube, ci, deploys). */
export const ALL_TOOLS = [
  clusterStatus,
  workloadDetails,
  recentCiFailures,
  triageBuild,
  deployStatus,
  proposeDeploy,
  proposeRollback,
] as readonly Tool<unknown, unknown>[];

export {
  clusterStatus,
  deployStatus,
  proposeDeploy,
  proposeRollback,
  recentCiFailures,
  triageBuild,
  workloadDetails,
};
