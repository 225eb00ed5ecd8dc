import { actions, button, context, escapeMrkdwn, fields, section } from '../../../tools/shared/block-kit.ts';
import type { KubePort } from '../../../tools/shared/kube-port.ts';
import type { Message } from '../../../tools/shared/message.ts';
import type { AuditLog } from '../../audit/audit.ts';
import type { KubeDeployPort } from '../../deploys/kube-deploy-port.ts';
import type { RequestStore } from '../../deploys/requests.ts';
import type { DeployService } from '../../deploys/service.ts';
import { watchRollout } from '../../deploys/watch-rollout.ts';
import { AppError, toAppError } from '../../errors.ts';
import { DelayedError } from '../bullmq.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import type { ProposePayload, RequestIdPayload } from '../specs/changes.ts';

/** `/ops deploy` and `/ops rollback`: preview + dry run + a pending request; the progress message becomes the request message. */
export async function processPropose(
  run: JobRun<ProposePayload>,
  deps: { deploys: DeployService },
): Promise<JobOutcome> {
  // Run again after it made its request (a stalled job, a completion Redis lost): the request may
  // have been decided meanwhile. Show it as it stands; never make a second one.
  const earlier = run.checkpoint.data.requestId as string | undefined;
  const made = earlier ? await deps.deploys.get(earlier) : undefined;
  if (made) return { message: await deps.deploys.messageFor(made) };
  run.progress('reading the Deployment and dry-running the change');
  const { request } = await deps.deploys.propose(run.payload.input, {
    userId: run.requestedBy,
    traceId: run.traceId,
    invocationId: run.payload.invocationId,
  });
  await run.checkpoint.save({ requestId: request.id });
  const where = run.message();
  await deps.deploys.attachMessage(request.id, {
    channel: where?.channel ?? (run.target.kind === 'console' ? 'CONSOLE' : undefined),
    ts: where?.ts,
  });
  const stored = (await deps.deploys.get(request.id)) ?? request;
  return { message: await deps.deploys.messageFor(stored) };
}

/** Expires a request nobody decided in time (a delayed job). */
export async function processExpiry(
  run: JobRun<RequestIdPayload>,
  deps: { deploys: DeployService },
): Promise<JobOutcome> {
  const expired = await deps.deploys.expire(run.payload.requestId);
  run.log.info({ requestId: run.payload.requestId, expired }, 'approval window closed');
  return { message: { text: '' }, silent: true };
}

/**
 * Applies an approved request: takes the service environment's lock (one change at a time), patches
 * the Deployment once (checkpointed, so a retry or another worker resumes watching instead of
 * patching again), watches the rollout to its end and reports — with the failing pods' reasons and a
 * Rollback button when it fails.
 */
export interface ApplyDeps {
  deploys: DeployService;
  requests: RequestStore;
  audit: AuditLog;
  kube: KubeDeployPort & Pick<KubePort, 'list'>;
  rolloutTimeoutMs: number;
}

/** One attempt watches the whole rollout; waits for the lock happen between attempts (retryLater). */
export const applyTimeoutMs = (rolloutTimeoutMs: number) => rolloutTimeoutMs + 5 * 60_000;

