import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const digestRunPayload = z.object({
  digestId: z.string().min(1).max(40),
  /**
   * `scheduled`: a scheduler's occurrence (remembered, exactly once); `now`: posted on request,
   * the schedule's memory untouched; `preview`: shown only to the requester.
   */
  mode: z.enum(['scheduled', 'now', 'preview']),
});
export type DigestRunPayload = z.infer<typeof digestRunPayload>;

/** A digest posts its own message (no progress message) and is not cancelled by people. */
export const digestRunSpec = defineJobSpec({
  name: 'digest_run',
  payload: digestRunPayload,
  attempts: 3,
  progressMessage: false,
  cancellable: false,
});
