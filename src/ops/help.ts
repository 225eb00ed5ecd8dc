import { context, escapeMrkdwn, section } from '../../tools/shared/block-kit.ts';
import type { Message } from '../../tools/shared/message.ts';
import type { CommandInfo } from './command.ts';

/** The help text: one line of usage per subcommand that exists, `/ops help` itself first. */
export function renderHelp(list: readonly CommandInfo[]): Message {
  const commands = [...list.filter((c) => c.name === 'help'), ...list.filter((c) => c.name !== 'help')];
  const lines = commands.map((c) => `\`${escapeMrkdwn(c.usage)}\` — ${escapeMrkdwn(c.summary)}`);
  return {
    text: `Shipmate commands:\n${commands.map((c) => `${c.usage} — ${c.summary}`).join('\n')}`,
    blocks: [
      section('*Shipmate* — `/ops &lt;subcommand&gt;`'),
      section(lines.join('\n')),
      context('Mention @shipmate in a channel or thread to ask in your own words.'),
    ],
  };
}
