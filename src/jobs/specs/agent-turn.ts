import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

export const agentTurnPayload = z.object({
  text: z.string().max(40_000),
  /** ts of the asking message: history is what came before it in the thread. */
  messageTs: z.string().optional(),
});
export type AgentTurnPayload = z.infer<typeof agentTurnPayload>;

/** An @mention, DM or console line answered in its thread. */
export const agentTurnSpec = defineJobSpec({ name: 'agent_turn', payload: agentTurnPayload, attempts: 3 });
