import type { Redis } from 'ioredis';
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  section,
  truncate,
} from '../../../tools/shared/block-kit.ts';
import { resolveRun, type TriageResult, triageRun } from '../../../tools/shared/ci/triage.ts';
import type { GitHubPort } from '../../../tools/shared/github-port.ts';
import { requireGitHub } from '../../../tools/shared/github-port.ts';
import type { Message } from '../../../tools/shared/message.ts';
import { triageBuild } from '../../../tools/triage-build.ts';
import type { TriageExplainer } from '../../agent/explain-failure.ts';
import type { ReplyTarget } from '../../context.ts';
import { isAppError } from '../../errors.ts';
import type { Messenger } from '../messenger.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import type { CiTriagePayload } from '../specs/ci.ts';

/** "The same failure" is threaded under the first message for this long after it (default a day). */
export const REPEAT_WINDOW_MS = 86_400_000;

interface Seen {
  channel: string;
  ts: string;
  runId: number;
  runNumber: number;
}

/** The short reply for a failure already posted within the window: which run, and its own Re-run button. */
export function repeatMessage(r: TriageResult): Message {
  const run = r.run;
  const facts = [
    run.branch ? `branch \`${escapeMrkdwn(truncate(run.branch, 60))}\`` : '',
    `\`${run.sha.slice(0, 7)}\``,
    run.event,
    run.actor ? `by ${escapeMrkdwn(run.actor)}` : '',
    `attempt ${run.attempt}`,
  ].filter(Boolean);
  return {
    text: `Same failure again: run #${run.runNumber} of ${r.repo} (${run.workflow}${run.branch ? ` on ${run.branch}` : ''}).`,
    blocks: [
      section(
        `:repeat: Same failure again: <${run.url}|${escapeMrkdwn(truncate(run.workflow || 'run', 60))} run #${run.runNumber}>`,
      ),
      context(facts.join(' · ')),
      actions([button('ci_rerun', 'Re-run failed jobs', r.rerunCommand, 'primary')], `ci_rerun:${run.id}`),
    ],
  };
}

/**
 * Automatic triage of a failed workflow run (queued by `POST /github/webhook`): triages the run and
 * posts it in the repository's channel — or, when the same failure (see tools/shared/ci/fingerprint.ts)
 * was posted there within `repeatWindowMs`, adds a short "Same failure again" reply in that message's
 * thread. The window runs from the first message (the Redis key is not refreshed by repeats), so a
 * failure that keeps coming back gets a fresh top-level message once a day instead of a thread that
 * grows forever.
 *
 * Why `progressMessage: false` and posting through `deps.messenger`: nobody asked in the channel, so a
 * "⏳ Triage…" message there would be noise, and the runtime's reporter can only post to the job's
 * target (a new top-level message) or edit its own progress message — it cannot reply in the thread of
 * an earlier triage. So this processor posts itself and returns `silent`. A failure the runtime reports
 * (logs expired, no access) still lands in the channel as a top-level message, which is what the team
 * needs to see. Posting is recorded in the checkpoint, so a retry after a later step never posts twice.
 *
 * A run that is no longer failed by the time the job runs (someone re-ran it and the new attempt is
 * running or passed), or that has a newer attempt (whose own delivery will be triaged), is skipped.
 */
export interface CiTriageDeps {
  github: GitHubPort | undefined;
  redact: (text: string) => string;
  redis: Redis;
  prefix: string;
  messenger: Messenger;
  explainer?: TriageExplainer;
  repeatWindowMs?: number;
}

export async function processCiTriage(run: JobRun<CiTriagePayload>, deps: CiTriageDeps): Promise<JobOutcome> {
  const windowMs = deps.repeatWindowMs ?? REPEAT_WINDOW_MS;
  const seenKey = (fingerprint: string) => `${deps.prefix}:ci-seen:${fingerprint}`;
  const p = run.payload;
  const log = run.log.child({ repo: `${p.owner}/${p.repo}`, runId: p.runId, deliveryId: p.deliveryId });
  if (run.checkpoint.data.posted) return { message: { text: '' }, silent: true };
  const github = requireGitHub(deps.github);
  const ref = { owner: p.owner, repo: p.repo };
  let ghRun: Awaited<ReturnType<typeof resolveRun>>;
  try {
    ghRun = await resolveRun(github, ref, { kind: 'run', runId: p.runId }, run.signal);
  } catch (e) {
    if (isAppError(e) && (e.code === 'run_in_progress' || e.code === 'run_not_failed')) {
      log.info({ code: e.code }, 'run no longer failed (re-run since?); not triaged');
      return { message: { text: '' }, silent: true };
    }
    throw e;
  }
  if (ghRun.runAttempt > p.runAttempt) {
    log.info({ attempt: ghRun.runAttempt }, 'a newer attempt exists; its own delivery triages it');
    return { message: { text: '' }, silent: true };
  }
  const result = await triageRun(github, deps.redact, ref, ghRun, {
    signal: run.signal,
    progress: run.progress,
  });
  const target: ReplyTarget = { kind: 'slack', channel: p.channel };

  const key = result.fingerprint ? seenKey(result.fingerprint) : undefined;
  const raw = key ? await deps.redis.get(key) : null;
  const seen = raw ? (JSON.parse(raw) as Seen) : undefined;
  // Same failure, same channel (the mapping may have changed since): reply in the first thread.
  if (seen && seen.channel === p.channel) {
    await deps.messenger.postInThread(target, { channel: seen.channel, ts: seen.ts }, repeatMessage(result));
    await run.checkpoint.save({ posted: { channel: seen.channel, threadTs: seen.ts } });
    log.info(
      { fingerprint: result.fingerprint, threadTs: seen.ts },
      'same failure again; replied in its thread',
    );
    return { message: { text: '' }, silent: true };
  }

  let message = triageBuild.blocks(result);
  if (deps.explainer) message = await deps.explainer.addTo(result, message, { log, signal: run.signal });
  const handle = await deps.messenger.post(target, message);
  if (key && handle.ts) {
    const value: Seen = {
      channel: handle.channel ?? p.channel,
      ts: handle.ts,
      runId: ghRun.id,
      runNumber: ghRun.runNumber,
    };
    // NX: two different runs failing the same way at the same moment both post, and the first
    // one's thread is kept for the repeats after them.
    await deps.redis.set(key, JSON.stringify(value), 'PX', windowMs, 'NX');
  }
  await run.checkpoint.save({ posted: { channel: handle.channel ?? p.channel, ts: handle.ts } });
  log.info({ fingerprint: result.fingerprint, ts: handle.ts, kind: result.kind }, 'CI failure triaged');
  return { message: { text: '' }, silent: true };
}
