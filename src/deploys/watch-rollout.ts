/**
 * Watching a rollout to its end ({@link watchRollout}): the Deployment's watch, checked against a
 * re-read of the Deployment on a timer, decided only from the Deployment's status (kubectl's
 * `rollout status` rules, {@link rolloutStatus}) — with the failing pods' reasons when it does not
 * finish.
 */

import { AppError, isAppError } from '../../tools/shared/errors.ts';
import type { KubePort } from '../../tools/shared/kube-port.ts';
import { type FailingPod, failingPods } from './failing-pods.ts';
import type { DeploymentRef, DeploymentSnapshot, KubeDeployPort } from './kube-deploy-port.ts';
import { type RolloutStatus, rolloutStatus } from './rollout.ts';

export interface RolloutWatchOptions {
  /** The generation the change produced (setImage/rollbackTo's returned `generation`). */
  fromGeneration: number;
  /**
   * Accepted for callers that have one; the watch always starts from a fresh read of the Deployment
   * (so a second worker resuming a job sees the current state, even a rollout that finished while
   * nobody watched) and watches from that read's resourceVersion.
   */
  resourceVersion?: string;
  /** Gives up after this long with outcome `timeout` (from this call, not from the change). */
  timeoutMs: number;
  /** Stops the watch; the call then rejects with AppError `cancelled`. */
  signal: AbortSignal;
  /** Called with the first status and then on every change of phase, counts or text. */
  onProgress(status: RolloutStatus, snapshot: DeploymentSnapshot): void;
  /** At most this many failing pods in the result, worst first (default 10). */
  maxFailingPods?: number;
  /**
   * While watching, the Deployment is also re-read this often (default {@link ROLLOUT_RESYNC_MS}):
   * a watch can stay open and silent, and the outcome must not depend on it delivering the last
   * event. A rollout is decided from whichever read shows its status first.
   */
  resyncMs?: number;
}

/** How often a watched rollout's Deployment is re-read besides the watch: one GET per 15 s. */
export const ROLLOUT_RESYNC_MS = 15_000;

export interface RolloutWatchResult {
  outcome: 'complete' | 'failed' | 'timeout';
  /** The last state seen. */
  snapshot: DeploymentSnapshot;
  status: RolloutStatus;
  /** On failure/timeout: the new ReplicaSet's pods that are not Ready, worst first (capped). */
  failingPods: FailingPod[];
  /** How many failing pods there were before the cap. */
  failingPodsTotal: number;
  /** Why the pods could not be listed (e.g. RBAC), when they could not. */
  podsError?: string;
  /**
   * The Deployment's generation moved past `fromGeneration`: someone changed it again after this
   * change, and the outcome is that of the newer change (compare `snapshot.containers`).
   */
  superseded: boolean;
}

/**
 * Watches a rollout to its end: `complete`, `failed` (ProgressDeadlineExceeded), or `timeout` after
 * `timeoutMs`. Reads the Deployment first, so it is resumable — a second worker calling it later
 * with the same `fromGeneration` picks up wherever the rollout is — then follows the port's watch
 * (which resumes dropped connections itself) and re-reads the Deployment every `resyncMs` beside
 * it; before reporting a timeout it reads it once more, so `timeout` and `failed` are never said of
 * a Deployment whose status says complete. On failure or timeout it lists the pods of the newest
 * ReplicaSet (the Deployment's selector plus its pod-template-hash) and says why each unready one
 * is failing. Errors from the port (403 on watch, the Deployment deleted) reject; a re-read that
 * fails retryably is skipped (the watch and the next re-read go on).
 */
export async function watchRollout(
  port: KubeDeployPort & Pick<KubePort, 'list'>,
  ref: DeploymentRef,
  opts: RolloutWatchOptions,
): Promise<RolloutWatchResult> {
  if (opts.signal.aborted) throw cancelledError(opts.signal);
  const resyncMs = Math.max(1, opts.resyncMs ?? ROLLOUT_RESYNC_MS);
  const timedOut = new AbortController();
  const decided = new AbortController();
  const timer = setTimeout(() => timedOut.abort(), Math.max(0, opts.timeoutMs));
  const signal = AbortSignal.any([opts.signal, timedOut.signal, decided.signal]);
  let snapshot: DeploymentSnapshot | undefined;
  let status: RolloutStatus | undefined;
  let last = '';
  let done = false;
  let failure: { error: unknown } | undefined;
  const observe = (s: DeploymentSnapshot): void => {
    if (done) return;
    snapshot = s;
    status = rolloutStatus(s, { fromGeneration: opts.fromGeneration });
    const key = JSON.stringify(status);
    if (key !== last) {
      last = key;
      opts.onProgress(status, s);
    }
    if (status.phase !== 'progressing') {
      done = true;
      decided.abort();
    }
  };
  const fail = (e: unknown) => {
    // The timeout, the caller or the decision aborting a request in flight is not a failure.
    if (signal.aborted) return;
    failure ??= { error: e };
    decided.abort();
  };
  const watching = async () => {
    // The port's watch resumes by itself and ends only when the signal aborts; should it end
    // anyway, watch again from the last state seen (after a pause, if it ended at once).
    while (!signal.aborted) {
      const from = snapshot?.resourceVersion;
      let events = 0;
      for await (const s of port.watchDeployment(
        ref,
        from ? { resourceVersion: from, signal } : { signal },
      )) {
        events += 1;
        observe(s);
        if (signal.aborted) return;
      }
      if (events === 0) await sleep(resyncMs, signal);
    }
  };
  const resyncing = async () => {
    while (!signal.aborted) {
      await sleep(resyncMs, signal);
      if (signal.aborted) return;
      try {
        observe(await port.getDeployment(ref, signal));
      } catch (e) {
        if (!isAppError(e) || !e.retryable) throw e;
      }
    }
  };
  try {
    try {
      observe(await port.getDeployment(ref, signal));
    } catch (e) {
      fail(e);
    }
    if (!done && !failure) await Promise.all([watching().catch(fail), resyncing().catch(fail)]);
    if (failure) throw failure.error;
    if (opts.signal.aborted) throw cancelledError(opts.signal);
    if (!done && snapshot) {
      // Out of time by the watch's account: the Deployment's own status has the last word.
      try {
        observe(await port.getDeployment(ref, opts.signal));
      } catch (e) {
        if (opts.signal.aborted) throw cancelledError(opts.signal);
        if (!isAppError(e) || !e.retryable) throw e;
      }
    }
    if (!snapshot || !status) throw cancelledError(signal);
    const final: RolloutStatus = status;
    const snap: DeploymentSnapshot = snapshot;
    const outcome = done ? (final.phase === 'complete' ? 'complete' : 'failed') : 'timeout';
    const result: RolloutWatchResult = {
      outcome,
      snapshot: snap,
      status: final,
      failingPods: [],
      failingPodsTotal: 0,
      superseded: snap.generation > opts.fromGeneration,
    };
    if (outcome !== 'complete') {
      try {
        const pods = await failingPods(port, ref, snap, opts.signal, opts.maxFailingPods ?? 10);
        result.failingPods = pods.pods;
        result.failingPodsTotal = pods.total;
      } catch (e) {
        if (opts.signal.aborted) throw cancelledError(opts.signal);
        result.podsError = e instanceof AppError ? e.userMessage : (e as Error).message;
      }
    }
    return result;
  } finally {
    clearTimeout(timer);
    decided.abort();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function cancelledError(signal: AbortSignal): AppError {
  return new AppError({
    code: 'cancelled',
    userMessage: 'Watching the rollout was cancelled.',
    cause: signal.reason,
  });
}
