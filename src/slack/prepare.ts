import { fitMessage } from '../../tools/shared/block-kit.ts';
import type { Message } from '../../tools/shared/message.ts';
import { redactMessage } from '../../tools/shared/redact.ts';

/** Prepared messages by identity: the help message is one object, prepared once. */
const prepared = new WeakMap<Message, Message>();

/**
 * The one place a message is made ready for Slack, whichever path sends it (the messenger, a
 * command's ack, a button's response): secrets redacted, then fitted to Slack's limits.
 */
export function prepareForSlack(message: Message): Message {
  let m = prepared.get(message);
  if (!m) {
    m = fitMessage(redactMessage(message));
    prepared.set(message, m);
  }
  return m;
}
