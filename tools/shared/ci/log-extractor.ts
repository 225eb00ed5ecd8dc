/**
 * The log extractor's engine: walks a GitHub Actions job log line by line (or chunk by chunk), cleans
 * each line of its timestamp and colours, and hands the lines that could matter to the search
 * (step-tracker.ts), which decides; the result is built by buildExtraction (extraction.ts).
 *
 * Streaming with bounded state: a small ring of recent lines for "context before", the one hunk being
 * built, a handful of headline lines. Nothing grows with the log, so a 2 GB log costs what a 2 MB one
 * does, and `done` turns true as soon as more reading cannot change the verdict, so the caller can
 * stop downloading.
 */

import { Buffer } from 'node:buffer';
import { DISPATCH, LOOSE_GATE, LOOSE_GATE_G, mayMatch, mayMatchLate } from './classify-line.ts';
import { lastMarker, prefixLength, stripAnsi, visibleStart } from './clean.ts';
import { detach, isAscii, utf8OfLatin1 } from './detach.ts';
import { cutMiddle } from './excerpt.ts';
import { buildExtraction, type Extraction } from './extraction.ts';
import { keepStringPrototypeFast } from './fast-prototypes.ts';
import { createLineRing } from './line-ring.ts';
import { createStepTracker } from './step-tracker.ts';

export interface ExtractOptions {
  /** Excerpt size cap (default 40 lines). */
  maxLines?: number;
  /** Excerpt lines longer than this many characters are cut in the middle (default 500). */
  maxLineLength?: number;
  /** Stop this many lines after a decisive error even if its step has not ended (default 500). */
  settleLines?: number;
}

/** Feed one log either line by line (`push`) or in raw chunks (`write` … `end`), not both. */
export interface LogExtractor {
  /** Feeds the next raw line (timestamps and colours are handled here). Ignored once `done`. */
  push(rawLine: string): void;
  /**
   * Feeds raw log text or bytes (UTF-8) in chunks cut anywhere, even inside a line or a character;
   * call `end()` after the last one. Several times faster than `push` per line on large logs:
   * ordinary lines are examined where they lie in the chunk and never become strings of their own.
   * Memory stays bounded by the chunk size plus 64 KiB (a longer line is cut there). Ignored once `done`.
   */
  write(chunk: string | Uint8Array): void;
  /** The log is complete: processes a last line that had no line break. */
  end(): void;
  /** More lines cannot change the result. */
  readonly done: boolean;
  /** The result so far; call at the end of the log or once `done`. */
  result(): Extraction;
}

/** Longest line written chunks may carry over (as the line splitter's default). */
const MAX_LINE = 64 * 1024;

/**
 * Whether `block` at `off` could be a Jenkins `[Pipeline]` line or a Buildkite group header (`--- `,
 * `+++ `, `~~~ `, `^^^ +++`): those go to the step tracker, which opens sections at them.
 */
function mayBeStructure(block: string, c0: number, off: number): boolean {
  if (c0 === 91 /* [ */) return block.startsWith('[Pipeline] ', off);
  if (c0 === 45 || c0 === 43 || c0 === 126 || c0 === 94) {
    return (
      block.charCodeAt(off + 1) === c0 && block.charCodeAt(off + 2) === c0 && block.charCodeAt(off + 3) === 32
    );
  }
  return false;
}

