/**
 * Triage of a log that is not a GitHub Actions run: a raw log URL of any CI (`/ops triage <url>`), or
 * a message's text or attached file (the "Triage this log" shortcut). The same extractor, kinds and
 * redaction as a run's job; the result has one "job", the log itself.
 */

import type { Extraction } from './extraction.ts';
import { triageFingerprint } from './fingerprint.ts';
import { redactExtraction } from './redact-extraction.ts';
import type { FailureKind } from './rule.ts';
import type { TriagedJob } from './triage.ts';

export interface LogTriageResult {
  /** Where the log came from. */
  source: 'url' | 'message' | 'file';
  /** What it is, for the headline: `gitlab.com/acme/shop/-/jobs/1/raw`, `build.log`, `a message`. */
  name: string;
  /** Where a person opens the log (a URL without its query, a permalink); null when there is none. */
  link: string | null;
  /** The log's triage, shaped as a run's job (failedStep null, linesFrom `job`). */
  job: TriagedJob;
  kind: FailureKind;
  fingerprint: string;
  bytesRead: number;
  /** Said under the result (e.g. other files of the message that were not read). */
  note: string | null;
}

/** Tells a run's TriageResult from a LogTriageResult. */
export function isLogTriage(r: unknown): r is LogTriageResult {
  return typeof r === 'object' && r !== null && 'source' in r && 'job' in r;
}

/** The result for an extraction `x` of the log described by `source`. */
export function triageExtractedLog(
  x: Extraction & { stoppedEarly: boolean },
  redact: (s: string) => string,
  source: {
    source: LogTriageResult['source'];
    name: string;
    link: string | null;
    bytesRead: number;
    note?: string;
  },
): LogTriageResult {
  const r = redactExtraction(x, redact);
  const name = redact(source.name);
  const job: TriagedJob = {
    id: 0,
    name,
    conclusion: 'failure',
    url: source.link ?? '',
    failedStep: null,
    kind: x.kind,
    rule: x.rule,
    confidence: x.confidence,
    firstError: r.firstError,
    excerpt: r.excerpt,
    logLine: x.firstError?.n ?? null,
    linesFrom: 'job',
    logUrl: source.link ?? '',
    section: r.section,
    details: r.details,
    verdict: r.verdict,
    note: x.lines.length === 0 ? 'The log holds no output.' : null,
    fingerprint: triageFingerprint({
      repo: source.source === 'url' && source.link ? new URL(source.link).host : source.source,
      workflow: name,
      step: x.section?.title ?? '',
      firstErrorLine: x.firstError?.text ?? '',
    }),
    linesRead: x.linesRead,
    stoppedEarly: x.stoppedEarly,
  };
  return {
    source: source.source,
    name,
    link: source.link,
    job,
    kind: x.kind,
    fingerprint: job.fingerprint,
    bytesRead: source.bytesRead,
    note: source.note ?? null,
  };
}
