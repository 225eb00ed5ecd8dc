/**
 * The extractor's fast path (raw chunks scanned in place, lines rejected by literal gates and a pair
 * table before any regular expression) must give exactly what the reference path gives (one string
 * per line, every line handed on), and its gates must never reject a line a rule matches. Checked on
 * every fixture and on logs generated from their lines (fast-check, fixed seed: the same logs every run).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { classifyLine, DISPATCH, mayMatch, mayMatchLate } from '../../tools/shared/ci/classify-line.ts';
import { cleanLine, stripAnsi } from '../../tools/shared/ci/clean.ts';
import { isAscii, utf8OfLatin1 } from '../../tools/shared/ci/detach.ts';
import { createLogExtractor } from '../../tools/shared/ci/log-extractor.ts';
import { RULES } from '../../tools/shared/ci/rules.ts';

const DIR = join(import.meta.dirname, '../fixtures');
const FIXTURES = ['gha-logs', 'ci-logs'].flatMap((sub) =>
  readdirSync(join(DIR, sub))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => join(DIR, sub, f)),
);
const TEXTS = FIXTURES.map((f) => readFileSync(f, 'utf8'));
const LINES = [...new Set(TEXTS.flatMap((t) => t.split('\n')))];
/** Each rule's literals as lines of their own, and glued to text. */
const LITERALS = RULES.flatMap((r) => [...(r.starts ?? []), ...(r.contains ? [r.contains] : [])]);

const ESC = '\u001b';
const PARAMS = { seed: 15, numRuns: 300 } as const;

/** The reference: one string per line through `push`. */
function byLines(text: string) {
  const ex = createLogExtractor();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const l of lines) {
    ex.push(l.endsWith('\r') ? l.slice(0, -1) : l);
    if (ex.done) break;
  }
  return ex.result();
}

/** The fast path: UTF-8 bytes cut at `cuts`, through `write`. */
function byChunks(text: string, cuts: number[]) {
  const ex = createLogExtractor();
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (const c of [...cuts.map((x) => Math.floor(x * bytes.length)).sort((a, b) => a - b), bytes.length]) {
    if (c <= at) continue;
    ex.write(bytes.subarray(at, c));
    at = c;
    if (ex.done) break;
  }
  if (!ex.done) ex.end();
  return ex.result();
}

// A log line: a fixture's line, a rule's literal, or noise, with or without prefixes and colours.
const stamp = fc.constantFrom(
  '2025-01-14T09:30:00.1234567Z ',
  '2025-01-14T09:30:00Z ',
  '2025-01-14T09:30:00.123456789+02:00 ',
  '[02:58:01] ',
  '',
  '',
);
const body = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...LINES) },
  { weight: 2, arbitrary: fc.constantFrom(...LITERALS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('', '  ', '\t', `${ESC}[31m`, 'x'), fc.constantFrom(...LITERALS), fc.string())
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('##[group]Run npm test', '##[endgroup]', 'Post job cleanup.', '') },
);
const colour = fc.constantFrom('', '', '', `${ESC}[32m`, `${ESC}[1m${ESC}[31m`);
const line = fc
  .tuple(stamp, colour, body, fc.constantFrom('', '', '', '\r'))
  .map(([s, c, b, cr]) => `${s}${c}${b.replace(/\r?\n/g, ' ')}${cr}`);
