import { ZodError } from 'zod';
import { escapeMrkdwn, escapeText, fields, section } from '../../tools/shared/block-kit.ts';
import type { Message } from '../../tools/shared/message.ts';
import { newRefId, toAppError } from '../errors.ts';
import { closest, tokenize } from './args.ts';
import { type CommandContext, type CommandReply, ephemeral, type OpsCommand } from './command.ts';
import { renderHelp } from './help.ts';

export interface OpsRouter {
  readonly commands: readonly OpsCommand[];
  /** Handles the text after `/ops`. Never throws: every failure becomes a reply the user can act on. */
  handle(text: string, ctx: CommandContext): Promise<CommandReply>;
  help(): Message;
}

export function createOpsRouter(commandList: readonly OpsCommand[]): OpsRouter {
  const byName = new Map<string, OpsCommand>();
  for (const c of commandList) {
    if (byName.has(c.name)) throw new Error(`duplicate /ops subcommand ${c.name}`);
    byName.set(c.name, c);
  }
  // The list is fixed once built; render help once (it is the most frequent command).
  const rendered = renderHelp(commandList);
  const help = () => rendered;

  return {
    commands: commandList,
    help,
    async handle(text, ctx) {
      const words = tokenize(text.trim());
      const name = (words[0] ?? 'help').toLowerCase();
      const command = byName.get(name);
      if (!command && name === 'help') {
        const h = help();
        return ephemeral(h.text, h.blocks);
      }
      if (!command) {
        // A typo gets "did you mean", anything else the list of names — never the whole help again.
        const listed = commandList.filter((c) => !c.hidden).map((c) => c.name);
        const guesses = closest(name, listed);
        const lead = guesses.length
          ? `Unknown subcommand \`${escapeMrkdwn(name)}\`. Did you mean ${guesses.map((g) => `\`/ops ${g}\``).join(' or ')}?`
          : `Unknown subcommand \`${escapeMrkdwn(name)}\`. Subcommands: ${listed.join(', ')} — \`/ops help\` says what each does.`;
        return ephemeral(lead, [section(lead)]);
      }
      const log = ctx.log;
      try {
        return await command.run(words.slice(1), ctx);
      } catch (e) {
        if (e instanceof ZodError) {
          const problems = e.issues
            .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
            .join('; ');
          const msg = escapeMrkdwn(`Invalid arguments: ${problems}.\nUsage: \`${command.usage}\``);
          log.info({ command: command.name, code: 'usage' }, 'command refused');
          return ephemeral(msg, [section(`⚠️ ${msg}`)]);
        }
        const err = toAppError(e);
        if (err.code === 'usage' || (!err.retryable && err.code !== 'internal')) {
          log.info({ command: command.name, code: err.code }, 'command refused');
          const msg = escapeText(err.userMessage);
          return ephemeral(msg, [section(`⚠️ ${msg}`)]);
        }
        const ref = newRefId();
        log.error({ command: command.name, ref, code: err.code, err: err.cause ?? err }, 'command failed');
        const msg = `${escapeText(err.userMessage)} (ref ${ref})`;
        return ephemeral(msg, [section(`❌ ${escapeText(err.userMessage)}`), fields([`ref \`${ref}\``])]);
      }
    },
  };
}
