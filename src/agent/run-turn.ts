import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { createAgent, createMiddleware, MiddlewareError, modelCallLimitMiddleware } from 'langchain';
import type { Tool, ToolContext } from '../../tools/shared/define-tool.ts';
import type { Ports } from '../../tools/shared/ports.ts';
import { redact } from '../../tools/shared/redact.ts';
import { SYSTEM_PROMPT } from './prompt.ts';
import { type TurnState, toLangChainTool } from './tool-adapter.ts';

export interface TurnLimits {
  /** Tool calls per question. */
  maxToolCalls: number;
  /** Model calls per question. */
  maxModelCalls: number;
  /** Wall-clock limit of the whole turn. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: TurnLimits = { maxToolCalls: 6, maxModelCalls: 8, timeoutMs: 120_000 };

/** Model calls that returned and the tokens they reported; kept current while the turn runs. */
export interface TurnUsage {
  modelCalls: number;
  tokens: { input: number; output: number };
}

export function newTurnUsage(): TurnUsage {
  return { modelCalls: 0, tokens: { input: 0, output: 0 } };
}

/** Counts every model call as it returns, so a turn cut short (time limit, error) still accounts for them. */
function usageMiddleware(usage: TurnUsage) {
  return createMiddleware({
    name: 'ShipmateUsage',
    wrapModelCall: async (request, handler) => {
      const res = await handler(request);
      if (AIMessage.isInstance(res)) {
        usage.modelCalls += 1;
        usage.tokens.input += res.usage_metadata?.input_tokens ?? 0;
        usage.tokens.output += res.usage_metadata?.output_tokens ?? 0;
      }
      return res;
    },
  });
}

export interface TurnResult extends TurnUsage {
  /** The model's answer; empty when a limit stopped it before it answered. */
  text: string;
  state: TurnState;
  /** Why the turn ended early, if it did. */
  stopped?: 'tool_limit' | 'model_limit' | 'timeout';
}

function textOf(m: BaseMessage): string {
  const c = m.content;
  if (typeof c === 'string') return c;
  return c
    .map((part) =>
      typeof part === 'string'
        ? part
        : part.type === 'text'
          ? String((part as { text?: string }).text ?? '')
          : '',
    )
    .join('');
}

/**
 * Runs one agent turn — the only caller of the agent's invoke. The model sees the system prompt, the
 * thread so far and the redacted question; tools run with `ctx` (identity from the Slack event). Limits
 * on tool calls, model calls and time end the turn early with what was found so far, never an error.
 */
export async function runTurn(o: {
  model: BaseChatModel;
  tools: readonly Tool<unknown, unknown>[];
  deps: Ports;
  ctx: ToolContext;
  history: BaseMessage[];
  question: string;
  limits: TurnLimits;
  /** Filled in as model calls return; pass one to account for a turn that throws. */
  usage?: TurnUsage;
}): Promise<TurnResult> {
  const usage = o.usage ?? newTurnUsage();
  const state: TurnState = {
    toolCalls: 0,
    maxToolCalls: o.limits.maxToolCalls,
    found: [],
    notRun: [],
    artifacts: [],
  };
  const timeout = AbortSignal.timeout(o.limits.timeoutMs);
  const signal = AbortSignal.any([o.ctx.signal, timeout]);
  const ctx: ToolContext = { ...o.ctx, signal };
  const agent = createAgent({
    model: o.model,
    tools: o.tools.map((t) => toLangChainTool(t, o.deps, ctx, state)),
    systemPrompt: SYSTEM_PROMPT,
    middleware: [
      usageMiddleware(usage),
      modelCallLimitMiddleware({ runLimit: o.limits.maxModelCalls, exitBehavior: 'end' }),
    ],
  });
  let messages: BaseMessage[] = [];
  let stopped: TurnResult['stopped'];
  try {
    const out = await agent.invoke(
      { messages: [...o.history, new HumanMessage(redact(o.question))] },
      { signal, recursionLimit: 4 * o.limits.maxModelCalls + 4 },
    );
    messages = out.messages as BaseMessage[];
  } catch (thrown) {
    // A model call's error reaches here wrapped by the middleware it passed through; callers need
    // the SDK's own error (its HTTP status says whether to retry).
    const e = MiddlewareError.isInstance(thrown) && thrown.cause !== undefined ? thrown.cause : thrown;
    if (o.ctx.signal.aborted) throw e; // cancelled by a person: the job runtime reports it
    if (!timeout.aborted) throw e;
    stopped = 'timeout';
  }
  const last = messages.at(-1);
  const answered =
    last && AIMessage.isInstance(last) && !last.tool_calls?.length && textOf(last).trim() !== '';
  // The tool limit is reached first when it is reached at all: it is what the user should hear.
  if (!stopped && state.notRun.length) stopped = 'tool_limit';
  if (!stopped && !answered) stopped = 'model_limit';
  return { text: answered && last ? textOf(last).trim() : '', state, ...usage, stopped };
}
