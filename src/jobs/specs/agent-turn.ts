import { z } from 'zod';
import { defineJobSpec } from '../spec.ts';

/** The longest question the agent takes (characters); longer ones are refused before queueing. */
export const MAX_QUESTION_CHARS = 40_000;

export const agentTurnPayload = z.object({
  text: z.string().max(MAX_QUESTION_CHARS),
  /** ts of the asking message: history is what came before it in the thread. */
  messageTs: z.string().optional(),
});
export type AgentTurnPayload = z.infer<typeof agentTurnPayload>;

/** An @mention, DM or console line answered in its thread. */
export const agentTurnSpec = defineJobSpec({ name: 'agent_turn', payload: agentTurnPayload, attempts: 3 });
