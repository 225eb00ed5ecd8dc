import { CronExpressionParser } from 'cron-parser';
import { parseArgs, usageError } from '../../../tools/shared/args.ts';
import { escapeMrkdwn, truncate } from '../../../tools/shared/block-kit.ts';
import { closestNames } from '../../../tools/shared/kube/objects.ts';
import { formatWhen } from '../../digests/render.ts';
import type { DigestStore } from '../../digests/state.ts';
import { AppError } from '../../errors.ts';
import { type Enqueue, safeJobId } from '../../jobs/enqueue.ts';
import { digestRunSpec } from '../../jobs/specs/digest.ts';
import type { Policy } from '../../policy/policy.ts';
import type { DigestConfig } from '../../team-config.ts';
import { ephemeral, type OpsCommand } from '../command.ts';

export const DIGEST_USAGE = '/ops digest [<id> preview|now]';

/** The next time `digest` runs, from its cron in its time zone. */
export function nextRun(digest: DigestConfig, after: Date): Date | undefined {
  try {
    return CronExpressionParser.parse(digest.cron, { tz: digest.timezone, currentDate: after })
      .next()
      .toDate();
  } catch {
    return undefined;
  }
}

/**
 * `/ops digest` lists the team file's digests with their next run (in their own time zone) and how the
 * last one went; `/ops digest <id> preview` shows what would be posted now, to you only;
 * `/ops digest <id> now` posts it now (admins), leaving what the schedule remembers untouched.
 */
export function createDigestCommand(deps: {
  digests: readonly DigestConfig[];
  store: DigestStore;
  enqueue: Enqueue;
  policy: Policy;
  /** Whether scheduled runs happen in this deployment (not in the console). */
  scheduled: boolean;
  now?: () => Date;
}): OpsCommand {
  const byId = new Map(deps.digests.map((d) => [d.id, d]));
  return {
    name: 'digest',
    usage: DIGEST_USAGE,
    summary: 'scheduled digests: list them with their next run, preview one, or post one now (admins)',
    keywords: ['digest', 'summary', 'report', 'daily', 'schedule', 'morning'],
    async run(argv, ctx) {
      const { positional } = parseArgs(argv, { usage: DIGEST_USAGE, maxPositional: 2 });
      const [id, action] = positional;
      if (id === undefined) return list();
      const digest = byId.get(id);
      if (!digest) {
        if (byId.size === 0) throw notConfigured();
        const close = closestNames(id, byId.keys(), 3);
        throw usageError(
          DIGEST_USAGE,
          `There is no digest "${id}".${close.length ? ` Did you mean ${close.map((c) => `\`${c}\``).join(', ')}?` : ''} Digests: ${[...byId.keys()].join(', ')}.`,
          `/ops digest ${[...byId.keys()][0]} preview`,
        );
      }
      if (action !== 'preview' && action !== 'now') {
        throw usageError(
          DIGEST_USAGE,
          action === undefined
            ? `Say what to do with digest "${id}": \`preview\` (only you see it) or \`now\` (post it in its channel).`
            : `"${action}" is not something a digest does; use \`preview\` or \`now\`.`,
          `/ops digest ${id} preview`,
        );
      }
      if (action === 'now' && !(await deps.policy.isAdmin(ctx.requester.userId))) {
        throw new AppError({
          code: 'forbidden',
          userMessage: `Only admins (\`admins:\` in the team file) can post a digest outside its schedule. \`/ops digest ${id} preview\` shows it to you.`,
        });
      }
      const r = await deps.enqueue({
        spec: digestRunSpec,
        payload: { digestId: id, mode: action },
        jobId: safeJobId('digest', action, id, ctx.invocationId),
        requestedBy: ctx.requester.userId,
        target: ctx.target,
        traceId: ctx.traceId,
        title: `Digest ${id} ${action}`,
      });
      const text =
        action === 'preview'
          ? `Preparing a preview of digest \`${id}\` (only you will see it)…`
          : `Posting digest \`${id}\` to <#${digest.channel}> now…`;
      return { ...ephemeral(r.created ? text : `Already on it: job \`${r.jobId}\`.`), jobIds: [r.jobId] };
    },
  };

  function notConfigured(): AppError {
    return new AppError({
      code: 'not_configured',
      userMessage:
        'No digests are configured. Add a `digests:` section to the team file (SHIPMATE_CONFIG), e.g. `- { id: morning, channel: C0123ABCD, cron: "0 9 * * 1-5", timezone: Europe/Berlin, sections: [cluster, ci, deploys] }`.',
    });
  }

  async function list() {
    if (byId.size === 0) throw notConfigured();
    const now = deps.now?.() ?? new Date();
    const lines = await Promise.all(
      deps.digests.map(async (d) => {
        const next = nextRun(d, now);
        const last = (await deps.store.get(d.id)).last;
        const lastText = last
          ? `last: ${last.result} ${formatWhen(new Date(last.at), d.timezone)} (${escapeMrkdwn(truncate(last.detail, 120))})`
          : 'not run yet';
        return `• *${d.id}* → <#${d.channel}> · ${d.sections.join(', ')} · \`${d.cron}\` · next: ${next ? `${formatWhen(next, d.timezone)} ${d.timezone}` : 'never'} · ${lastText}`;
      }),
    );
    const foot = deps.scheduled
      ? `\`/ops digest <id> preview\` shows one to you; \`/ops digest <id> now\` posts it (admins).`
      : "Scheduled runs happen in the Slack deployment's workers, not in this console; `preview` and `now` work here.";
    const text = `Digests (${deps.digests.length}):\n${lines.join('\n')}\n${foot}`;
    return ephemeral(text, [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }]);
  }
}
