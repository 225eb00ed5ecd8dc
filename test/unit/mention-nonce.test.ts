/**
 * Shipmate's own group mentions travel as a marker carrying a per-process nonce until
 * neutralizeMentions() turns them live — and on the way, prepareForSlack() redacts the text. So no
 * nonce may look like a secret to redact(): a base64 nonce could spell a secret's name (`…dSn…:` reads
 * as `dsn: <value>`, `…Pwd…:` as a password), and in about one process in 1,700 every approver
 * mention became [REDACTED] (seen as a failure of mentions.test.ts in a full run). Hex spells none.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { neutralizeMentions, ownMention } from '../../tools/shared/mention.ts';
import { redact } from '../../tools/shared/redact.ts';

const marker = (nonce: string, id: string) => `\uE010${nonce}:subteam^${id}\uE011`;

describe("the nonce of Shipmate's own mentions", () => {
  it("is hex: this process's marker has 18 hex digits", () => {
    expect(ownMention('S0DEVS')).toMatch(/^\uE010[0-9a-f]{18}:subteam\^S0DEVS\uE011$/);
  });

  it('no hex nonce makes redact() touch the marker, alone or beside other mentions', () => {
    const hex = fc.uint8Array({ minLength: 9, maxLength: 9 }).map((b) => Buffer.from(b).toString('hex'));
    fc.assert(
      fc.property(hex, (nonce) => {
        for (const text of [
          `Only ${marker(nonce, 'S0DEVS')}, <@U2BOB> can approve`,
          `${marker(nonce, 'S0DEVS')},${marker(nonce, 'S1OPS')}`,
          `approvers: ${marker(nonce, 'S0DEVS')} or <@U2BOB>`,
        ])
          expect(redact(text)).toBe(text);
      }),
      { seed: 12, numRuns: 10_000 },
    );
  });

  it('so an approver group is pinged once the message is prepared', () => {
    const text = `Only ${ownMention('S0DEVS')}, <@U2BOB> can approve`;
    expect(neutralizeMentions(redact(text))).toBe('Only <!subteam^S0DEVS>, <@U2BOB> can approve');
  });
});
