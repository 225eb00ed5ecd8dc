/**
 * Download and extraction of one log URL in one pass: the body streams into the extractor, which
 * stops the download as soon as its result is settled. Runs in the log worker thread (worker.ts) or,
 * when a test injects a resolver, in the caller's thread.
 */

import { extractLogChunks } from '../../../tools/shared/ci/extract.ts';
import type { UrlExtraction } from '../../../tools/shared/ci/log-port.ts';
import { type LogFetchPolicy, openLogUrl } from './fetch.ts';

export async function extractUrl(
  url: URL,
  policy: LogFetchPolicy,
  signal?: AbortSignal,
): Promise<UrlExtraction> {
  const opened = await openLogUrl(url, policy, signal);
  let bytesRead = 0;
  const counted = (async function* () {
    for await (const chunk of opened.body) {
      bytesRead += chunk.length;
      yield chunk;
    }
  })();
  const x = await extractLogChunks(counted, { signal });
  return { ...x, finalUrl: opened.url.href, bytesRead, contentType: opened.contentType };
}
