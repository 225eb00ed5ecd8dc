import { z } from 'zod';
import type { Tool } from '../../../tools/shared/define-tool.ts';
import type { Message } from '../../../tools/shared/message.ts';
import type { Ports } from '../../../tools/shared/ports.ts';
import { AppError } from '../../errors.ts';
import { defineJob, type JobKind, type JobRun } from '../queues.ts';

export const runToolPayload = z.object({
  tool: z.string(),
  input: z.unknown(),
});
export type RunToolPayload = z.infer<typeof runToolPayload>;

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
export function createRunToolJob(deps: {
  tools: readonly Tool<unknown, unknown>[];
  ports: Ports;
  decorate?: Readonly<Record<string, ResultDecorator>>;
}): JobKind<RunToolPayload> {
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  return defineJob({
    name: 'run_tool',
    payload: runToolPayload,
    attempts: 3,
    async process(run) {
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
      const result = await tool.run(deps.ports, input, {
        userId: run.requestedBy,
        channelId: run.target.kind === 'slack' ? run.target.channel : undefined,
        traceId: run.traceId,
        signal: run.signal,
        progress: run.progress,
      });
      const message = tool.blocks(result);
      const decorate = deps.decorate?.[tool.name];
      return { message: decorate ? await decorate(result, message, run) : message };
    },
  });
}
