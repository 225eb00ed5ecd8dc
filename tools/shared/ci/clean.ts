/**
 * Turning a raw CI log line into what a person reads in the web UI: without the prefixes CI systems
 * and platforms put before the text (GitHub's timestamp, a platform's own timestamp under it,
 * `docker logs -t` / `kubectl logs -t` stamps, `[02:58:01]` elapsed times, Buildkite's timestamp
 * escapes, Travis `travis_fold:` / `travis_time:` and GitLab `section_start:` markers glued to the
 * next text, git's `remote: ` before what a server printed during a push — a Heroku build) and without
 * terminal colour codes. Written for the hot path of the extractor (millions
 * of lines): no regex unless the line actually contains an escape character.
 */

// ESC-based sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`), APC (`ESC _ … BEL|ESC \`,
// Buildkite's timestamps) and two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are control characters.
const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|[\]_][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/**
 * The section marker the last `prefixLength` call skipped, if any: `kind` 1 = a section starts
 * (Travis `travis_fold:start:NAME`, GitLab `section_start:TIME:NAME`), 2 = one ends, 3 = Travis
 * starts timing a command (`travis_time:start:ID`, the `$ command` follows); the name is
 * `line[nameStart, nameEnd)`. A module-level record instead of a returned object, so the hot path
 * allocates nothing; read it right after the call.
 */
export const lastMarker = { kind: 0 as 0 | 1 | 2 | 3, nameStart: 0, nameEnd: 0 };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Length of an RFC 3339 timestamp and the space after it at `line[start…]` (`2024-01-01T00:00:00Z`,
 * any number of fractional digits — GitHub writes 7, Docker and kubectl 9 — `Z` or a `±HH:MM`
 * offset), or 0 when there is none. A missing space is accepted at the end of the line.
 * `start`/`end` delimit the line inside a larger string (the extractor reads whole chunks without
 * cutting them into line strings).
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
    line.charCodeAt(s + 16) !== 58 ||
    !isDigit(line.charCodeAt(s))
  ) {
    return 0;
  }
  let i = s + 19;
  if (line.charCodeAt(i) === 46 /* . */ || line.charCodeAt(i) === 44 /* , */) {
    i++;
    while (i < end && isDigit(line.charCodeAt(i))) i++;
  }
  const z = line.charCodeAt(i);
  if (z === 90 /* Z */) {
    i++;
  } else if (
    (z === 43 || z === 45) /* + - */ &&
    line.charCodeAt(i + 3) === 58 &&
    isDigit(line.charCodeAt(i + 1))
  ) {
    i += 6;
  } else {
    return 0;
  }
  if (i >= end) return end - s;
  const sp = line.charCodeAt(i);
  return sp === 32 || sp === 9 ? i + 1 - s : 0;
}

/** `HH:MM:SS` (optionally `.fff`) at `i`; returns the index after it, or -1. */
function clockEnd(line: string, i: number, end: number): number {
  if (
    end - i < 8 ||
    !isDigit(line.charCodeAt(i)) ||
    !isDigit(line.charCodeAt(i + 1)) ||
    line.charCodeAt(i + 2) !== 58 ||
    !isDigit(line.charCodeAt(i + 3)) ||
    line.charCodeAt(i + 5) !== 58 ||
    !isDigit(line.charCodeAt(i + 6)) ||
    !isDigit(line.charCodeAt(i + 7))
  ) {
    return -1;
  }
  let j = i + 8;
  if (line.charCodeAt(j) === 46 || line.charCodeAt(j) === 44) {
    j++;
    while (j < end && isDigit(line.charCodeAt(j))) j++;
  }
  return j;
}

/**
 * A prefix that starts with a digit: a timestamp, GitLab's `00O ` stream tag, or a `12:34:56.789 ` clock
 * (with the ` | ` of a log table copied from a web dashboard).
 */
function digitPrefix(line: string, i: number, end: number): number {
  const t = timestampLength(line, i, end);
  if (t > 0) return t;
  // GitLab's own job-log timestamps are followed by a stream tag: `00O `, `01E+ `.
  const tag = line.charCodeAt(i + 2);
  if (isDigit(line.charCodeAt(i + 1)) && (tag === 79 || tag === 69) /* O E */) {
    let j = i + 3;
    if (line.charCodeAt(j) === 43 /* + */) j++;
    if (line.charCodeAt(j) === 32) return j + 1 - i;
  }
  const c = clockEnd(line, i, end);
  if (c < 0) return 0;
  const sp = line.charCodeAt(c);
  if (sp === 32 && line.charCodeAt(c + 1) === 124 /* | */) {
    // A dashboard's log table copied and pasted (Cloudflare Pages, Vercel): `19:20:32.489 | Error: …`.
    if (c + 2 === end) return c + 2 - i;
    if (line.charCodeAt(c + 2) === 32) return c + 3 - i;
  }
  return sp === 32 || sp === 9 ? c + 1 - i : c === end ? c - i : 0;
}

