/**
 * Turning a raw GitHub Actions log line into what a person reads in the web UI: without the runner's
 * timestamp prefix and without terminal colour codes. Written for the hot path of the extractor
 * (millions of lines): no regex unless the line actually contains an escape character.
 */

// ESC-based sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`) and two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are control characters.
const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/**
 * Length of the `2024-01-01T00:00:00.0000000Z ` prefix GitHub puts on every line, or 0 when the line
 * has none. Accepts any number of fractional digits (GitHub writes 7) and a missing trailing space on
 * empty lines. `start`/`end` delimit the line inside a larger string (the extractor reads whole
 * chunks without cutting them into line strings).
 */
export function timestampLength(line: string, start = 0, end = line.length): number {
  const s = start;
  // Fast path: GitHub's own format, `2024-01-01T00:00:00.0000000Z ` (29 characters).
  if (
    end - s >= 29 &&
    line.charCodeAt(s + 27) === 90 /* Z */ &&
    line.charCodeAt(s + 28) === 32 &&
    line.charCodeAt(s + 10) === 84 /* T */ &&
    line.charCodeAt(s + 19) === 46 /* . */ &&
    line.charCodeAt(s + 4) === 45 /* - */
  ) {
    return 29;
  }
  if (end - s < 20) return 0;
  // YYYY-MM-DDTHH:MM:SS
  if (
    line.charCodeAt(s + 4) !== 45 /* - */ ||
    line.charCodeAt(s + 7) !== 45 ||
    line.charCodeAt(s + 10) !== 84 /* T */ ||
    line.charCodeAt(s + 13) !== 58 /* : */ ||
    line.charCodeAt(s + 16) !== 58
  ) {
    return 0;
  }
  const c0 = line.charCodeAt(s);
  if (c0 < 48 || c0 > 57) return 0;
  const max = Math.min(end, s + 36);
  for (let i = s + 19; i < max; i++) {
    if (line.charCodeAt(i) === 90 /* Z */) {
      if (i + 1 === end) return i + 1 - s;
      return line.charCodeAt(i + 1) === 32 ? i + 2 - s : 0;
    }
  }
  return 0;
}

export function stripTimestamp(line: string): string {
  const n = timestampLength(line);
  return n === 0 ? line : line.slice(n);
}

export function stripAnsi(s: string): string {
  return s.indexOf('\u001b') === -1 ? s : s.replace(ANSI, '');
}

/**
 * Index of the first visible character of `line[start, end)`: past spaces, tabs and colour escape
 * sequences (`ESC [ … final`). Lets the extractor look at what a coloured line starts with without
 * building the stripped string.
 */
export function visibleStart(line: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
    } else if (c === 27 && line.charCodeAt(i + 1) === 91 /* [ */) {
      i += 2;
      // parameter and intermediate bytes, then one final byte
      while (i < end) {
        const p = line.charCodeAt(i);
        if (p < 0x20 || p > 0x3f) break;
        i++;
      }
      while (i < end && line.charCodeAt(i) >= 0x20 && line.charCodeAt(i) <= 0x2f) i++;
      i++;
    } else {
      break;
    }
  }
  return i;
}

/** Timestamp and colour codes removed, trailing whitespace trimmed. */
export function cleanLine(raw: string): string {
  return stripAnsi(stripTimestamp(raw)).trimEnd();
}
