/**
 * The interfaces tools depend on. src/clients/ implements them over the real SDKs; unit tests
 * implement them in memory. A port is optional where the bot runs without that integration
 * configured: a tool that needs a missing port throws AppError code `not_configured`.
 */

import type { ChangesPort } from './changes-port.ts';
import type { LogUrlPort } from './ci/log-port.ts';
import { AppError } from './errors.ts';
import { type GitHubPort, githubNotConfigured } from './github-port.ts';
import type { KubePort } from './kube-port.ts';
import type { RepoPort } from './repo-port.ts';
import type { TestsPort } from './tests-port.ts';

export type { ChangesPort } from './changes-port.ts';
export type { GitHubPort } from './github-port.ts';
export type { KubePort } from './kube-port.ts';
export type { RepoPort } from './repo-port.ts';

/** Everything a tool can reach. Each integration issue adds its port here. */
export interface Ports {
  /** Redacts secrets from text before it reaches Slack or the LLM. Always present. */
  redact: (text: string) => string;
  /** Read-only Kubernetes access (kubeconfig contexts or in-cluster); absent when no cluster is configured. */
  kube?: KubePort;
  /** GitHub Actions: runs, jobs, streamed logs, re-runs (tools/shared/github-port.ts); absent without GitHub credentials. */
  github?: GitHubPort;
  /** A repository's files and pull requests (tools/shared/repo-port.ts); absent without GitHub credentials. */
  repo?: RepoPort;
  /** Drafting tests: the model and the store of drafts (tools/shared/tests-port.ts); provided by the tests feature. */
  tests?: TestsPort;
  /** Deploy/rollback requests and status (tools/shared/changes-port.ts); absent without a service catalog. */
  changes?: ChangesPort;
  /** Raw logs by URL under the team's `ci.log_hosts` (tools/shared/ci/log-port.ts). */
  logs?: LogUrlPort;
}

/** Returns the port or throws a clear "not configured" error naming how to configure it. */
export function requirePort<T>(port: T | undefined, what: string, howToConfigure: string): T {
  if (port === undefined) {
    throw new AppError({
      code: 'not_configured',
      userMessage: `${what} is not configured. ${howToConfigure}`,
    });
  }
  return port;
}

/** The error for a port a tool or command needs but this deployment has not configured. */
export function portNotConfigured(port: Exclude<keyof Ports, 'redact'>): AppError {
  if (port === 'github' || port === 'repo') return githubNotConfigured();
  const how: Record<Exclude<typeof port, 'github' | 'repo'>, string> = {
    logs: 'Triage of log URLs is not available in this deployment.',
    tests: 'Drafting tests is not available in this deployment.',
    kube: 'Kubernetes is not configured. Set KUBECONFIG (or run in a cluster with a service account).',
    changes:
      'Deploys are not configured: the team file (SHIPMATE_CONFIG) lists no services. Add a `services:` section.',
  };
  return new AppError({ code: 'not_configured', userMessage: how[port] });
}