/** `[02:58:01] `, `[2024-01-01T10:00:00.123Z] ` (Jenkins' timestamper, elapsed-time prefixes). */
function bracketPrefix(line: string, i: number, end: number): number {
  if (!isDigit(line.charCodeAt(i + 1))) return 0;
  let j = clockEnd(line, i + 1, end);
  if (j < 0) {
    const t = timestampLength(`${line.slice(i + 1, Math.min(end, i + 40)).replace(/\].*$/, '')}`);
    if (t === 0) return 0;
    j = i + 1 + t;
  }
  if (line.charCodeAt(j) !== 93 /* ] */) return 0;
  j++;
  if (line.charCodeAt(j) === 32) j++;
  return j - i;
}

/** Travis `travis_fold:start:NAME`, `travis_time:end:ID:…`, up to a carriage return (or the line's end). */
function travisPrefix(line: string, i: number, end: number): number {
  const fold = line.startsWith('travis_fold:', i);
  if (!fold && !line.startsWith('travis_time:', i)) return 0;
  let j = i + 12;
  while (j < end) {
    const c = line.charCodeAt(j);
    if (c === 13 || c === 32 || c === 9 || c === 27) break;
    j++;
  }
  const start = line.startsWith('start:', i + 12);
  if (fold && (start || line.startsWith('end:', i + 12))) {
    lastMarker.kind = start ? 1 : 2;
    lastMarker.nameStart = i + 12 + (start ? 6 : 4);
    lastMarker.nameEnd = j;
  } else if (!fold && start) {
    lastMarker.kind = 3;
    lastMarker.nameStart = i + 18;
    lastMarker.nameEnd = j;
  }
  return j - i;
}

/** GitLab `section_start:1700000000:name[collapsed=true]`, up to the carriage return. */
function gitlabPrefix(line: string, i: number, end: number): number {
  const start = line.startsWith('section_start:', i);
  if (!start && !line.startsWith('section_end:', i)) return 0;
  let j = i + (start ? 14 : 12);
  while (j < end && isDigit(line.charCodeAt(j))) j++;
  if (line.charCodeAt(j) !== 58) return 0;
  const nameStart = j + 1;
  while (j < end) {
    const c = line.charCodeAt(j);
    if (c === 13 || c === 32 || c === 27) break;
    j++;
  }
  let nameEnd = j;
  const bracket = line.indexOf('[', nameStart);
  if (bracket !== -1 && bracket < nameEnd) nameEnd = bracket;
  lastMarker.kind = start ? 1 : 2;
  lastMarker.nameStart = nameStart;
  lastMarker.nameEnd = nameEnd;
  return j - i;
}

/** `ESC[0K` / `ESC[K` / `ESC[2K` (erase line, after markers) and Buildkite's `ESC_bk;t=…BEL` timestamps. */
function escapePrefix(line: string, i: number, end: number): number {
  const c1 = line.charCodeAt(i + 1);
  if (c1 === 91 /* [ */) {
    let j = i + 2;
    while (j < end && isDigit(line.charCodeAt(j))) j++;
    return line.charCodeAt(j) === 75 /* K */ ? j + 1 - i : 0;
  }
  if (c1 === 95 /* _ */) {
    const bel = line.indexOf('\u0007', i + 2);
    if (bel === -1 || bel >= end) return 0;
    return bel + 1 - i;
  }
  return 0;
}

/** git's sideband prefix, `remote: ` (or a bare `remote:` line), on what the server printed during a push. */
function remotePrefix(line: string, i: number, end: number): number {
  if (!line.startsWith('remote:', i)) return 0;
  if (i + 7 === end) return 7;
  return line.charCodeAt(i + 7) === 32 ? 8 : 0;
}

/**
 * Length of every prefix before the text of `line[start, end)`: timestamps (one or several), clocks,
 * CI markers and the escapes glued to them, in any order. GitHub's plain `timestamp text` line costs
 * a few character reads. Sets `lastMarker` when a section marker was among them.
 */
export function prefixLength(line: string, start = 0, end = line.length): number {
  lastMarker.kind = 0;
  let i = start + timestampLength(line, start, end);
  if (i < end) {
    const c = line.charCodeAt(i);
    // Only these can start another prefix: a digit, `[`, `t`ravis, `s`ection, `r`emote, ESC, CR.
    if (!isDigit(c) && c !== 91 && c !== 116 && c !== 115 && c !== 114 && c !== 27 && c !== 13)
      return i - start;
  }
  for (let guard = 0; guard < 12 && i < end; guard++) {
    const c = line.charCodeAt(i);
    let n = 0;
    if (isDigit(c)) n = digitPrefix(line, i, end);
    else if (c === 91) n = bracketPrefix(line, i, end);
    else if (c === 116) n = travisPrefix(line, i, end);
    else if (c === 115) n = gitlabPrefix(line, i, end);
    else if (c === 27) n = escapePrefix(line, i, end);
    else if (c === 114) n = remotePrefix(line, i, end);
    else if (c === 13) n = 1;
    if (n === 0) break;
    i += n;
  }
  return i - start;
}

export function stripTimestamp(line: string): string {
  const n = prefixLength(line);
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

/** Prefixes and colour codes removed, trailing whitespace trimmed. */
export function cleanLine(raw: string): string {
  return stripAnsi(stripTimestamp(raw)).trimEnd();
}
