import { describe, expect, it } from '@jest/globals';
import { messageToText, mrkdwnToText } from '../../src/console/render.ts';
import { actions, button, context, divider, fields, header, section } from '../../tools/shared/block-kit.ts';

describe('console rendering of Block Kit', () => {
  it('turns mrkdwn into plain text', () => {
    expect(
      mrkdwnToText('*3 problems* in _prod_: <@U1ALICE> see <https://ci/run/1|run 1> `kubectl` &lt;x&gt;'),
    ).toBe('3 problems in prod: @U1ALICE see run 1 (https://ci/run/1) kubectl <x>');
  });

  it('keeps a code block verbatim: backticks, underscores and asterisks are the log text', () => {
    const code = '12 │ Error: `__dirname` is not defined in *ES module* scope &amp; my_var_name';
    expect(mrkdwnToText(`*Excerpt*\n\`\`\`${code}\`\`\`\n_after_`)).toBe(
      'Excerpt\n12 │ Error: `__dirname` is not defined in *ES module* scope & my_var_name\nafter',
    );
  });

  it('renders every block kind, buttons as the command that does the same', () => {
    const text = messageToText({
      text: 'fallback',
      blocks: [
        header('Cluster prod'),
        section('*2/3* nodes ready'),
        fields(['pods: 10', 'failing: 2']),
        divider(),
        context('job `j1`'),
        actions([button('job_cancel', 'Cancel', '/ops cancel j1', 'danger')]),
      ],
    });
    expect(text).toBe(
      [
        '== Cluster prod ==',
        '2/3 nodes ready',
        'pods: 10  ·  failing: 2',
        '---',
        '  job j1',
        '  [Cancel] → /ops cancel j1',
      ].join('\n'),
    );
  });

  it('renders Slack fields as `Label: value`, one row when short, aligned lines when not', () => {
    expect(messageToText({ text: 'f', blocks: [fields(['*Nodes*\n2/3 ready', '*Pods*\n21'])] })).toBe(
      'Nodes: 2/3 ready  ·  Pods: 21',
    );
    const long = 'registry.example.com/shop/checkout:1.4.2\n→ registry.example.com/shop/checkout:1.5.0';
    expect(
      messageToText({
        text: 'f',
        blocks: [fields([`*Image*\n${long}`, '*Replicas*\n3', '*Dry run*\npassed'])],
      }),
    ).toBe(
      [
        'Image:    registry.example.com/shop/checkout:1.4.2 → registry.example.com/shop/checkout:1.5.0',
        'Replicas: 3',
        'Dry run:  passed',
      ].join('\n'),
    );
  });

  it("shows Slack's emoji shortcodes as emoji, and leaves other :words: alone", () => {
    expect(messageToText({ text: ':x: failed :red_circle: :bulb: at 10:30:15 :not-an-emoji:' })).toBe(
      '❌ failed 🔴 💡 at 10:30:15 :not-an-emoji:',
    );
  });

  it('falls back to the text when there are no blocks', () => {
    expect(messageToText({ text: 'plain *bold*' })).toBe('plain bold');
  });
});
