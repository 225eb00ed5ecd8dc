import type { Message } from '../../tools/shared/message.ts';
import type { ReplyTarget, Requester } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Everything a command knows about the request; built by the Slack or console adapter. */
export interface CommandContext {
  requester: Requester;
  /** Where a job started by this command reports progress. */
  target: ReplyTarget;
  traceId: string;
  log: Logger;
  /**
   * Unique per invocation and stable across repeats of the same invocation (Slack's trigger_id, a
   * button's message ts + action, a console line number), so job ids derived from it are idempotent.
   */
  invocationId: string;
  surface: 'slack' | 'console';
}

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
  run(argv: string[], ctx: CommandContext): Promise<CommandReply>;
}

/**
 * A bad argument: says what was wrong and shows the right form; nothing has run. Like every
 * AppError userMessage it is plain text (backticks allowed); renderers escape it for Slack.
 */
export function usageError(command: Pick<OpsCommand, 'usage'>, problem: string, example?: string): AppError {
  return new AppError({
    code: 'usage',
    userMessage: `${problem}\nUsage: \`${command.usage}\`${example ? `\nExample: \`${example}\`` : ''}`,
  });
}

export function ephemeral(text: string, blocks?: Message['blocks']): CommandReply {
  return { message: blocks ? { text, blocks } : { text }, visibility: 'ephemeral' };
}
