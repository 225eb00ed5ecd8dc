import { ownMentionsAsText } from '../../tools/shared/mention.ts';
import type { Block, Message } from '../../tools/shared/message.ts';

/**
 * Slack mrkdwn to plain text: `<@U1>` → `@U1`, `<url|label>` → `label (url)`, markers dropped. Inside
 * ``` code blocks only the fences go and the entities are decoded: a log's backticks, underscores and
 * asterisks are its text, not markup.
 */
export function mrkdwnToText(s: string): string {
  return ownMentionsAsText(s)
    .split(/(```[\s\S]*?```)/)
    .map((part, i) =>
      i % 2 === 1 ? decodeEntities(part.slice(3, -3).replace(/^\n/, '')) : inlineToText(part),
    )
    .join('');
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function inlineToText(s: string): string {
  return decodeEntities(
    s
      .replace(/<@([A-Z0-9]+)>/g, '@$1')
      .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name ?? id}`)
      .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name ?? id}`)
      .replace(/<!([a-z]+)>/g, '@$1')
      .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/<([^>]+)>/g, '$1')
      .replace(/(^|[^\w*])\*([^*\n]+)\*(?=$|[^\w*])/g, '$1$2')
      .replace(/(^|[^\w])_([^_\n]+)_(?=$|[^\w])/g, '$1$2')
      .replace(/```\n?/g, '')
      .replace(/`([^`\n]+)`/g, '$1'),
  );
}

function blockToLines(b: Block): string[] {
  switch (b.type) {
    case 'header':
      return [`== ${ownMentionsAsText(b.text.text)} ==`];
    case 'section': {
      const out: string[] = [];
      if (b.text) out.push(mrkdwnToText(b.text.text));
      if (b.fields?.length) out.push(b.fields.map((f) => mrkdwnToText(f.text)).join('  |  '));
      return out;
    }
    case 'context':
      return [`  ${b.elements.map((e) => mrkdwnToText(e.text)).join(' · ')}`];
    case 'divider':
      return ['---'];
    case 'actions':
      // A button is shown as the command that does the same thing.
      return b.elements.map((e) => `  [${e.text.text}] → ${e.value}`);
  }
}

/** Renders a message as readable plain text: blocks when present, else the fallback text. */
export function messageToText(m: Message): string {
  if (!m.blocks?.length) return mrkdwnToText(m.text);
  return m.blocks.flatMap(blockToLines).join('\n');
}
