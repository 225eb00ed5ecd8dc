import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { textOf } from '../agent/explain-failure.ts';
import type { LlmPort } from '../clients/llm.ts';

/** One answer of the configured chat model, within `timeoutMs` (LangChain loads on first use). */
export async function completeWith(
  llm: LlmPort,
  prompt: { system: string; user: string },
  signal: AbortSignal,
  timeoutMs = 120_000,
): Promise<string> {
  const model = await llm.model();
  const reply = await model.invoke([new SystemMessage(prompt.system), new HumanMessage(prompt.user)], {
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  return textOf(reply.content);
}
