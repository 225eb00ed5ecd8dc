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

/** Text of a Latin-1 view of UTF-8 bytes. */
export function utf8OfLatin1(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}
