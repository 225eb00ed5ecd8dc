import { escapeMrkdwn } from '../../../tools/shared/block-kit.ts';
import type { Message } from '../../../tools/shared/message.ts';
import type { ReplyTarget } from '../../context.ts';
import { diffDigest, type SectionItem } from '../../digests/diff.ts';
import {
  formatDuration,
  formatWhen,
  isQuiet,
  renderDigest,
  type SectionOutcome,
} from '../../digests/render.ts';
import type { DigestSection } from '../../digests/section.ts';
import type { DigestStore } from '../../digests/state.ts';
import { AppError, isAppError, slackErrorCode, toAppError } from '../../errors.ts';
import { mentionAll } from '../../policy/policy.ts';
import type { DigestConfig } from '../../team-config.ts';
import type { Messenger } from '../messenger.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import { scheduledTimeOf } from '../schedules.ts';
import { type DigestRunPayload, digestRunSpec } from '../specs/digest.ts';

export interface DigestDeps {
  digests: ReadonlyMap<string, DigestConfig>;
  sections: ReadonlyMap<string, DigestSection>;
  store: DigestStore;
  messenger: Messenger;
  /** Where a digest's channel is posted to (the console prints instead). */
  targetOf: (channel: string) => ReplyTarget;
  /** Slack user ids told when a digest cannot be posted. */
  admins: readonly string[];
  /** A scheduled run taken later than this after it was due is skipped, never stacked (DIGEST_GRACE_MINUTES). */
  graceMs: number;
  /** A run taken later than this after it was due is labelled late. */
  lateAfterMs: number;
  /** The optional generated lead: two sentences from the digest's own (redacted) text. */
  lead?: (digestText: string, signal: AbortSignal) => Promise<{ text: string; model: string } | undefined>;
  redact: (text: string) => string;
  now?: () => Date;
}

/** Longest a run holds its digest (a worker that dies frees it after this). */
const LOCK_MS = 10 * 60_000;

/** Slack errors a retry cannot fix; each with what an admin should do. */
const SLACK_REFUSALS: Readonly<Record<string, (d: DigestConfig) => string>> = {
  not_in_channel: (d) => `Shipmate is not in <#${d.channel}>: type \`/invite @Shipmate\` in that channel.`,
  channel_not_found: (d) =>
    `Channel ${d.channel} does not exist, or is private and Shipmate is not in it: invite the app, or fix \`digests\` → \`${d.id}\` → \`channel\` in the team file.`,
  is_archived: (d) =>
    `<#${d.channel}> is archived: unarchive it, or point \`digests\` → \`${d.id}\` → \`channel\` at another channel.`,
  restricted_action: (d) =>
    `Posting in <#${d.channel}> is restricted to some members; allow the app to post there.`,
  invalid_auth: () => 'The bot token is not valid: reinstall the app and update SLACK_BOT_TOKEN.',
  token_revoked: () => 'The bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN.',
  account_inactive: () =>
    'The bot token belongs to a deactivated app: reinstall it and update SLACK_BOT_TOKEN.',
  not_authed: () => 'No bot token was sent: set SLACK_BOT_TOKEN.',
  missing_scope: () => 'The app lacks the `chat:write` scope: reinstall it from manifest.yml.',
};

/** The words of a rendered message, block by block, for the model. */
function messageText(m: Message): string {
  return (m.blocks ?? [])
    .map((b) =>
      b.type === 'section' || b.type === 'header'
        ? (b.text?.text ?? '')
        : b.type === 'context'
          ? b.elements.map((e) => e.text).join(' ')
          : '',
    )
    .filter(Boolean)
    .join('\n');
}

