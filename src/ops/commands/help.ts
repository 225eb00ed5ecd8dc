import { ephemeral, type OpsCommand } from '../command.ts';
import { renderHelp } from '../router.ts';

/** `/ops help`: the subcommands that exist, one line each. Always ephemeral. */
export function createHelpCommand(all: () => readonly OpsCommand[]): OpsCommand {
  return {
    name: 'help',
    usage: '/ops help',
    summary: 'this list',
    keywords: ['help', 'commands'],
    async run() {
      const h = renderHelp(all());
      return ephemeral(h.text, h.blocks);
    },
  };
}
