/**
 * Reading a raw log from a URL (`/ops triage <url>`): the port src/clients/log-url/ implements under
 * the team's `ci.log_hosts` and the download limits. Tools see only this.
 */

import type { Extraction } from './extraction.ts';

/** What was read at a log URL, and what the extractor made of it (not yet redacted). */
export type UrlExtraction = Extraction & {
  stoppedEarly: boolean;
  /** The URL the log was read from, after redirects. */
  finalUrl: string;
  /** Bytes read (decoded). */
  bytesRead: number;
  contentType: string | null;
};

export interface LogUrlPort {
  /**
   * Downloads the log at `url` (an http(s) URL) and extracts it, stopping once the excerpt settles.
   * Throws AppError with an answer for each refusal: host not listed, address not allowed, not
   * found, unauthorized, too large, too slow, not text.
   */
  extract(url: string, opts?: { signal?: AbortSignal }): Promise<UrlExtraction>;
}
