import { context, escapeMrkdwn, section, truncate } from '../../../tools/shared/block-kit.ts';
import { kindLabel, triageRun } from '../../../tools/shared/ci/triage.ts';
import { FAILED_RUN_CONCLUSIONS } from '../../../tools/shared/ci/workflow-run.ts';
import type { GitHubPort } from '../../../tools/shared/github-port.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import type { RepoPort } from '../../../tools/shared/repo-port.ts';
import { gatherContext } from '../../../tools/shared/tests/context.ts';
import { draftFile } from '../../../tools/shared/tests/draft.ts';
import { AppError } from '../../errors.ts';
import type { DraftStore } from '../../tests/store.ts';
import type { WatchIndex } from '../../tests/watch-index.ts';
import type { Enqueue } from '../enqueue.ts';
import { safeJobId } from '../enqueue.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import { type TestsWatchPayload, testsWatchSpec } from '../specs/tests.ts';
import { toolContext } from '../tool-context.ts';

export interface WatchTiming {
  /** First look after a push, then doubling up to `maxPollMs`. */
  firstPollMs: number;
  maxPollMs: number;
  /** Give up on a commit whose runs have not all finished after this long. */
  limitMs: number;
  /** Rounds of commits in all (TESTS_MAX_ATTEMPTS): the first draft plus revisions. */
  maxRounds: number;
}

export interface WatchDeps {
  github: GitHubPort | undefined;
  repo: RepoPort | undefined;
  ports: Ports;
  store: DraftStore;
  enqueue: Enqueue;
  timing: WatchTiming;
  /** Commit → watch job, for `workflow_run` deliveries to wake it (src/tests/workflow-run-listener.ts). */
  index: WatchIndex;
}

/** A poll that a delivery nudged while it ran looks again after this long, in ms, instead of its backoff. */
export const NUDGED_POLL_MS = 2000;

/** One watch job per draft and round: queueing it twice is a no-op. */
export const watchJobId = (p: Pick<TestsWatchPayload, 'draftId' | 'round'>) =>
  safeJobId('tests-watch', p.draftId, String(p.round));

const say = (text: string, note?: string): JobOutcome => ({
  message: { text, blocks: [section(text), ...(note ? [context(note)] : [])] },
});

/**
 * Queues the watch of a pushed commit (the first look after `firstPollMs`), indexed by the commit
 * first, so a `workflow_run` delivery for it can wake the job.
 */
export async function watchCommit(
  deps: Pick<WatchDeps, 'enqueue' | 'timing' | 'index'>,
  run: Pick<JobRun<unknown>, 'requestedBy' | 'target' | 'traceId'>,
  p: Omit<TestsWatchPayload, 'since'>,
  repo: string,
): Promise<void> {
  const jobId = watchJobId(p);
  await deps.index.watching(repo, p.headSha, jobId, deps.timing.limitMs + 2 * deps.timing.maxPollMs);
  await deps.enqueue({
    spec: testsWatchSpec,
    payload: { ...p, since: Date.now() },
    jobId,
    requestedBy: run.requestedBy,
    target: run.target,
    traceId: run.traceId,
    title: `CI of pull request #${p.number}`,
    delayMs: deps.timing.firstPollMs,
  });
}

/**
 * Closes the loop on a drafted PR: waits for the Actions runs of its head commit (polling with
 * backoff, within a time limit; a `workflow_run` delivery promotes the waiting job, so with the
 * webhook the polls are only the fallback) and says in the thread whether they passed, or the triage of the
 * one that failed. When the failure is in the drafted file it asks the model once more with the
 * triage excerpt, pushes the revision and watches again — at most `maxRounds` commits in all.
 */