/** Collects every section; one that fails shows its reason and resolves nothing. */
async function collect(
  digest: DigestConfig,
  deps: DigestDeps,
  run: JobRun<DigestRunPayload>,
  since: Date | undefined,
  now: Date,
  known: Readonly<Record<string, unknown>>,
): Promise<{ outcomes: SectionOutcome[]; items: SectionItem[] }> {
  const outcomes: SectionOutcome[] = [];
  const items: SectionItem[] = [];
  for (const name of digest.sections) {
    const s = deps.sections.get(name);
    if (!s) {
      outcomes.push({ name, title: name, error: `no section "${name}" in this version of Shipmate` });
      continue;
    }
    run.progress(`Reading ${s.title.toLowerCase()}…`);
    try {
      const result = await s.collect(digest, {
        since,
        now,
        signal: run.signal,
        log: run.log,
        progress: run.progress,
        known: (fp) => Object.hasOwn(known, fp),
      });
      outcomes.push({ name, title: s.title, result });
      for (const i of result.items) items.push({ ...i, section: name });
    } catch (e) {
      run.signal.throwIfAborted();
      const err = toAppError(e);
      // A refusal (not configured, forbidden) is one line for operators; a bug or outage keeps its stack.
      const bug = err.code === 'internal' || err.retryable;
      run.log.warn(
        {
          digest: digest.id,
          section: name,
          code: err.code,
          ...(bug ? { err: err.cause ?? err } : { reason: err.userMessage }),
        },
        'digest section failed',
      );
      outcomes.push({
        name,
        title: s.title,
        error: err.code === 'internal' ? 'an internal error (see the logs)' : err.userMessage,
      });
    }
  }
  return { outcomes, items };
}

/** Tells the admins (DM) that a digest could not be posted, and why. */
async function tellAdmins(deps: DigestDeps, digest: DigestConfig, why: string, run: JobRun<unknown>) {
  const users = deps.admins.filter((a) => /^[UW]/.test(a));
  if (users.length === 0) {
    run.log.error({ digest: digest.id }, 'digest failed and no admins (user ids) are configured to tell');
    return;
  }
  const message: Message = {
    text: `Digest ${digest.id} could not be posted to ${digest.channel}: ${why}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:rotating_light: *Digest \`${digest.id}\` could not be posted* to <#${digest.channel}>.\n${why}\nIt will try again at its next scheduled time; \`/ops digest ${digest.id} now\` posts it once fixed.`,
        },
      },
    ],
  };
  for (const u of users) {
    await deps.messenger
      .post(deps.targetOf(u), message)
      .catch((err: unknown) =>
        run.log.error({ err, digest: digest.id, admin: u }, 'could not tell an admin that a digest failed'),
      );
  }
}

/**
 * One run of a digest: collect its sections, compare with what the last scheduled digest posted,
 * post (or stay quiet), remember. A scheduled occurrence is claimed first (digest id + the time it
 * was due), so replicas and catch-up runs post it once; one taken later than the grace window is
 * skipped and logged. Slack refusing the post is told to the admins, not retried.
 */
export async function processDigest(run: JobRun<DigestRunPayload>, deps: DigestDeps): Promise<JobOutcome> {
  const silent: JobOutcome = { message: { text: '' }, silent: true };
  const now = deps.now?.() ?? new Date();
  const { digestId, mode } = run.payload;
  const digest = deps.digests.get(digestId);
  if (!digest) {
    if (mode !== 'scheduled')
      throw new AppError({
        code: 'usage',
        userMessage: `There is no digest "${digestId}" in the team file.`,
      });
    run.log.warn({ digest: digestId }, 'scheduled digest is no longer in the team file; nothing posted');
    return silent;
  }
  let lateFrom: Date | undefined;
  if (mode === 'scheduled') {
    const due = scheduledTimeOf(run.id) ?? now.getTime();
    if (!(await deps.store.claim(digest.id, due, run.id))) {
      run.log.info({ digest: digest.id, due }, 'digest occurrence already taken by another job');
      return silent;
    }
    const lateness = now.getTime() - due;
    if (lateness > deps.graceMs) {
      const detail = `missed: due ${formatWhen(due, digest.timezone)}, taken ${formatDuration(lateness)} later (over DIGEST_GRACE_MINUTES); skipped`;
      run.log.warn(
        { digest: digest.id, due, latenessMs: lateness },
        'digest run missed by more than the grace window; skipped',
      );
      await deps.store.recordOutcome(digest.id, { at: now.toISOString(), result: 'skipped', detail });
      return silent;
    }
    if (lateness > deps.lateAfterMs) lateFrom = new Date(due);
  }

  // Preview and "now" remember nothing, so only scheduled runs take the digest's lock.
  const release = mode === 'scheduled' ? await deps.store.lock(digest.id, run.id, LOCK_MS) : undefined;
  if (mode === 'scheduled' && !release) {
    return run.retryLater(1000, 'another run of this digest is still in progress');
  }
  try {
    return await runDigest(run, deps, digest, now, lateFrom);
  } finally {
    await release?.();
  }
}

