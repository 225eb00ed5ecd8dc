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
        'pods: 10  |  failing: 2',
        '---',
        '  job j1',
        '  [Cancel] → /ops cancel j1',
      ].join('\n'),
    );
  });

  it('falls back to the text when there are no blocks', () => {
    expect(messageToText({ text: 'plain *bold*' })).toBe('plain bold');
  });
});
