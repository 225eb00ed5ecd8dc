import type { Tool } from '../../../tools/shared/define-tool.ts';
import type { Message } from '../../../tools/shared/message.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import { AppError } from '../../errors.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import type { RunToolPayload } from '../specs/run-tool.ts';
import { toolContext } from '../tool-context.ts';

/**
 * Adds to a tool's rendered result before it is posted (e.g. an LLM explanation of a CI triage). Gets
 * the tool's typed result and its blocks (the messenger redacts everything it sends to Slack).
 */
export type ResultDecorator = (
  result: unknown,
  message: Message,
  run: JobRun<RunToolPayload>,
) => Promise<Message>;

/**
 * The job behind `/ops` commands and buttons that run a read tool: validates the input against the
 * tool's own schema, runs it with the requester's identity, and ends the progress message with the
 * tool's blocks (redacted by the messenger). Only `read` tools run here; changes go through approval jobs.
 * `decorate`, by tool name, post-processes a tool's message (optional).
 */
export interface RunToolDeps {
  tools: readonly Tool<unknown, unknown>[];
  ports: Ports;
  decorate?: Readonly<Record<string, ResultDecorator>>;
}

export function createRunToolProcessor(
  deps: RunToolDeps,
): (run: JobRun<RunToolPayload>) => Promise<JobOutcome> {
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  return async (run) => {
    const tool = byName.get(run.payload.tool);
    if (!tool)
      throw new AppError({
        code: 'unknown_tool',
        userMessage: `This bot has no tool "${run.payload.tool}" any more.`,
      });
    if (tool.risk !== 'read') {
      throw new AppError({
        code: 'not_read_only',
        userMessage: `${tool.name} changes things and only runs after approval.`,
      });
    }
    const input = tool.input.parse(run.payload.input);
    const result = await tool.run(deps.ports, input, toolContext(run));
    const message = tool.blocks(result);
    const decorate = deps.decorate?.[tool.name];
    return { message: decorate ? await decorate(result, message, run) : message };
  };
}
