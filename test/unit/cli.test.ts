import { describe, expect, it } from '@jest/globals';
import { parseCli } from '../../src/cli.ts';

describe('the command line', () => {
  it('takes --role, --demo and --help', () => {
    expect(parseCli([])).toEqual({ demo: false, help: false, role: undefined });
    expect(parseCli(['--role', 'web'])).toEqual({ demo: false, help: false, role: 'web' });
    expect(parseCli(['--demo'])).toMatchObject({ demo: true });
    expect(parseCli(['--help'])).toMatchObject({ help: true });
    expect(parseCli(['-h'])).toMatchObject({ help: true });
  });

  it('names an unknown option, a stray word or a missing value instead of ignoring it', () => {
    expect(() => parseCli(['--rle', 'web'])).toThrow(
      'unknown option --rle. Options: --role web|worker|all, --demo, --help.',
    );
    expect(() => parseCli(['web'])).toThrow('unexpected argument "web". Options:');
    expect(() => parseCli(['--role'])).toThrow('--role needs a value. Options:');
  });
});
