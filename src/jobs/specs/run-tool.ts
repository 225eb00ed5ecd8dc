import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const runToolPayload = z.object({
  tool: z.string(),
  input: z.unknown(),
});
export type RunToolPayload = z.infer<typeof runToolPayload>;

/** `/ops` commands and buttons that run a read tool (status, logs, triage). */
export const runToolSpec = defineJobSpec({ name: 'run_tool', payload: runToolPayload, attempts: 3 });
