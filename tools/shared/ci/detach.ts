/**
 * Strings the extractor takes out of the large chunks it scans.
 */

import { Buffer } from 'node:buffer';

/**
 * Copies a short string out of the large chunk it was sliced from, so keeping a few excerpt lines
 * does not keep whole megabyte chunks alive (V8 substrings share their parent's memory).
 */
export function detach(s: string): string {
  return ` ${s}`.slice(1);
}

/** Any character but ASCII (in a Latin-1 view of UTF-8: a byte of a multi-byte sequence). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at NUL.
const NON_ASCII = /[^\u0000-\u007f]/;

/** Whether `s` is all ASCII (then a Latin-1 view of UTF-8 is the text itself). */
export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** Text of a Latin-1 view of UTF-8 bytes (ASCII, the usual case, is its own text: no copy). */
export function utf8OfLatin1(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}
