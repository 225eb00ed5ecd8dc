import type { z } from 'zod';
import type { Message } from './message.ts';
import type { Ports } from './ports.ts';

/**
 * What a tool may do to the world. Only `read` tools act when the agent calls them; `write` and
 * `destructive` tools return a proposal that a permitted person approves with a button.
 */
export type Risk = 'read' | 'write' | 'destructive';

/** Who is asking, where, and how to report. Built by src/ from the Slack event or console line — never from model arguments. */
export interface ToolContext {
  /** Slack user id of the person the tool acts for (`U…`); in the console, the console user. */
  userId: string;
  /** Slack channel the request came from, when there is one. */
  channelId?: string;
  /** Correlates logs, jobs and the user-visible reference id. */
  traceId: string;
  /** Aborted when the job is cancelled or its time limit passes; tools pass it to their I/O. */
  signal: AbortSignal;
  /** Reports a step of progress ("Listing pods… 3,000 so far"); cheap, throttled by the caller. */
  progress: (step: string) => void;
}

/**
 * A capability of the bot: the agent calls it with model-chosen `input`, `/ops` commands and buttons
 * call it with parsed arguments, and both render the same typed result — `summarize()` as compact
 * text for the LLM (a few hundred tokens, however large the cluster or log) and `blocks()` as a Slack
 * message within Slack's limits.
 */
export interface Tool<I = unknown, R = unknown> {
  /** snake_case, as the LLM sees it. */
  readonly name: string;
  /** When to use it and when not — this is the model's only guide. */
  readonly description: string;
  /** Every field carries `.describe()`; the same schema validates `/ops` arguments. */
  readonly input: z.ZodType<I>;
  readonly risk: Risk;
  run(deps: Ports, input: I, ctx: ToolContext): Promise<R>;
  summarize(result: R): string;
  blocks(result: R): Message;
  /** Its `/ops` alias, when people may run it by command as well as through the agent (read tools only). */
  readonly command?: ToolCommand<I>;
}

/**
 * A tool's `/ops` subcommand: the command router runs it as a job (src/ops/tool-command.ts), so a
 * tool-backed command is this field plus one line in its feature.
 */
export interface ToolCommand<I> {
  /** The subcommand: `status` for `/ops status`. */
  readonly name: string;
  /** One line: `/ops status [namespace] [--cluster <context>]`. */
  readonly usage: string;
  /** One line: what it does (help, and the no-LLM guide). */
  readonly summary: string;
  /** Words people use for this ("did you mean", and the no-LLM guide for mentions). */
  readonly keywords: readonly string[];
  /** The words after the subcommand → the tool's input. Throws a `usage` error (tools/shared/args.ts). */
  parse(words: readonly string[]): I;
  /** The progress message's title: "Cluster status of prod". */
  title(input: I): string;
  /**
   * Ports it cannot run without (or, for an input, the ports that input needs). Checked after the
   * words parse (so `/ops triage` alone shows usage) and before anything is queued.
   */
  readonly requires?: readonly PortName[] | ((input: I) => readonly PortName[]);
}

/** The optional ports a tool may need (Ports minus `redact`). */
export type PortName = Exclude<keyof Ports, 'redact'>;

const NAME = /^[a-z][a-z0-9_]{1,63}$/;

/** Declares a tool; checks the name so a typo fails at import time rather than inside a model call. */
export function defineTool<I, R>(tool: Tool<I, R>): Tool<I, R> {
  if (!NAME.test(tool.name)) throw new Error(`tool name "${tool.name}" must be snake_case (${NAME})`);
  if (tool.description.trim().length < 20)
    throw new Error(`tool ${tool.name} needs a description of when to use it`);
  if (tool.command && tool.risk !== 'read')
    throw new Error(`tool ${tool.name} changes things: it cannot have an /ops alias that runs it directly`);
  return Object.freeze(tool);
}
