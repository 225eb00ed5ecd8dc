import { describe, expect, it } from '@jest/globals';
import { mentionAll } from '../../src/policy/policy.ts';
import { prepareForSlack } from '../../src/slack/prepare.ts';
import {
  actions,
  button,
  context,
  escapeText,
  fields,
  header,
  section,
} from '../../tools/shared/block-kit.ts';
import type { Message } from '../../tools/shared/message.ts';

/** Every form of a crowd ping Slack parses in mrkdwn, as users, logs and models can write it. */
const PINGS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!here|here>',
  '<!channel|@channel>',
  '<!subteam^S0ONCALL>',
  '<!subteam^S0ONCALL|@oncall>',
  '<!CHANNEL>',
];
const LIVE = /<!(?:channel|here|everyone|subteam\^)/i;

/** Every text a prepared message carries in mrkdwn: the fallback, sections, fields, context. */
function mrkdwnTexts(m: Message): string[] {
  const out = [m.text];
  for (const b of m.blocks ?? []) {
    if (b.type === 'section') out.push(b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text));
    if (b.type === 'context') out.push(...b.elements.map((e) => e.text));
  }
  return out;
}

/** Messages built the ways Shipmate builds them, quoting `x` raw, escaped with escapeText, in code. */
function messagesQuoting(x: string): Message[] {
  return [
    { text: `no cluster context "${x}"` },
    { text: x, blocks: [section(`\`\`\`\n${x}\n\`\`\``), fields([x, `*${x}*`]), context(`by ${x}`)] },
    { text: escapeText(`Unknown environment \`${x}\`.`), blocks: [section(escapeText(x))] },
    { text: `⏳ ${x}`, blocks: [header(x), actions([button('ci_rerun', x, `/ops rerun ${x}`)])] },
  ];
}

describe('crowd pings are escaped at the one place messages are prepared', () => {
  it.each(PINGS)('%s is never live, in blocks and fallback text alike', (ping) => {
    for (const m of messagesQuoting(ping)) {
      for (const text of mrkdwnTexts(prepareForSlack(m))) expect(text).not.toMatch(LIVE);
    }
  });

  it('shows the escaped ping as typed', () => {
    const m = prepareForSlack({ text: 'deploy <!channel> now' });
    expect(m.text).toBe('deploy &lt;!channel&gt; now');
  });

  it('keeps Shipmate’s own mention of approvers live, and a forged one escaped beside it', () => {
    const own = mentionAll(['S0DEVS', 'U2BOB']);
    const m = prepareForSlack({
      text: escapeText(`Only ${own} can approve "<!subteam^S0DEVS>"`),
      blocks: [section(escapeText(`Only ${own} can approve "<!subteam^S0DEVS>"`))],
    });
    for (const text of mrkdwnTexts(m)) {
      expect(text).toBe('Only <!subteam^S0DEVS>, <@U2BOB> can approve "&lt;!subteam^S0DEVS&gt;"');
    }
  });

  it('defuses bare @channel words, which Slack links when a message is sent with link_names', () => {
    const m = prepareForSlack({ text: 'ping @here and @Channel, not me@here.example' });
    expect(m.text).not.toMatch(/(^|\s)@(here|channel)\b/i);
    expect(m.text).toContain('me@here.example');
  });

  it('does not let escaping push a section past Slack’s limit', () => {
    const m = prepareForSlack({ text: 'x', blocks: [section('<!here>'.repeat(2000))] });
    const b = m.blocks?.[0];
    expect(b?.type === 'section' && (b.text?.text.length ?? 0)).toBeLessThanOrEqual(3000);
  });
});
