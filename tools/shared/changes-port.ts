import type { Message } from './message.ts';

/**
 * Deploys and rollbacks as the agent may touch them: it can only create a request that a permitted
 * person approves with a button, and read where things stand. Implemented in src/deploy/.
 */
export type ChangeProposal =
  | { kind: 'deploy'; service: string; environment: string; version: string }
  | { kind: 'rollback'; service: string; environment: string; revision?: number };

export interface ProposedChange {
  requestId: string;
  kind: 'deploy' | 'rollback';
  service: string;
  environment: string;
  fromImage: string;
  toImage: string;
  /** Slack ids who may approve (empty: the requester confirms). */
  approvers: string[];
  expiresAt: number;
  /** The request message with its Approve/Reject buttons. */
  message: Message;
}

export interface EnvironmentStatus {
  environment: string;
  image?: string;
  revision?: number;
  /** kubectl rollout status wording, with counts. */
  rollout?: string;
  phase?: 'progressing' | 'complete' | 'failed';
  /** A change holding the environment's lock right now. */
  runningRequest?: string;
  error?: string;
}

export interface ServiceStatus {
  service: string;
  environments: EnvironmentStatus[];
  recent: Array<{
    at: string;
    type: string;
    actor: string;
    environment?: string;
    detail?: string;
    requestId?: string;
  }>;
}

export interface ChangesPort {
  /** Dry-runs and stores a pending request for `userId` (who must be allowed to request it). Changes nothing. */
  propose(p: ChangeProposal, actor: { userId: string; traceId: string }): Promise<ProposedChange>;
  status(service: string, environment?: string, signal?: AbortSignal): Promise<ServiceStatus>;
  /** Service names in the catalog, for the model's benefit. */
  services(): string[];
}
