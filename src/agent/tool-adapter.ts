import { tool } from '@langchain/core/tools';
import type { Tool, ToolContext } from '../../tools/shared/define-tool.ts';
import type { Message } from '../../tools/shared/message.ts';
import type { Ports } from '../../tools/shared/ports.ts';
import { redact } from '../../tools/shared/redact.ts';

import { toAppError } from '../errors.ts';

/** What one turn's tools produced, for the answer and for "what was found so far" when a limit hits. */
export interface TurnState {
  toolCalls: number;
  maxToolCalls: number;
  found: Array<{ tool: string; summary: string }>;
  notRun: string[];
  artifacts: Array<{ tool: string; risk: Tool['risk']; message: Message }>;
}

/**
 * Wraps a tool's compact summary as delimited data for the model. The closing tag is escaped inside
 * the content so a log line cannot end the block early and pose as an instruction.
 */
export function asToolResult(name: string, summary: string): string {
  const safe = summary.replace(/<\/?tool_result/gi, (m) => m.replace('<', '‹'));
  return `<tool_result name="${name}">\n${safe}\n</tool_result>`;
}

/**
 * The one adapter from a Shipmate tool to a LangChain tool. The model chooses only `input`; identity,
 * channel and permissions come from `ctx`, which the caller built from the Slack event. The model
 * sees the redacted summary; the Slack answer renders the tool's own blocks (the artifact).
 */
export function toLangChainTool(t: Tool<unknown, unknown>, deps: Ports, ctx: ToolContext, state: TurnState) {
  return tool(
    async (input: unknown) => {
      if (state.toolCalls >= state.maxToolCalls) {
        state.notRun.push(t.name);
        return [
          `Not run: the limit of ${state.maxToolCalls} tool calls for one question was reached. Answer with what you have.`,
          null,
        ];
      }
      state.toolCalls++;
      ctx.progress(`running ${t.name}`);
      try {
        const result = await t.run(deps, input, ctx);
        const summary = redact(t.summarize(result));
        // The same call twice adds nothing for the user: keep one copy of each distinct result.
        if (!state.found.some((f) => f.tool === t.name && f.summary === summary)) {
          state.found.push({ tool: t.name, summary });
          state.artifacts.push({ tool: t.name, risk: t.risk, message: t.blocks(result) });
        }
        return [asToolResult(t.name, summary), { tool: t.name }];
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const err = toAppError(e);
        state.found.push({ tool: t.name, summary: `failed: ${err.userMessage}` });
        return [asToolResult(t.name, `The tool failed: ${redact(err.userMessage)}`), null];
      }
    },
    {
      name: t.name,
      description: t.description,
      schema: t.input as never,
      responseFormat: 'content_and_artifact',
    },
  );
}