async function runDigest(
  run: JobRun<DigestRunPayload>,
  deps: DigestDeps,
  digest: DigestConfig,
  now: Date,
  lateFrom: Date | undefined,
): Promise<JobOutcome> {
  const silent: JobOutcome = { message: { text: '' }, silent: true };
  const { mode } = run.payload;
  const state = await deps.store.get(digest.id);
  const since = state.lastRunAt ? new Date(state.lastRunAt) : undefined;
  const { outcomes, items } = await collect(digest, deps, run, since, now, state.findings);
  const unread = new Set(outcomes.filter((o) => o.error).map((o) => o.name));
  const diff = diffDigest(state.findings, items, unread, now);
  const quiet = isQuiet(diff, outcomes);
  const severeNew = diff.fresh.some((i) => i.severity === 'critical' || i.severity === 'error');
  const mention =
    mode !== 'preview' && severeNew && digest.mention.length ? mentionAll(digest.mention) : undefined;
  const base = { digest, sections: outcomes, diff, now, since, mode, ...(lateFrom ? { lateFrom } : {}) };
  let lead: { text: string; model: string } | undefined;
  if (deps.lead && !quiet) {
    const draft = renderDigest(base);
    lead = await deps.lead(deps.redact(messageText(draft)), run.signal).catch((err: unknown) => {
      run.log.warn({ err, digest: digest.id }, 'digest lead not generated');
      return undefined;
    });
    if (lead) lead = { text: escapeMrkdwn(lead.text), model: lead.model };
  }
  const message = renderDigest({ ...base, ...(mention ? { mention } : {}), ...(lead ? { lead } : {}) });
  const counts = `${diff.fresh.length} new, ${diff.resolved.length} resolved, ${diff.still.length} still failing`;

  if (mode === 'preview') {
    await deps.messenger.ephemeral(run.target, run.requestedBy, message);
    return silent;
  }
  const remember = async (result: 'posted' | 'quiet') => {
    if (mode !== 'scheduled') return;
    await deps.store.save(digest.id, {
      lastRunAt: now.toISOString(),
      findings: diff.next,
      last: { at: now.toISOString(), result, detail: lateFrom ? `${counts} (late)` : counts },
    });
  };
  if (quiet && digest.when_quiet === 'skip' && mode === 'scheduled') {
    await remember('quiet');
    run.log.info({ digest: digest.id }, 'digest quiet; nothing posted (when_quiet: skip)');
    return silent;
  }
  try {
    await deps.messenger.post(deps.targetOf(digest.channel), message);
  } catch (e) {
    const code = slackErrorCode(e);
    const refusal = code ? SLACK_REFUSALS[code] : undefined;
    const lastTry = run.attempt >= (digestRunSpec.attempts ?? 3);
    if (!refusal && !lastTry && !(isAppError(e) && !e.retryable)) {
      throw new AppError({
        code: 'slack_unavailable',
        userMessage: 'Slack did not take the digest',
        retryable: true,
        cause: e,
      });
    }
    const why = refusal ? refusal(digest) : `Slack answered ${code ?? (e as Error)?.message ?? 'an error'}.`;
    run.log.error({ digest: digest.id, code, err: e }, 'digest could not be posted');
    if (mode === 'scheduled')
      await deps.store.recordOutcome(digest.id, {
        at: now.toISOString(),
        result: 'failed',
        detail: code ?? 'error',
      });
    await tellAdmins(deps, digest, why, run);
    if (mode === 'now')
      throw new AppError({
        code: 'digest_not_posted',
        userMessage: `Digest ${digest.id} was not posted: ${why}`,
      });
    return silent;
  }
  await remember(quiet ? 'quiet' : 'posted');
  run.log.info(
    {
      digest: digest.id,
      mode,
      fresh: diff.fresh.length,
      resolved: diff.resolved.length,
      still: diff.still.length,
    },
    'digest posted',
  );
  return silent;
}
