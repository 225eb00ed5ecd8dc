import type { WebClient } from '@slack/web-api';
import type { UrlExtraction } from '../../tools/shared/ci/log-port.ts';
import { AppError } from '../../tools/shared/errors.ts';
import type { LogFetchPolicy } from '../clients/log-url/fetch.ts';
import { type LogHost, parseLogHost } from '../clients/log-url/hosts.ts';
import { slackErrorCode } from '../errors.ts';

/** What files.info says of a file that matters here. */
export interface SlackFileInfo {
  id: string;
  name: string;
  mimetype?: string;
  filetype?: string;
  /** `snippet` for a snippet. */
  mode?: string;
  size?: number;
  permalink?: string;
  urlPrivateDownload?: string;
}

/** Files attached to messages, read with the bot token (scope `files:read`). */
export interface SlackFiles {
  info(fileId: string): Promise<SlackFileInfo>;
  /**
   * Downloads a file files.info described and extracts it as a log: only from Slack's own file host
   * (the API's host, or `files.` under it), with the bot token, within the download limits.
   */
  extract(file: SlackFileInfo, signal?: AbortSignal): Promise<UrlExtraction>;
}

const NOT_VISIBLE = new Set([
  'file_not_found',
  'file_deleted',
  'not_in_channel',
  'channel_not_found',
  'access_denied',
]);

/** The hosts Slack serves files from, for an API at `apiUrl`: `slack.com` → slack.com and files.slack.com. */
export function slackFileHosts(apiUrl = 'https://slack.com/api/'): LogHost[] {
  const u = new URL(apiUrl);
  const entries = [u.host, ...(u.port ? [] : [`files.${u.hostname.replace(/^api\./, '')}`])];
  return entries.flatMap((e) => {
    const h = parseLogHost(e);
    return 'problem' in h
      ? []
      : [{ ...h, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 }];
  });
}

export function createSlackFiles(
  web: WebClient,
  o: { token: string; apiUrl?: string; maxBytes: number; timeoutMs: number },
): SlackFiles {
  const protocol = new URL(o.apiUrl ?? 'https://slack.com/api/').protocol;
  const policy: LogFetchPolicy = {
    hosts: slackFileHosts(o.apiUrl),
    maxBytes: o.maxBytes,
    timeoutMs: o.timeoutMs,
    headers: { authorization: `Bearer ${o.token}` },
    notAllowed: 'Slack pointed the file to {host}, not to its own file host; Shipmate did not download it.',
    settings: {
      hosts: "Slack's file host",
      maxBytes: 'LOG_DOWNLOAD_MAX_MB',
      timeout: 'LOG_DOWNLOAD_TIMEOUT_SECONDS',
    },
  };
  return {
    async info(fileId) {
      try {
        const r = await web.files.info({ file: fileId, limit: 1 });
        const f = r.file ?? {};
        return {
          id: f.id ?? fileId,
          name: f.name ?? f.title ?? fileId,
          mimetype: f.mimetype,
          filetype: f.filetype,
          mode: f.mode,
          size: f.size,
          permalink: f.permalink,
          urlPrivateDownload: f.url_private_download ?? f.url_private,
        };
      } catch (e) {
        const code = slackErrorCode(e);
        if (code && NOT_VISIBLE.has(code))
          throw new AppError({
            code: 'slack_file_not_visible',
            userMessage:
              'Shipmate cannot see the file attached to that message: invite it to the channel (`/invite @shipmate`) and try again.',
          });
        if (code === 'missing_scope')
          throw new AppError({
            code: 'slack_missing_scope',
            userMessage:
              'Shipmate may not read files: its Slack app lacks the `files:read` scope. Update the app from manifest.yml and reinstall it.',
          });
        throw e;
      }
    },
    async extract(file, signal) {
      const url = file.urlPrivateDownload;
      let u: URL | undefined;
      try {
        u = url ? new URL(url) : undefined;
      } catch {
        u = undefined;
      }
      // The token goes only where Slack itself serves files; a URL elsewhere is not followed.
      if (!u || u.protocol !== protocol) {
        throw new AppError({
          code: 'slack_file_not_downloadable',
          userMessage: `Slack gave no download address for ${file.name} on its own file host; Shipmate did not download it.`,
        });
      }
      // In a worker thread, as a log URL is (the token travels in its workerData, never further).
      // Loaded here, in a triage job: the web role never loads the downloader (worker threads, zlib).
      const { extractInWorker } = await import('../clients/log-url/port.ts');
      return extractInWorker(u, policy, signal);
    },
  };
}
