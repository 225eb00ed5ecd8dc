import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const ciRerunPayload = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  runId: z.number().int().positive(),
});
export type CiRerunPayload = z.infer<typeof ciRerunPayload>;

/** Not cancellable: once GitHub has the request, stopping the job would not stop the run. */
export const ciRerunSpec = defineJobSpec({
  name: 'ci_rerun',
  payload: ciRerunPayload,
  attempts: 3,
  cancellable: false,
});

/** The failed run to triage: the run a re-run names, plus its attempt and where to post. */
export const ciTriagePayload = ciRerunPayload.extend({
  runAttempt: z.number().int().positive(),
  /** Slack channel from `ci.channels`. */
  channel: z.string().min(1),
  /** GitHub's `x-github-delivery`, for the logs. */
  deliveryId: z.string().optional(),
});
export type CiTriagePayload = z.infer<typeof ciTriagePayload>;

/** Automatic triage of a failed run; nobody asked, so no progress message (see processors/ci-triage.ts). */
export const ciTriageSpec = defineJobSpec({
  name: 'ci_triage',
  payload: ciTriagePayload,
  attempts: 3,
  progressMessage: false,
});

/** The message of a "Triage this log" shortcut: its text and file ids, and where it is. */
export const ciTriageLogPayload = z.object({
  channel: z.string().min(1),
  messageTs: z.string().min(1),
  /** Slack text of the message (at most 40,000 characters, Slack's own limit). */
  text: z.string().max(50_000),
  /** The message's author. */
  user: z.string().optional(),
  files: z.array(z.object({ id: z.string().min(1), name: z.string().optional() })).max(20),
});
export type CiTriageLogPayload = z.infer<typeof ciTriageLogPayload>;

/** Triage of a log pasted or attached in Slack ("Triage this log"), answered in the message's thread. */
export const ciTriageLogSpec = defineJobSpec({
  name: 'ci_triage_log',
  payload: ciTriageLogPayload,
  attempts: 2,
});
