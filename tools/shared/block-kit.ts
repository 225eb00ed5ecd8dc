/**
 * Block Kit builders. Every builder's literal is checked against `@slack/types` (`satisfies
 * KnownBlock` / `Button`), so a shape Slack would refuse fails the type check, not a live post.
 */
import type { Button, KnownBlock } from '@slack/types';
import { type Block, type ButtonElement, type Message, SLACK_LIMITS } from './message.ts';

/** Cuts `s` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, max);
  return `${s.slice(0, max - 1)}…`;
}

/**
 * Lists at most `max` items and says how many were left out, so output stays the same size however
 * many items there are: `["a", "b", "+3 more"]`.
 */
export function takeWithMore<T>(items: readonly T[], max: number, render: (item: T) => string): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(`+${items.length - max} more`);
  return shown;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A mention of one person or a channel link. Special mentions (`<!channel>`, `<!subteam^…>`) are not
 * kept: Shipmate's own group mentions are markers (tools/shared/mention.ts) that escaping leaves alone.
 */
const MENTION = /<(@[UW][A-Z0-9]+|#C[A-Z0-9]+(\|[^>]*)?)>/g;

/**
 * Escapes plain text for mrkdwn but keeps user mentions and channel links (`<@U123>`, `<#C123>`) and
 * Shipmate's own group mentions (`ownMention`): for messages that name people, such as "Only
 * <@U2BOB> can approve this", which may also quote user input containing `<`.
 */
export function escapeText(s: string): string {
  const kept: string[] = [];
  const marked = s.replace(MENTION, (m) => `\uE000${kept.push(m) - 1}\uE001`);
  return escapeMrkdwn(marked).replace(/\uE000(\d+)\uE001/g, (_m, i: string) => kept[Number(i)] ?? '');
}

export function header(text: string): Block {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText) },
  } satisfies KnownBlock;
}

export function section(text: string): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
  } satisfies KnownBlock;
}

export function fields(items: readonly string[]): Block {
  return {
    type: 'section',
    fields: items
      .slice(0, SLACK_LIMITS.fields)
      .map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, SLACK_LIMITS.fieldText) })),
  } satisfies KnownBlock;
}

export function context(text: string): Block {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }],
  } satisfies KnownBlock;
}

export function divider(): Block {
  return { type: 'divider' } satisfies KnownBlock;
}

/**
 * A button whose `value` is the equivalent `/ops` command. `actionId` must be one the Slack adapter
 * registers (see src/slack/register.ts); the command in `value` is what actually runs.
 */
export function button(
  actionId: string,
  label: string,
  command: string,
  style?: ButtonElement['style'],
): ButtonElement {
  const b = {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: truncate(label, SLACK_LIMITS.buttonText) },
    value: truncate(command, SLACK_LIMITS.buttonValue),
    ...(style ? { style } : {}),
  } satisfies Button;
  return b as ButtonElement;
}

export function actions(buttons: ButtonElement[], blockId?: string): Block {
  const block = {
    type: 'actions',
    elements: buttons.slice(0, SLACK_LIMITS.actionElements),
    ...(blockId ? { block_id: blockId } : {}),
  } satisfies KnownBlock;
  return block;
}

/**
 * Enforces Slack's message limits on any message: at most 50 blocks (the last replaced by a
 * "+N more" context line when cut) and a bounded fallback text.
 */
export function fitMessage(message: Message): Message {
  const text = truncate(message.text, SLACK_LIMITS.messageText);
  if (!message.blocks) return { text };
  const blocks = message.blocks.map(uniqueActionIds);
  if (blocks.length <= SLACK_LIMITS.blocks) return { text, blocks };
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 1);
  kept.push(context(`+${blocks.length - kept.length} more blocks not shown`));
  return { text, blocks: kept };
}

/**
 * Slack refuses a message whose buttons share an action_id within one block (`invalid_blocks`);
 * tools may render several buttons of one kind ("Logs: a", "Logs: b"). The second and later get a
 * `:n` suffix, which the Slack adapter's action matcher accepts.
 */
function uniqueActionIds(block: Block): Block {
  if (block.type !== 'actions') return block;
  const seen = new Map<string, number>();
  return {
    ...block,
    elements: block.elements.map((e) => {
      const n = seen.get(e.action_id) ?? 0;
      seen.set(e.action_id, n + 1);
      return n === 0 ? e : { ...e, action_id: `${e.action_id}:${n}` };
    }),
  };
}
