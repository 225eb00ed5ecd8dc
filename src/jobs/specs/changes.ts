import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const proposePayload = z.object({
  input: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('deploy'),
      service: z.string(),
      environment: z.string(),
      version: z.string(),
    }),
    z.object({
      kind: z.literal('rollback'),
      service: z.string(),
      environment: z.string(),
      revision: z.number().int().positive().optional(),
    }),
  ]),
  invocationId: z.string(),
});
export type ProposePayload = z.infer<typeof proposePayload>;

/** `/ops deploy` and `/ops rollback`: preview + dry run + a pending request. */
export const changeProposeSpec = defineJobSpec({
  name: 'change_propose',
  payload: proposePayload,
  attempts: 3,
});

export const requestIdPayload = z.object({ requestId: z.string() });
export type RequestIdPayload = z.infer<typeof requestIdPayload>;

/** Expires a request nobody decided in time (a delayed job, no message). */
export const changeExpirySpec = defineJobSpec({
  name: 'change_expiry',
  payload: requestIdPayload,
  progressMessage: false,
});

/** Applies an approved request; not cancellable once it may have patched the cluster — roll back instead. */
export const changeApplySpec = defineJobSpec({
  name: 'change_apply',
  payload: requestIdPayload,
  attempts: 3,
  cancellable: false,
});
