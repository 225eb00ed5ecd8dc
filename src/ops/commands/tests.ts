import { draftTests } from '../../../tools/draft-tests.ts';
import { parseArgs, usageError } from '../../../tools/shared/args.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import { AppError } from '../../errors.ts';
import { type Enqueue, safeJobId } from '../../jobs/enqueue.ts';
import { testsOpenSpec } from '../../jobs/specs/tests.ts';
import type { Policy } from '../../policy/policy.ts';
import type { DraftStore } from '../../tests/store.ts';
import { ephemeral, type OpsCommand } from '../command.ts';
import { toolCommand } from '../tool-command.ts';

const ACTION_USAGE = '/ops tests open|discard <draft-id>';

/**
 * `/ops tests <owner/repo> <path>[@ref] | <owner/repo>#<pull>` drafts (the draft_tests tool as a
 * job); `/ops tests open <draft-id>` and `/ops tests discard <draft-id>` are what the preview's
 * buttons run. Opening is for admins and the deployers of a service whose `repo` it is (the re-run
 * rule); one draft opens one pull request however many times it is clicked.
 */
export function createTestsCommand(deps: {
  enqueue: Enqueue;
  ports: Omit<Ports, 'redact'>;
  policy: Policy;
  store: DraftStore;
}): OpsCommand {
  const draft = toolCommand(draftTests, { enqueue: deps.enqueue, ports: deps.ports });
  return {
    ...draft,
    async run(argv, ctx) {
      const verb = argv[0];
      if (verb !== 'open' && verb !== 'discard') return draft.run(argv, ctx);
      const { positional } = parseArgs(argv.slice(1), { usage: ACTION_USAGE, maxPositional: 1 });
      const id = positional[0];
      if (!id || !/^td-[0-9a-f]{12}$/.test(id))
        throw usageError(
          ACTION_USAGE,
          `"${id ?? ''}" is not a draft id (td- and 12 hex digits, from the preview's buttons).`,
        );
      const d = await deps.store.get(id);
      if (!d)
        throw new AppError({
          code: 'tests_draft_expired',
          userMessage: `Draft ${id} is gone (drafts wait a day). Ask again with \`/ops tests …\`.`,
        });
      const repo = `${d.owner}/${d.repo}`;
      const user = ctx.requester.userId;
      const verdict = await deps.policy.canRerun(user, repo, 'open pull requests in');
      if (verb === 'discard' && user !== d.requestedBy && !verdict.ok)
        throw new AppError({
          code: 'forbidden',
          userMessage: `Only the person who asked (<@${d.requestedBy}>) or those who may open it can discard this draft.`,
        });
      if (verb === 'open' && !verdict.ok)
        throw new AppError({
          code: 'forbidden',
          userMessage: `You can't open this pull request. ${verdict.why}`,
        });
      if (!(await deps.store.take(id, verb === 'open' ? 'opened' : 'discarded', user))) {
        const [how, by] = ((await deps.store.takenBy(id)) ?? 'used:').split(':');
        return ephemeral(`Draft ${id} was already ${how}${by ? ` by <@${by}>` : ''}.`);
      }
      if (verb === 'discard') return ephemeral(`Discarded draft ${id}; nothing was pushed to ${repo}.`);
      try {
        const r = await deps.enqueue({
          spec: testsOpenSpec,
          payload: { draftId: id },
          jobId: safeJobId('tests-open', id),
          requestedBy: user,
          target: ctx.target,
          traceId: ctx.traceId,
          title: `Opening a draft PR in ${repo}`,
        });
        return { ...ephemeral(''), jobIds: [r.jobId] };
      } catch (e) {
        await deps.store.release(id);
        throw e;
      }
    },
  };
}