/** A fresh extractor for one job log. */
export function createLogExtractor(opts: ExtractOptions = {}): LogExtractor {
  // A dependency that subclasses String makes every string method call slow (fast-prototypes.ts).
  keepStringPrototypeFast();
  const maxLines = opts.maxLines ?? 40;
  const maxLineLength = opts.maxLineLength ?? 500;
  const settleLines = opts.settleLines ?? 500;

  const ring = createLineRing();
  const ringPush = ring.push;
  const st = createStepTracker(ring, settleLines);

  const cut = (text: string): string => cutMiddle(text.trimEnd(), maxLineLength);

  /**
   * One line: `src[s, e)` (a raw line, or a line inside a chunk). `hasEsc`: the range contains an
   * escape character; `gateHit`: it contains a `contains` literal. The caller has counted the line.
   */
  const handle = (
    src: string,
    s: number,
    e: number,
    hasEsc: boolean,
    gateHit: boolean,
    looseHit: boolean,
    latin1 = false,
  ): void => {
    // `line[off, end)` is the text. Most lines are never sliced (no allocation, little GC).
    let line = src;
    let off = s + prefixLength(src, s, e);
    let end = e;
    // A Travis fold or GitLab section marker in the prefix: the tracker opens the section first.
    const mk = lastMarker.kind;
    if (mk !== 0) {
      const name = src.slice(lastMarker.nameStart, lastMarker.nameEnd);
      st.marker(mk, detach(latin1 ? utf8OfLatin1(name) : name));
    }
    if (hasEsc) {
      // Coloured line. Building the stripped string costs more than everything else a line costs,
      // so it is only built when the line could matter: it is a workflow command, a rule could
      // match its first visible character, or its text (colour codes can split a literal, as in
      // `\e[91merror\e[0m TS2322`) loosely contains a `contains` literal. Otherwise it is context
      // only, kept raw in the ring and stripped if ever shown.
      const v = visibleStart(src, off, e);
      const cv = src.charCodeAt(v);
      const matters =
        mk !== 0 ||
        v >= e ||
        gateHit ||
        cv === 35 /* # */ ||
        cv === 80 /* P */ ||
        (st.candidate?.open ?? false) ||
        mayMatch(src, v, e, false, latin1) ||
        looseHit;
      if (!matters && !st.inRunHeader && !st.candidate?.strong) {
        if (!st.section.trailer) ringPush(st.n, src, off, e, latin1);
        return;
      }
      // Latin-1: stripped first (escape sequences are ASCII, so an ASCII result is the text those
      // bytes decode to, stripped); otherwise decoded first, as a text chunk would be.
      const raw = src.slice(off, e);
      const stripped = stripAnsi(raw);
      line = !latin1 || isAscii(stripped) ? stripped : stripAnsi(utf8OfLatin1(raw));
      off = 0;
      end = line.length;
      gateHit = DISPATCH.containsGate.test(line);
    }
    if (end - off > 4096) {
      line = line.slice(off, off + 4096);
      off = 0;
      end = line.length;
    }
    st.handle(line, off, end, gateHit);
  };

  const push = (raw: string): void => {
    st.n++;
    if (st.done) return;
    const hasEsc = raw.indexOf('\u001b') !== -1;
    handle(raw, 0, raw.length, hasEsc, DISPATCH.containsGate.test(raw), hasEsc && LOOSE_GATE.test(raw));
  };

  /**
   * The lines of `block` from `start` (a line start) up to `len` (just after a `\n`, or the end of
   * the log). `block` is the chunk's own flat string — never a concatenation, whose every character
   * read would go through an indirection.
   */
  const scanBlock = (block: string, len: number, latin1: boolean, start = 0): void => {
    const gate = DISPATCH.containsGateG;
    // Next escape character and next `contains` literal in the block: one scan each for the whole
    // block, advanced only when passed.
    let nextEsc = block.indexOf('\u001b', start);
    if (nextEsc === -1) nextEsc = len;
    // Scanned on first need: once a decisive error is held, ordinary lines never need it.
    let nextGate = -1;
    const gateHitAt = (s: number, e: number): boolean => {
      if (nextGate < s) {
        gate.lastIndex = s;
        nextGate = gate.exec(block)?.index ?? len;
      }
      return nextGate < e;
    };
    // The loose gate is only needed on coloured lines; scanned lazily.
    let nextLoose = -1;
    let s = start;
    while (s < len && !st.done) {
      let e = block.indexOf('\n', s);
      const next = e === -1 ? len : e + 1;
      if (e === -1) e = len;
      if (e > s && block.charCodeAt(e - 1) === 13) e--;
      if (nextEsc < s) {
        nextEsc = block.indexOf('\u001b', s);
        if (nextEsc === -1) nextEsc = len;
      }
      const hasEsc = nextEsc < e;
      let looseHit = false;
      if (hasEsc) {
        if (nextLoose < s) {
          LOOSE_GATE_G.lastIndex = s;
          nextLoose = LOOSE_GATE_G.exec(block)?.index ?? len;
        }
        looseHit = nextLoose < e;
      }
      st.n++;

      // Fast path, for the ordinary line (any timestamps, no colour, not a workflow command or
      // section marker, no error candidate collecting context): exactly what `handle` would do,
      // without the call and the branches. Anything else goes to `handle`.
      const c = st.candidate;
      const off = hasEsc || c?.open ? -1 : s + prefixLength(block, s, e);
      if (off !== -1 && lastMarker.kind === 0 && !st.section.trailer) {
        const c0 = block.charCodeAt(off);
        if (
          c0 !== 35 /* # */ &&
          !(c0 === 80 /* P */ && block.startsWith('Post job cleanup.', off)) &&
          !(!st.github && mayBeStructure(block, c0, off))
        ) {
          if (st.inRunHeader) {
            s = next;
            continue;
          }
          if (c?.strong) {
            if (st.n - c.line.n >= settleLines) st.done = true;
            if (e === off) {
              s = next;
              continue;
            }
            if (!mayMatchLate(block, off, e, latin1)) {
              ringPush(st.n, block, off, e, latin1);
              s = next;
              continue;
            }
          } else {
            if (e === off) {
              s = next;
              continue;
            }
            if (!mayMatch(block, off, e, gateHitAt(s, e), latin1)) {
              ringPush(st.n, block, off, e, latin1);
              s = next;
              continue;
            }
          }
        }
      }
      if (latin1 && !hasEsc) {
        // The slow path works on text: decode this one line.
        const text = utf8OfLatin1(block.slice(s, e));
        handle(text, 0, text.length, false, gateHitAt(s, e), looseHit);
      } else {
        handle(block, s, e, hasEsc, gateHitAt(s, e), looseHit, latin1);
      }
      s = next;
    }
  };

  const result = (): Extraction => buildExtraction(st, ring, maxLines, cut);

  // write(): decoding, and the unfinished last line of each chunk, carried to the next.
  let decoder: TextDecoder | null = null;
  let latin1Mode: boolean | undefined;
  let pending = '';
  let started = false;
  let skipping = false; // inside a line longer than MAX_LINE, already cut

  const write = (chunk: string | Uint8Array): void => {
    // Work in slices of at most 64 KiB of bytes (32 Ki characters of text): the strings made from
    // them stay small enough for V8's young generation, where they die cheaply. (Megabyte strings go
    // straight to the large-object space and pile up until a full GC — with 1 MiB file chunks that
    // alone was 100 MB of RSS.)
    const SLICE = typeof chunk === 'string' ? 32 * 1024 : 64 * 1024;
    if (chunk.length > SLICE) {
      for (let i = 0; i < chunk.length && !st.done; i += SLICE) {
        writeSlice(typeof chunk === 'string' ? chunk.slice(i, i + SLICE) : chunk.subarray(i, i + SLICE));
      }
    } else {
      writeSlice(chunk);
    }
  };

  const writeSlice = (chunk: string | Uint8Array): void => {
    if (st.done) return;
    // Bytes are read as Latin-1 (one character per byte: cheaper to make, half the memory, faster
    // to scan, and a UTF-8 sequence cut between chunks needs no care); the few lines that matter
    // are decoded as UTF-8 on the way to an excerpt. Text chunks are scanned as they are.
    latin1Mode ??= typeof chunk !== 'string';
    let text: string;
    if (latin1Mode) {
      text =
        typeof chunk === 'string'
          ? Buffer.from(chunk, 'utf8').toString('latin1')
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    } else if (typeof chunk === 'string') {
      text = chunk;
    } else {
      decoder ??= new TextDecoder('utf-8', { fatal: false });
      text = decoder.decode(chunk, { stream: true });
    }
    if (!started && text.length > 0) {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      else if (latin1Mode && text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
    }
    if (skipping) {
      const nl = text.indexOf('\n');
      if (nl === -1) return;
      text = text.slice(nl + 1);
      skipping = false;
    }
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      pending += text;
      if (pending.length > MAX_LINE) {
        const cutLine = pending.slice(0, MAX_LINE);
        pending = '';
        skipping = true;
        scanBlock(cutLine, cutLine.length, latin1Mode);
      }
      return;
    }
    // The line begun in the previous chunk, completed: a small string of its own.
    let from = 0;
    if (pending.length > 0) {
      const first = text.indexOf('\n');
      const joined = pending + text.slice(0, first + 1);
      scanBlock(joined, joined.length, latin1Mode);
      from = first + 1;
    }
    pending = detach(text.slice(last + 1));
    if (from <= last) scanBlock(text, last + 1, latin1Mode, from);
  };

  const end = (): void => {
    const tail = pending + (decoder?.decode() ?? '');
    pending = '';
    if (st.done || skipping || tail.length === 0) return;
    const t = tail.length > MAX_LINE ? tail.slice(0, MAX_LINE) : tail;
    scanBlock(t, t.length, latin1Mode ?? false);
  };

  return {
    push,
    write,
    end,
    get done() {
      return st.done;
    },
    result,
  };
}
