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
