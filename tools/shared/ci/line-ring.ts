/**
 * The extractor's "context before": the most recent content lines of the current step, in a ring of
 * fixed size, so what it holds does not grow with the log.
 */

import { stripAnsi } from './clean.ts';
import { detach, utf8OfLatin1 } from './detach.ts';
import type { ExcerptLine } from './excerpt.ts';

const RING = 32;

export interface LineRing {
  /**
   * Keeps line `num`, whose text is `src[off, end)` (`latin1`: the Latin-1 view of UTF-8 bytes),
   * unless it repeats the line kept last. The caller passes no blank lines.
   */
  push(num: number, src: string, off: number, end: number, latin1?: boolean): void;
  /** Up to `count` most recent lines (oldest first), walking back no further than `stop`. */
  take(count: number, stop?: RegExp): ExcerptLine[];
  /** Forgets every line (a new step begins: context never crosses into it). */
  clear(): void;
}

/** An empty ring; it keeps the last 32 lines pushed (RING). */
export function createLineRing(): LineRing {
  // Ring of recent content lines (no blanks, no consecutive duplicates) in the current section. It
  // keeps where the text is (a raw line or a whole chunk, and a range in it), so the hot path slices
  // nothing; ringTake slices the few lines it returns.
  const ringN = new Array<number>(RING).fill(0);
  const ringSrc = new Array<string>(RING).fill('');
  const ringOff = new Array<number>(RING).fill(0);
  const ringEnd = new Array<number>(RING).fill(0);
  const ringLatin1 = new Array<boolean>(RING).fill(false);
  let ringLen = 0;
  let ringHead = 0; // next write position

  const ringPush = (num: number, src: string, off: number, end: number, latin1 = false): void => {
    if (ringLen > 0) {
      const p = (ringHead + RING - 1) % RING;
      const pOff = ringOff[p] as number;
      const pEnd = ringEnd[p] as number;
      if (pEnd - pOff === end - off && (ringSrc[p] as string).slice(pOff, pEnd) === src.slice(off, end))
        return;
    }
    ringN[ringHead] = num;
    ringSrc[ringHead] = src;
    ringOff[ringHead] = off;
    ringEnd[ringHead] = end;
    ringLatin1[ringHead] = latin1;
    ringHead = (ringHead + 1) % RING;
    if (ringLen < RING) ringLen++;
  };
  /** Up to `count` most recent ring lines (oldest first), walking back no further than `stop`. */
  const ringTake = (count: number, stop?: RegExp): ExcerptLine[] => {
    const out: ExcerptLine[] = [];
    for (let k = 1; k <= Math.min(count, ringLen); k++) {
      const idx = (ringHead + RING - k) % RING;
      const slice = (ringSrc[idx] as string).slice(ringOff[idx] as number, ringEnd[idx] as number);
      const text = detach(stripAnsi(ringLatin1[idx] ? utf8OfLatin1(slice) : slice));
      out.push({ n: ringN[idx] as number, text });
      if (stop?.test(text)) break;
    }
    return out.reverse();
  };

  const clear = (): void => {
    ringLen = 0;
  };

  return { push: ringPush, take: ringTake, clear };
}
