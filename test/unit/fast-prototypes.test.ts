import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/**
 * V8's own view of String.prototype (`%HasFastProperties`, a natives-syntax intrinsic) in a child
 * process: a dependency that subclasses String turns it into a dictionary, and the extractor turns it
 * back (see tools/shared/ci/fast-prototypes.ts).
 */
function fastAfter(setup: string, remedy: boolean): boolean {
  const script = `
    ${setup}
    ${remedy ? 'const { createLogExtractor } = await import(process.env.EXTRACTOR); createLogExtractor();' : ''}
    process.stdout.write(String(%HasFastProperties(String.prototype)));
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      ...process.env,
      EXTRACTOR: new URL('../../tools/shared/ci/log-extractor.ts', import.meta.url).href,
    },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout === 'true';
}

describe('String.prototype stays fast for the extractor', () => {
  const subclass = "class VerbatimString extends String {} globalThis.keep = new VerbatimString('x');";

  it('a class that extends String makes it a dictionary (what ioredis does)', () => {
    expect(fastAfter('', false)).toBe(true);
    expect(fastAfter(subclass, false)).toBe(false);
  });

  it('making an extractor turns it back into a fast object', () => {
    expect(fastAfter(subclass, true)).toBe(true);
    expect(fastAfter('globalThis.keep = Object.create(String.prototype);', true)).toBe(true);
  });

  it('so does loading the real dependency and then the extractor', () => {
    expect(fastAfter("await import('ioredis');", false)).toBe(false);
    expect(fastAfter("await import('ioredis');", true)).toBe(true);
  });
});
