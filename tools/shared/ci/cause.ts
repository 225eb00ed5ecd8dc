/**
 * When no rule recognised the error, which of the lines before the verdict (or the end of the log)
 * is the cause: not the CI's trailer (cache and artifact uploads, clean-up), not a wrapper that only
 * says a command failed (`npm ERR! code ELIFECYCLE`, `make: *** … Error 2`, `ERROR: "lint" exited
 * with 1.`), and a line with a failure word ("error", "failed", "not found", "denied", …) before a
 * warning printed after it.
 */

import type { ExcerptLine } from './excerpt.ts';

/** CI trailers and runner chatter printed after the step's own output. */
const TRAILER =
  /^(?:Uploading artifacts|Uploading cache|Saving cache|Creating cache|Not uploading cache|Skipping cache|Cache saved|Restoring cache|Cleaning up|Cleaning orphan|Terminate orphan process|Stopping container|Removing (?:container|network|intermediate)|Post job cleanup|Archiving artifacts|Recording test results|Sending interrupt signal|Waiting for|Finished: |Build step '.*' marked build as failure|store build cache|nothing changed, not updating cache|changes detected, packing|uploading archive|Done\. Your build exited|Done in \d|Done\.$|Exited with code|##\[|\[Pipeline\]|WARNING: .*no matching files|ERROR: No files to upload|npm (?:ERR!|error) A complete log|npm (?:ERR!|error)\s+\S*\.npm\/_logs|npm (?:ERR!|error)\s*$|info Visit https:\/\/yarnpkg|\s*at .*\(node:internal|Attempting to|Killing |section_end|travis_|={10,}|-{10,}$|(?:Task|Description|Version|Author|Help)\s+: |Generating script\.|Script contents:|=+ Starting Command Output =+|\[command\])/;

/** Lines that say only that a command failed, naming the command rather than the cause. */
const WRAPPER =
  /^(?:npm (?:ERR!|error) (?:code ELIFECYCLE|errno \d|Exit status|Failed at the|Lifecycle script|command failed|command sh -c|This is probably not a problem|[\w@/.-]+@\S+ \S+: `)|ELIFECYCLE|ERROR: "[^"]+" exited with \d+|Error: Command ".*" exited with \d+|make(?:\[\d+\])?: \*\*\* |error Command failed with exit code|Command failed with exit code|.*\bexited with (?:exit )?(?:code|status)[: ]+\d+|.*\breturned (?:a )?non-zero (?:exit )?(?:code|status)|script returned exit code|\s*ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL|.*ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL|error: Recipe `[^`]+` failed|Error: Process completed with exit code|(?:Error: )?> Build failed because of webpack errors|> Build error occurred)/;

const FAILURE_WORD =
  /\b(?:error|errors|failed|failure|fail|missing|not found|aborted|not ok|denied|cannot|can't|could not|couldn't|unable|fatal|exception|panic|refused|no such|invalid|undefined|forbidden|unauthorized|timed? ?out|killed)\b/i;

const WARNING = /\b(?:warn|warning|deprecated|notice)\b/i;

/** A trailer line (upload, clean-up, runner chatter). */
export function isTrailer(text: string): boolean {
  return TRAILER.test(text.trimStart());
}

/** A wrapper line (a command's failure, not its cause). */
export function isWrapper(text: string): boolean {
  return WRAPPER.test(text.trimStart());
}

function score(text: string): number {
  const t = text.trimStart();
  if (t.length === 0 || TRAILER.test(t)) return -1;
  if (WRAPPER.test(t)) return 0;
  if (FAILURE_WORD.test(t)) return WARNING.test(t) && !/\berror\b/i.test(t) ? 1 : 3;
  if (WARNING.test(t)) return 1;
  return 2;
}

/**
 * The cause among `lines` (oldest first) and the lines to show with it: up to 4 before it, it, and up
 * to 6 after it, without trailers. The cause is the best-ranked line (failure words > plain output >
 * warnings > wrappers), the first of the last run of failure lines, else the last such line; null
 * when every line is a trailer.
 */
export function pickCause(lines: readonly ExcerptLine[]): {
  cause: ExcerptLine | null;
  shown: ExcerptLine[];
} {
  const kept = lines.filter((l) => score(l.text) >= 0);
  if (kept.length === 0) return { cause: null, shown: [] };
  const scores = kept.map((l) => score(l.text));
  const best = Math.max(...scores);
  let at = scores.lastIndexOf(best);
  // Only a wrapper: the first one names the command that failed. A run of failure lines starts
  // with the cause (`error: …` before its `caused by: …`); plain output is read from the end.
  if (best === 0) at = scores.indexOf(0);
  else if (best === 3) while (at > 0 && scores[at - 1] === best) at--;
  const cause = kept[at] as ExcerptLine;
  return { cause, shown: kept.slice(Math.max(0, at - 4), at + 7) };
}
