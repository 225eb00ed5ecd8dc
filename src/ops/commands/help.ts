import type { Message } from '../../../tools/shared/message.ts';
import type { OpsCommand } from '../command.ts';

/** `/ops help`: the subcommands that exist, one line each (rendered once by the router). Always ephemeral. */
export function createHelpCommand(help: () => Message): OpsCommand {
  return {
    name: 'help',
    usage: '/ops help',
    summary: 'this list',
    keywords: ['help', 'commands'],
    async run() {
      return { message: help(), visibility: 'ephemeral' };
    },
  };
}
