/**
 * The one argument parser of `/ops` commands, and the one usage error. Words arrive tokenized
 * (quotes resolved, src/ops/args.ts). Every refusal is AppError code `usage`: it says what was wrong
 * and shows the usage line (and an example when one helps); nothing has run.
 */

import { AppError } from './errors.ts';

export function usageError(usage: string, problem: string, example?: string): AppError {
  return new AppError({
    code: 'usage',
    userMessage: `${problem}\nUsage: \`${usage}\`${example ? `\nExample: \`${example}\`` : ''}`,
  });
}

export interface ArgSpec {
  /** The usage line shown with every refusal. */
  usage: string;
  /** Flags that take a value (`--cluster prod`, `--cluster=prod`), without dashes. */
  valued?: readonly string[];
  /** Flags without a value (`--previous`). */
  booleans?: readonly string[];
  /** Most positional words accepted (default: any number). */
  maxPositional?: number;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Splits words into positional words and known flags; an unknown flag or a missing value is a usage error. */
export function parseArgs(words: readonly string[], spec: ArgSpec): ParsedArgs {
  const valued = spec.valued ?? [];
  const booleans = spec.booleans ?? [];
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!w.startsWith('-') || w === '-') {
      positional.push(w);
      continue;
    }
    const body = w.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (booleans.includes(name)) {
      if (eq >= 0) throw usageError(spec.usage, `--${name} takes no value.`);
      flags.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? body.slice(eq + 1) : words[++i];
      if (value === undefined || value === '' || value.startsWith('--'))
        throw usageError(spec.usage, `--${name} needs a value.`);
      flags.set(name, value);
    } else {
      throw usageError(spec.usage, `Unknown option ${w}.`);
    }
  }
  if (spec.maxPositional !== undefined && positional.length > spec.maxPositional) {
    throw usageError(spec.usage, `Unexpected "${positional.slice(spec.maxPositional).join(' ')}".`);
  }
  return { positional, flags };
}

/** A whole number in [min, max], or a usage error naming the argument. */
export function parseWholeNumber(
  text: string,
  what: string,
  usage: string,
  min = 1,
  max = 2 ** 31 - 1,
): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(usage, `${what} must be a whole number from ${min} to ${max}, not "${text}".`);
  }
  return n;
}
