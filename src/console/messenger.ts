import type { Message } from '../../tools/shared/message.ts';
import type { MessageHandle, Messenger } from '../jobs/messenger.ts';
import { messageToText } from './render.ts';

/**
 * The console's side of job messages: a progress message becomes one line per step (the Cancel
 * button shown as its command once, at the start), the final edit prints the whole result, and a
 * file attached to it (uploaded into its thread in Slack) is printed in full after it — already
 * redacted, as every job outcome is.
 */
export function createConsoleMessenger(write: (text: string) => void): Messenger {
  let next = 1;
  const firstLine = (m: Message) => messageToText({ text: m.text, blocks: m.blocks?.slice(0, 1) });
  return {
    async post(_target, message) {
      write(messageToText(message));
      return { ts: String(next++) };
    },
    async update(_target, _handle: MessageHandle, message, final) {
      write(final ? messageToText(message) : firstLine(message));
    },
    async postInThread(_target, _handle, message) {
      write(messageToText(message).replace(/^/gm, '  │ '));
    },
    async attach(_target, _handle, file) {
      const lines = file.content.replace(/\n$/, '').split('\n');
      write(
        [
          `  ┌ ${file.title} (${lines.length} line${lines.length === 1 ? '' : 's'})`,
          ...lines.map((l) => `  │ ${l}`),
          '  └',
        ].join('\n'),
      );
    },
    async ephemeral(_target, _userId, message) {
      write(messageToText(message));
    },
  };
}
