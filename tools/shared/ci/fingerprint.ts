/**
 * "The same failure" for automatic triage: repository, workflow, failing step and first error line,
 * with the parts that change from run to run (timestamps, durations, temp paths, hashes, ids, line
 * and column numbers) normalised away. The webhook handler stores the fingerprint (Redis, one day) and
 * posts a repeat into the existing thread instead of a new message.
 */

import { createHash } from 'node:crypto';
import { cleanLine } from './clean.ts';

export interface FingerprintInput {
  /** `owner/repo` (case-insensitive). */
  repo: string;
  /** The workflow file path (`.github/workflows/ci.yml`), or its name when the path is unknown. */
  workflow: string;
  /** Name of the failing step (from the jobs API), or the log section title. */
  step: string;
  /** The first error line of the excerpt (raw or cleaned). */
  firstErrorLine: string;
}

/**
 * Normalises an error line so that two runs of the same failure compare equal: colours and the
 * runner's timestamp removed, ISO dates, durations, hex ids, UUIDs, temp directories, absolute runner
 * paths, `:line:col` positions, and numbers of 4+ digits replaced; whitespace collapsed; lower case.
 * Numbers of up to 3 digits and codes stay (`exit code 1` vs `137`, `TS2322`, `E0308` are different failures).
 */
export function normalizeErrorLine(line: string): string {
  return cleanLine(line)
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<addr>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hex>')
    .replace(/(?:\/home\/runner\/work|\/__w|[A-Za-z]:[\\/]a)\/[^/\s]+\/[^/\s]+\//g, '')
    .replace(/\/(?:tmp|private\/var\/folders|home\/runner\/work\/_temp)\/[^\s:'"]+/g, '<tmp>')
    .replace(/\(\d+(?:\.\d+)?\s*(?:ms|s|m|sec|seconds?)\)/gi, '(<dur>)')
    .replace(/\b\d+(?:\.\d+)?\s*(?:ms|s|sec|seconds?|min|minutes?)\b/gi, '<dur>')
    .replace(/(:\d+){1,2}(?=\)|\s|$|:)/g, ':<pos>')
    .replace(/\((\d+),(\d+)\)/g, '(<pos>)')
    .replace(/(?<![A-Za-z])\d{4,}(?:\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .slice(0, 300);
}

/** A stable 24-hex-digit key (sha256 of the normalised parts). */
export function triageFingerprint(input: FingerprintInput): string {
  const parts = [
    input.repo.trim().toLowerCase(),
    input.workflow.trim().replace(/@.*$/, ''),
    input.step.trim().replace(/\s+/g, ' '),
    normalizeErrorLine(input.firstErrorLine),
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}
