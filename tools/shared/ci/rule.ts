/**
 * What a rule that recognises a failure in a CI log is: what a line looks like, what kind of failure
 * it means, and how much context around it a person needs. The table itself is RULES (rules.ts).
 *
 * Roles:
 * - `primary` — a decisive error: the first one is what a person scrolls to.
 * - `weak` — error-looking (`Error: …`, `fatal: …`); used when no primary shows up in the failing step.
 * - `terminal` — the runner's verdict line (`##[error]Process completed with exit code 1.`, timeouts,
 *   cancellation, runner lost): ends the failing step; decides the kind only when nothing else did.
 * - `summary` — a tool's closing summary (`FAIL src/a.test.ts`, `npm ERR! Test failed`): kept as a
 *   headline, decides the kind when no primary was found.
 */

export type FailureKind =
  | 'test'
  | 'compile'
  | 'lint'
  | 'dependency'
  | 'infrastructure'
  | 'config'
  | 'deploy'
  | 'timeout'
  | 'cancelled'
  | 'unknown';

export type RuleRole = 'primary' | 'weak' | 'terminal' | 'summary';

export interface Rule {
  /** Stable id, e.g. `jest`, `tsc`, `npm-install`; shown as the reason for the kind. */
  readonly id: string;
  readonly kind: FailureKind;
  readonly role: RuleRole;
  /** Literals the line starts with, after leading whitespace. */
  readonly starts?: readonly string[];
  /** The line, after leading whitespace, starts with a digit. */
  readonly startsDigit?: boolean;
  /**
   * For `startsDigit` rules: the same test on the line without its leading spaces, so the extractor
   * can reject the many lines that start with a number without leaving its fast path.
   */
  readonly trimmed?: RegExp;
  /** A literal the line contains (case-sensitive). Exactly one of starts/startsDigit/contains. */
  readonly contains?: string;
  /**
   * For `contains` rules: a cheap regex source that every line containing the literal also matches
   * (a superset, starting with a rare character: every log line has a `T` and a `.` in its timestamp,
   * so `TS\d` is written `(?<=T)S\d`). The extractor scans whole chunks with the
   * union of these to find the few lines worth a closer look. Defaults to the escaped literal.
   */
  readonly gate?: string;
  /** The full test, on the cleaned line (timestamp and colours removed). */
  readonly re: RegExp;
  /** Context lines before (default 2), walking back no further than a line matching `beforeStop`. */
  readonly before?: number;
  readonly beforeStop?: RegExp;
  /** Context lines after (default 6). */
  readonly after?: number;
  /** After-context ends with (and includes) the first line matching this. */
  readonly until?: RegExp;
  /** After-context ends before the first line matching this. */
  readonly stopBefore?: RegExp;
  /** Only after-context lines matching this are kept (others are skipped, up to 4× `after` looked at). */
  readonly keep?: RegExp;
  /** Which capture group of `re` names the failing test, if any. */
  readonly testGroup?: number;
}
