/**
 * An extraction made safe to show: excerpt, details, first error and verdict redacted. Shared by the
 * run triage (triage.ts) and the triage of a log from a URL, a message or a file (log-triage.ts).
 */

import type { ExtractDetails } from './details.ts';
import type { Extraction } from './extraction.ts';

export interface RedactedExtraction {
  excerpt: { line: number; text: string }[];
  details: ExtractDetails;
  firstError: string | null;
  verdict: string | null;
  section: string | null;
}

export function redactExtraction(x: Extraction, redact: (s: string) => string): RedactedExtraction {
  // Redact line by line (line numbers stay attached); if the excerpt as a whole holds a secret that
  // spans lines and survived that, fall back to the whole-text redaction.
  let excerpt = x.lines.map((l) => ({ line: l.n, text: redact(l.text) }));
  const joined = x.lines.map((l) => l.text).join('\n');
  const whole = redact(joined);
  if (whole !== excerpt.map((l) => l.text).join('\n')) {
    excerpt = whole.split('\n').map((text, i) => ({ line: x.lines[i]?.n ?? 0, text }));
  }
  const details: ExtractDetails = {};
  for (const [k, v] of Object.entries(x.details) as [keyof ExtractDetails, string | number | undefined][]) {
    if (v !== undefined) (details as Record<string, unknown>)[k] = typeof v === 'string' ? redact(v) : v;
  }
  return {
    excerpt,
    details,
    firstError: x.firstError ? redact(x.firstError.text) : null,
    verdict: x.terminal ? redact(x.terminal.line.text.replace(/^##\[error\]/, '')) : null,
    section: x.section ? redact(x.section.title) : null,
  };
}