export async function processApply(run: JobRun<RequestIdPayload>, deps: ApplyDeps): Promise<JobOutcome> {
  const id = run.payload.requestId;
  const r = await deps.deploys.get(id);
  if (!r) return { message: { text: `Change request ${id} no longer exists; nothing was done.` } };
  if (r.state === 'succeeded' || r.state === 'failed') {
    // A re-run of a finished change (its job's completion was lost, e.g. to a Redis restart, and
    // BullMQ ran it again): the outcome stands. Repeat its own final message, or leave it alone.
    const final = parseMessage(r.finalMessage);
    run.log.info({ requestId: id, state: r.state }, 'change already finished; its final message stands');
    return final ? { message: final } : { message: { text: '' }, silent: true };
  }
  if (r.state !== 'approved' && r.state !== 'running') {
    return { message: { text: `Change request ${id} is ${r.state}; nothing was done.` } };
  }
  const what = `${r.kind === 'deploy' ? 'Deploy' : 'Rollback'} of ${r.service} to ${r.environment}`;
  const ref = deps.deploys.refOf(r);
  const lockMs = deps.rolloutTimeoutMs + 10 * 60_000;
  const holder = await deps.requests.lock(r.service, r.environment, id, lockMs);
  if (holder) {
    // Wait without holding a worker slot, for at most one other change's lifetime.
    const since = (run.checkpoint.data.waitingSince as number | undefined) ?? Date.now();
    if (run.checkpoint.data.waitingSince === undefined) await run.checkpoint.save({ waitingSince: since });
    if (Date.now() - since > lockMs) {
      throw new AppError({
        code: 'environment_busy',
        userMessage: `Change ${holder} to ${r.service} ${r.environment} has held it for over ${Math.round(lockMs / 60_000)} min; this one was not applied. Ask again when it has finished.`,
      });
    }
    await run.retryLater(5000, `waiting for change ${holder} to ${r.service} ${r.environment} to finish`);
  }
  const audit = (type: 'started' | 'succeeded' | 'failed', detail: string) =>
    deps.audit.record({
      type,
      kind: r.kind,
      actor: r.decidedBy ?? r.requestedBy,
      service: r.service,
      environment: r.environment,
      requestId: id,
      detail,
      traceId: run.traceId,
    });
  let released = false;
  const release = async () => {
    released = true;
    await deps.requests.unlock(r.service, r.environment, id);
  };
  try {
    let generation = run.checkpoint.data.generation as number | undefined;
    if (generation === undefined) {
      if (!run.checkpoint.data.started) {
        if ((await deps.requests.transition(id, ['approved'], 'running')).ok) {
          await audit('started', `${r.fromImage} → ${r.toImage}`);
        }
        await run.checkpoint.save({ started: true });
      }
      run.progress('patching the Deployment');
      // An attempt that died after patching but before its checkpoint must not patch again: a
      // rollback's target revision has been renumbered since, and kubectl-style undo would refuse.
      const current = await deps.kube.getDeployment(ref, run.signal);
      const image = current.containers.find((c) => c.name === r.container)?.image;
      const applied = current.revision !== r.fromRevision && image === r.toImage;
      // What was approved was a change from this revision and image: if someone changed the
      // Deployment since, applying the old preview could silently undo their change.
      if (!applied && (current.revision !== r.fromRevision || image !== r.fromImage)) {
        throw new AppError({
          code: 'stale_request',
          userMessage: `${r.service} ${r.environment} changed since this request was made (now revision ${current.revision}, \`${image}\`); nothing was applied. Ask again to see a fresh preview.`,
        });
      }
      const after = applied
        ? current
        : r.kind === 'deploy'
          ? await deps.kube.setImage(ref, r.container, r.toImage, {
              dryRun: false,
              signal: run.signal,
              fieldManager: 'shipmate',
            })
          : await deps.kube.rollbackTo(ref, r.toRevision ?? 0, {
              dryRun: false,
              signal: run.signal,
              fieldManager: 'shipmate',
            });
      generation = after.generation;
      await run.checkpoint.save({ generation });
    } else {
      run.progress('resuming the rollout watch');
    }
    const started = Date.now();
    const result = await watchRollout(deps.kube, ref, {
      fromGeneration: generation,
      timeoutMs: deps.rolloutTimeoutMs,
      signal: run.signal,
      onProgress: (st) => run.progress(st.text),
    });
    const secs = Math.round((Date.now() - started) / 1000);
    const superseded = result.superseded
      ? [
          context(
            '⚠️ Someone changed the Deployment again after this change: the outcome below is of their change.',
          ),
        ]
      : [];
    if (result.outcome === 'complete') {
      const message: Message = {
        text: `${what} succeeded: ${r.toImage} is live (${result.status.text}).`,
        blocks: [
          section(`✅ *${escapeMrkdwn(what)}* succeeded — \`${escapeMrkdwn(r.toImage)}\` is live.`),
          fields([
            `*Rollout*\n${escapeMrkdwn(result.status.text)}`,
            `*Revision*\n${result.snapshot.revision}`,
            `*Watched*\n${secs} s`,
          ]),
          context(`request \`${id}\` · approved by <@${r.decidedBy}> · asked by <@${r.requestedBy}>`),
          ...superseded,
        ],
      };
      const t = await deps.requests.transition(id, ['running'], 'succeeded', {
        finalMessage: JSON.stringify(message),
      });
      if (t.ok) await audit('succeeded', `${r.toImage} live, revision ${result.snapshot.revision}`);
      await release();
      return { message };
    }
    const why =
      result.outcome === 'timeout'
        ? `not complete after ${Math.round(deps.rolloutTimeoutMs / 60_000)} min`
        : (result.status.reason ?? 'failed');
    const pods = result.failingPods
      .slice(0, 5)
      .map((p) => `• \`${p.pod}\` *${p.reason}*: ${escapeMrkdwn(p.detail)}`);
    const morePods = result.failingPodsTotal - pods.length;
    if (morePods > 0) pods.push(`+${morePods} more`);
    const message: Message = {
      text: `${what} failed (${why}): ${result.status.text}`,
      blocks: [
        section(
          `❌ *${escapeMrkdwn(what)}* failed — ${escapeMrkdwn(why)}.\n${escapeMrkdwn(result.status.text)}`,
        ),
        ...superseded,
        ...(pods.length ? [section(`*Failing pods*\n${pods.join('\n')}`)] : []),
        ...(result.podsError ? [context(`Pods could not be listed: ${escapeMrkdwn(result.podsError)}`)] : []),
        context(`request \`${id}\` · the previous version keeps serving where the rollout left old pods.`),
        actions([
          button('change_rollback', 'Roll back', `/ops rollback ${r.service} ${r.environment}`, 'danger'),
        ]),
      ],
    };
    const t = await deps.requests.transition(id, ['running'], 'failed', {
      finalMessage: JSON.stringify(message),
    });
    if (t.ok) await audit('failed', `${why}: ${result.status.text}`);
    await release();
    return { message };
  } catch (e) {
    // A failure that ends the job (not a retry, not a shutdown) ends the request and frees the
    // environment; on shutdown the lock stays with this request for the worker that resumes it.
    if (e instanceof DelayedError) throw e;
    const err = toAppError(e);
    const stop = run.stopReason();
    const final = stop === 'timeout' || (stop === undefined && (!err.retryable || run.attempt >= 3));
    if (!released && final) {
      if ((await deps.requests.transition(id, ['approved', 'running'], 'failed')).ok) {
        await audit('failed', stop === 'timeout' ? 'the job ran out of time' : err.userMessage);
      }
      await release();
    }
    throw e;
  }
}

/** A stored final message, or undefined when there is none (or it does not parse). */
function parseMessage(json: string | undefined): Message | undefined {
  if (!json) return undefined;
  try {
    const m = JSON.parse(json) as Message;
    return typeof m?.text === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}
