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

/** Slack's shortcodes Shipmate writes, as the emoji a terminal shows (Slack renders both the same). */
const EMOJI: Readonly<Record<string, string>> = {
  x: '❌',
  warning: '⚠️',
  white_check_mark: '✅',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  white_circle: '⚪',
  grey_question: '❔',
  bulb: '💡',
  repeat: '🔁',
  arrows_counterclockwise: '🔄',
  rocket: '🚀',
  hourglass_flowing_sand: '⏳',
  no_entry: '⛔',
  information_source: 'ℹ️',
};

/** `:red_circle:` → 🔴 for the shortcodes in EMOJI; any other `:word:` is left as written. */
export function emojiToText(s: string): string {
  return s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) =>
    Object.hasOwn(EMOJI, name) ? (EMOJI[name] ?? m) : m,
  );
}

/** Fields wider than this together go one a line, labels aligned, instead of a ragged row. */
const FIELDS_ROW_CHARS = 100;

/**
 * Slack shows fields as a two-column grid of `*Label*\nvalue`; a terminal gets `Label: value`, on one
 * row when they fit and one a line (labels aligned) when not.
 */
function fieldsToLines(texts: readonly string[]): string[] {
  const pairs = texts.map((t) => {
    const plain = mrkdwnToText(t);
    const nl = plain.indexOf('\n');
    return nl < 0
      ? { label: '', value: plain }
      : {
          label: plain.slice(0, nl).trim(),
          value: plain
            .slice(nl + 1)
            .replace(/\s*\n\s*/g, ' ')
            .trim(),
        };
  });
  const one = (p: { label: string; value: string }) => (p.label ? `${p.label}: ${p.value}` : p.value);
  const row = pairs.map(one).join('  ·  ');
  if (row.length <= FIELDS_ROW_CHARS && !row.includes('\n')) return [row];
  const width = Math.max(...pairs.map((p) => p.label.length));
  return pairs.map((p) => (p.label ? `${`${p.label}:`.padEnd(width + 1)} ${p.value}` : p.value));
}

function blockToLines(b: Block): string[] {
  switch (b.type) {
    case 'header':
      return [`== ${ownMentionsAsText(b.text.text)} ==`];
    case 'section': {
      const out: string[] = [];
      if (b.text) out.push(mrkdwnToText(b.text.text));
      if (b.fields?.length) out.push(...fieldsToLines(b.fields.map((f) => f.text)));
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
  // Attachments are printed by the job messenger; anywhere else the stand-in shows.
  if (m.attach) return messageToText(m.attach.otherwise);
  if (!m.blocks?.length) return emojiToText(mrkdwnToText(m.text));
  return emojiToText(m.blocks.flatMap(blockToLines).join('\n'));
}
