import { fitMessage, truncate } from '../../tools/shared/block-kit.ts';
import { neutralizeMentions, ownMentionsAsText } from '../../tools/shared/mention.ts';
import { type Block, type Message, type MessageFile, SLACK_LIMITS } from '../../tools/shared/message.ts';
import { redact, redactMessage } from '../../tools/shared/redact.ts';

/** Prepared messages by identity: the help message is one object, prepared once. */
const prepared = new WeakMap<Message, Message>();

/** Escaping lengthens text: cut again to the block's limit. */
const safe = (text: string, max: number) => truncate(neutralizeMentions(text), max);

/** mrkdwn is where Slack parses mentions; plain_text shows them as typed. */
function neutralizeBlock(b: Block): Block {
  switch (b.type) {
    case 'header':
      return { ...b, text: { ...b.text, text: ownMentionsAsText(b.text.text) } };
    case 'section':
      return {
        ...b,
        ...(b.text ? { text: { ...b.text, text: safe(b.text.text, SLACK_LIMITS.sectionText) } } : {}),
        ...(b.fields
          ? { fields: b.fields.map((f) => ({ ...f, text: safe(f.text, SLACK_LIMITS.fieldText) })) }
          : {}),
      };
    case 'context':
      return {
        ...b,
        elements: b.elements.map((e) => ({ ...e, text: safe(e.text, SLACK_LIMITS.sectionText) })),
      };
    case 'actions':
      return {
        ...b,
        elements: b.elements.map((e) => ({
          ...e,
          text: { ...e.text, text: ownMentionsAsText(e.text.text) },
        })),
      };
    case 'divider':
      return b;
  }
}

/**
 * The one place a message is made ready for Slack, whichever path sends it (the messenger, a
 * command's ack, a button's response, an error reply): secrets redacted; every `<!channel>`,
 * `<!here>`, `<!everyone>` and `<!subteam^…>` escaped — in blocks and fallback text alike — except
 * Shipmate's own group mentions (tools/shared/mention.ts); then fitted to Slack's limits (last, so
 * escaping cannot push a text past them).
 */
export function prepareForSlack(message: Message): Message {
  // Attachments are uploaded by the job's reporter, which sends the message without them; any other
  // path (a command's direct answer) cannot upload, so it sends what stands in for them.
  if (message.attach) return prepareForSlack(message.attach.otherwise);
  let m = prepared.get(message);
  if (!m) {
    const r = redactMessage(message);
    m = fitMessage({
      text: neutralizeMentions(r.text),
      ...(r.blocks ? { blocks: r.blocks.map(neutralizeBlock) } : {}),
    });
    prepared.set(message, m);
  }
  return m;
}

/**
 * A file made ready for files.uploadV2: secrets redacted from its content, name and title. Slack
 * does not parse mentions in a file, so nothing else is escaped.
 */
export function prepareFileForSlack(file: MessageFile): MessageFile {
  return { filename: redact(file.filename), title: redact(file.title), content: redact(file.content) };
}
