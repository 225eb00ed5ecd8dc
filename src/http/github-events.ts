import type { Logger } from '../log.ts';

/** A GitHub webhook delivery whose signature was checked (GITHUB_WEBHOOK_SECRET), its JSON parsed. */
export interface GitHubDelivery {
  /** `x-github-event`, e.g. `workflow_run`. */
  event: string;
  deliveryId: string | undefined;
  payload: unknown;
  /** A child of the app's logger for this delivery. */
  log: Logger;
}

/** What a listener did with a delivery, for the answer GitHub records (its delivery log). */
export interface GitHubDeliveryResult {
  jobId: string;
  /** A job was queued (false: it existed already — GitHub redelivered). */
  created?: boolean;
  /** A waiting job was made to run now. */
  promoted?: boolean;
}

/**
 * A feature's use of GitHub's webhook (`FeatureParts.githubEvents`): the one route,
 * `POST /github/webhook`, verifies each delivery and hands it to every listener of its event.
 * `handle` must be quick — enqueue or promote a job, never do the work (GitHub gives up after 10 s) —
 * and idempotent, since GitHub redelivers. Undefined: the delivery was not for this listener.
 */
export interface GitHubEventListener {
  /** `x-github-event` names it takes. */
  events: readonly string[];
  handle(d: GitHubDelivery): Promise<GitHubDeliveryResult | undefined>;
}