const log = fc.array(line, { minLength: 1, maxLength: 200 }).map((ls) => `${ls.join('\n')}\n`);
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe('the fast path gives the reference result', () => {
  it.each(FIXTURES.map((f, i) => [f.split('/').slice(-2).join('/'), i] as const))(
    '%s, cut anywhere',
    (_name, i) => {
      const text = TEXTS[i] as string;
      const ref = byLines(text.replace(/^\ufeff/, ''));
      fc.assert(
        fc.property(cuts, (c) => {
          expect(byChunks(text, c)).toEqual(ref);
        }),
        { ...PARAMS, numRuns: 20 },
      );
    },
  );

  it('on generated logs', () => {
    fc.assert(
      fc.property(log, cuts, (text, c) => {
        expect(byChunks(text, c)).toEqual(byLines(text));
      }),
      PARAMS,
    );
  });

  it('on fixtures spliced into generated noise', () => {
    const splice = fc
      .tuple(fc.nat({ max: TEXTS.length - 1 }), fc.array(line, { maxLength: 60 }), fc.nat())
      .map(([i, noise, at]) => {
        const ls = (TEXTS[i] as string).replace(/^\ufeff/, '').split('\n');
        const k = at % (ls.length + 1);
        return [...ls.slice(0, k), ...noise, ...ls.slice(k)].join('\n');
      });
    fc.assert(
      fc.property(splice, cuts, (text, c) => {
        expect(byChunks(text, c)).toEqual(byLines(text));
      }),
      PARAMS,
    );
  });
});

describe('the gates never reject a line a rule matches', () => {
  const check = (raw: string) => {
    const text = cleanLine(raw).trimStart();
    const hit = classifyLine(text);
    if (!hit) return;
    const gate = DISPATCH.containsGate.test(text);
    expect(mayMatch(text, 0, text.length, gate)).toBe(true);
    const latin1 = Buffer.from(text, 'utf8').toString('latin1');
    expect(mayMatch(latin1, 0, latin1.length, gate, true)).toBe(true);
    if (hit.rule.role === 'terminal' || hit.rule.role === 'summary') {
      expect(mayMatchLate(text, 0, text.length)).toBe(true);
      expect(mayMatchLate(latin1, 0, latin1.length, true)).toBe(true);
    }
  };

  it('on every fixture line', () => {
    for (const l of LINES) check(l);
  });

  it('on generated lines', () => {
    fc.assert(fc.property(line, check), { ...PARAMS, numRuns: 2000 });
  });

  // The rules' gates as they are written (DISPATCH matches a leading lookbehind as text).
  const WRITTEN = new RegExp(
    [
      ...new Set(
        RULES.filter((r) => r.contains).map(
          (r) => r.gate ?? (r.contains as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        ),
      ),
    ].join('|'),
  );

  it('the chunk scan and the line test find a gate in exactly the lines the written gates do', () => {
    const gated = fc.oneof(line, fc.constantFrom(...LINES.filter((l) => WRITTEN.test(l))));
    fc.assert(
      fc.property(fc.array(gated, { maxLength: 40 }), (ls) => {
        const block = `${ls.join('\n')}\n`;
        const g = DISPATCH.containsGateG;
        let s = 0;
        for (const l of ls) {
          const e = s + l.length;
          g.lastIndex = s;
          const at = g.exec(block)?.index ?? block.length;
          expect(at < e).toBe(WRITTEN.test(l));
          expect(DISPATCH.containsGate.test(l)).toBe(WRITTEN.test(l));
          s = e + 1;
        }
      }),
      PARAMS,
    );
  });
});

describe('Latin-1 views of coloured lines', () => {
  // Bytes of UTF-8 text with escape sequences of every kind between its characters.
  const sequence = fc.constantFrom(
    `${ESC}[31m`,
    `${ESC}[0m`,
    `${ESC}[1;38;5;196m`,
    `${ESC}]8;;https://x.test/é${'\u0007'}`,
    `${ESC}_bk;t=1700000000000${'\u0007'}`,
    `${ESC}(`,
    `${ESC}M`,
    ESC,
    `${ESC}]unterminated`,
  );
  const text = fc.array(
    fc.oneof(sequence, fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('é', '✓', '●')),
    {
      maxLength: 12,
    },
  );

  it('stripped before decoding, an ASCII result is the decoded text stripped', () => {
    fc.assert(
      fc.property(text, (parts) => {
        const latin1 = Buffer.from(parts.join(''), 'utf8').toString('latin1');
        const stripped = stripAnsi(latin1);
        if (isAscii(stripped)) expect(stripped).toBe(stripAnsi(utf8OfLatin1(latin1)));
      }),
      { ...PARAMS, numRuns: 2000 },
    );
  });
});
