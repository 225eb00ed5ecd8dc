import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const testsOpenPayload = z.object({ draftId: z.string().regex(/^td-[0-9a-f]{12}$/) });
export type TestsOpenPayload = z.infer<typeof testsOpenPayload>;

/** Opens the pull request of a checked draft; once GitHub has the commit, stopping would not undo it. */
export const testsOpenSpec = defineJobSpec({
  name: 'tests_open_pr',
  payload: testsOpenPayload,
  attempts: 3,
  cancellable: false,
});

export const testsWatchPayload = z.object({
  draftId: z.string().regex(/^td-[0-9a-f]{12}$/),
  number: z.number().int().positive(),
  url: z.string(),
  branch: z.string().min(1),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  /** 1 for the first commit; each revision pushed adds one. */
  round: z.number().int().min(1).max(20),
  /** When watching this commit began (ms), for the time limit. */
  since: z.number().int().positive(),
});
export type TestsWatchPayload = z.infer<typeof testsWatchPayload>;

/** Watches the Actions runs of a drafted PR's head commit (delayed polls; no worker slot held while waiting). */
export const testsWatchSpec = defineJobSpec({
  name: 'tests_watch',
  payload: testsWatchPayload,
  attempts: 3,
  progressMessage: false,
  cancellable: false,
});
