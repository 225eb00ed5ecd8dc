import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { redact } from '../../tools/shared/redact.ts';

/** A message of a Slack thread as conversations.replies returns it. */
export interface ThreadMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

/** Rough token count (4 characters a token): enough to keep the prompt within budget. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Rebuilds the conversation from the Slack thread — there is no separate conversation store. Only
 * messages before the current question count; the bot's own messages become AI turns, everyone
 * else's human turns (prefixed with who said it). Oldest turns are dropped to fit `tokenBudget`.
 * Everything is redacted: it goes to the LLM.
 */
export function threadToHistory(
  messages: readonly ThreadMessage[],
  o: { beforeTs: string; botUserId?: string; tokenBudget: number },
): BaseMessage[] {
  const earlier = messages.filter((m) => m.ts && Number(m.ts) < Number(o.beforeTs) && m.text?.trim());
  const turns = earlier.map((m) => {
    const text = redact(
      (m.text ?? '').replace(/<@[A-Z0-9]+>/g, (x) => (x === `<@${o.botUserId}>` ? '' : x)).trim(),
    );
    return m.bot_id || (o.botUserId && m.user === o.botUserId)
      ? new AIMessage(text)
      : new HumanMessage(`<@${m.user ?? 'someone'}>: ${text}`);
  });
  let budget = o.tokenBudget;
  const kept: BaseMessage[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i];
    if (!t) continue;
    const cost = approxTokens(String(t.content));
    if (cost > budget) break;
    budget -= cost;
    kept.unshift(t);
  }
  // A conversation must not start with the assistant.
  while (kept[0] instanceof AIMessage) kept.shift();
  return kept;
}