export async function processTestsWatch(
  run: JobRun<TestsWatchPayload>,
  deps: WatchDeps,
): Promise<JobOutcome> {
  const p = run.payload;
  const draft = await deps.store.get(p.draftId);
  if (!draft || !deps.github || !deps.repo)
    throw new AppError({
      code: 'tests_draft_expired',
      userMessage: `Draft ${p.draftId} is gone; stopped watching #${p.number}.`,
    });
  const ref = { owner: draft.owner, repo: draft.repo };
  const pr = `<${p.url}|#${p.number}>`;
  const runs = await deps.github.listWorkflowRuns(
    { ...ref, headSha: p.headSha, perPage: 50 },
    { signal: run.signal },
  );
  const polls = Number(run.checkpoint.data.polls ?? 0);
  const waited = Date.now() - p.since;
  if (runs.length === 0 || runs.some((r) => r.status !== 'completed')) {
    if (waited > deps.timing.limitMs) {
      return say(
        runs.length
          ? `:hourglass: CI of ${pr} is still running after ${Math.round(waited / 60_000)} min; Shipmate stopped watching. The PR shows the result.`
          : `:grey_question: No workflow ran for ${pr} (commit \`${p.headSha.slice(0, 7)}\`) within ${Math.round(waited / 60_000)} min: does a workflow run on pull requests?`,
      );
    }
    await run.checkpoint.save({ polls: polls + 1 });
    // A delivery that came while this poll ran may be for a run it read as unfinished: look again soon.
    const nudged = await deps.index.takeNudge(watchJobId(p));
    return run.retryLater(
      nudged ? NUDGED_POLL_MS : Math.min(deps.timing.maxPollMs, deps.timing.firstPollMs * 2 ** polls),
      runs.length
        ? `waiting for ${runs.filter((r) => r.status !== 'completed').length} run(s) of #${p.number}`
        : `waiting for CI of #${p.number} to start`,
    );
  }
  const failed = runs.filter((r) => FAILED_RUN_CONCLUSIONS.has(r.conclusion ?? ''));
  if (failed.length === 0) {
    const links = runs
      .slice(0, 5)
      .map((r) => `<${r.htmlUrl}|${escapeMrkdwn(truncate(r.name || 'CI', 40))}>`)
      .join(', ');
    return say(
      `:white_check_mark: CI passed on ${pr}${p.round > 1 ? ` after ${p.round - 1} revision${p.round > 2 ? 's' : ''}` : ''}: ${links}. Review and merge when it reads right.`,
    );
  }
  const first = failed[0];
  if (!first) throw new Error('unreachable');
  const t = await triageRun(deps.github, deps.ports.redact, ref, first, { maxJobs: 2, signal: run.signal });
  const job = t.jobs.find((j) => j.firstError) ?? t.jobs[0];
  const failure = [job?.firstError ?? '', ...(job?.excerpt ?? []).map((l) => l.text)].join('\n');
  const summary = `${kindLabel(t.kind)}${job?.firstError ? `: \`${escapeMrkdwn(truncate(job.firstError, 200))}\`` : ''}`;
  const runLink = `<${first.htmlUrl}|${escapeMrkdwn(truncate(first.name || 'CI', 40))} #${first.runNumber}>`;
  const file = draft.files.find(
    (f) => failure.includes(f.path) || failure.includes(f.path.replace(/^.*\//, '')),
  );
  if (!file)
    return say(
      `:x: CI failed on ${pr} (${runLink}), not in the drafted tests: ${summary}. The drafted file is not the cause; nothing was revised.`,
    );
  if (p.round >= deps.timing.maxRounds || !deps.ports.tests?.complete)
    return say(
      `:x: CI fails on ${pr} in the drafted \`${escapeMrkdwn(file.path)}\` (${runLink}): ${summary}.`,
      p.round >= deps.timing.maxRounds
        ? `Stopped after ${p.round} round${p.round === 1 ? '' : 's'} (TESTS_MAX_ATTEMPTS); fix or close the PR.`
        : 'No LLM is configured, so no revision was drafted.',
    );
  run.progress(`Revising ${file.path} after the CI failure…`);
  const rc = await gatherContext(
    {
      repo: deps.repo,
      github: deps.github,
      redact: deps.ports.redact,
      sourceBudgetChars: (deps.ports.tests.promptTokens ?? 12_000) * 2,
    },
    { kind: 'file', ...ref, path: file.source, ref: draft.baseSha },
    run.signal,
    run.progress,
  );
  const source = rc.sources[0];
  if (!source)
    throw new AppError({
      code: 'tests_file_not_found',
      userMessage: `${file.source} is gone from ${draft.baseRef}.`,
    });
  const revised = await draftFile(deps.ports, toolContext(run), rc, { ...source, testPath: file.path }, [], {
    code: file.code,
    problems: [
      `CI (${first.name} #${first.runNumber}) failed in ${file.path}: ${deps.ports.redact(truncate(failure, 3000))}`,
    ],
  });
  if (!revised.draft)
    return say(
      `:x: CI fails on ${pr} in \`${escapeMrkdwn(file.path)}\` (${runLink}): ${summary}. The revision failed its checks too; fix or close the PR.`,
    );
  const { commitSha } = await deps.repo.commitFiles(
    {
      ...ref,
      branch: p.branch,
      baseSha: p.headSha,
      files: [{ path: file.path, text: revised.draft.code }],
      message: `Revise ${file.path} after CI failed\n\nDrafted by Shipmate (${draft.model}).`,
    },
    { signal: run.signal },
  );
  await watchCommit(
    deps,
    run,
    { ...p, headSha: commitSha, round: p.round + 1 },
    `${draft.owner}/${draft.repo}`,
  );
  return say(
    `:repeat: CI failed on ${pr} in \`${escapeMrkdwn(file.path)}\` (${runLink}): ${summary}. Pushed a revision (\`${commitSha.slice(0, 7)}\`, round ${p.round + 1} of ${deps.timing.maxRounds}); watching CI again.`,
  );
}
