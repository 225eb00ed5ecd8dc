import { usageError as toolUsageError } from '../../tools/shared/args.ts';
import type { Message } from '../../tools/shared/message.ts';
import type { RequestContext } from '../context.ts';
import type { AppError } from '../errors.ts';

/** Everything a command knows about the request; built by src/context.ts's requestContext. */
export type CommandContext = RequestContext;

export interface CommandReply {
  message: Message;
  visibility: 'ephemeral' | 'in_channel';
  /** Jobs this command queued (the console waits for them at end of input). */
  jobIds?: string[];
}

/**
 * A `/ops` subcommand. `run` parses its own words (throwing a usage error for bad input, before
 * anything happens), authorizes, then answers or enqueues; it must return well inside Slack's 3 s.
 */
export interface OpsCommand {
  name: string;
  /** One line: `/ops status [namespace] [--cluster <context>]`. */
  usage: string;
  /** One line: what it does. */
  summary: string;
  /** Words people use for this (help for mentions without an LLM). */
  keywords?: readonly string[];
  /**
   * Not listed in help or the guide: a stand-in for a command this installation cannot offer, whose
   * `run` says what it needs (instead of "Unknown subcommand" for a command the README documents).
   */
  hidden?: boolean;
  run(argv: string[], ctx: CommandContext): Promise<CommandReply>;
}

/** What help and the no-LLM guide show of a command. */
export type CommandInfo = Pick<OpsCommand, 'name' | 'usage' | 'summary' | 'keywords'>;

/**
 * A bad argument: says what was wrong and shows the right form; nothing has run. Like every
 * AppError userMessage it is plain text (backticks allowed); renderers escape it for Slack.
 */
export function usageError(command: Pick<OpsCommand, 'usage'>, problem: string, example?: string): AppError {
  return toolUsageError(command.usage, problem, example);
}

export function ephemeral(text: string, blocks?: Message['blocks']): CommandReply {
  return { message: blocks ? { text, blocks } : { text }, visibility: 'ephemeral' };
}
