/**
 * The bot token of a Slack file download (src/slack/files.ts) goes to Slack's own file host only —
 * also when that host redirects: a redirect to another host or port is refused before anything is
 * sent there, and a redirect within the host keeps the token. Real HTTP servers on loopback stand for
 * Slack's host (the API's, as SLACK_API_URL points at the fakes) and for the host elsewhere.
 */

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WebClient } from '@slack/web-api';
import { createSlackFiles, type SlackFileInfo } from '../../src/slack/files.ts';
import { AppError } from '../../tools/shared/errors.ts';
import { type LogServer, startLogServer } from '../support/log-server.ts';

const TOKEN = 'xoxb-file-redirect-test';
const LOG = 'compiling\nerror: the build broke\n';

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('a Slack file download that redirects', () => {
  let slack: LogServer;
  let elsewhere: LogServer;
  let files: ReturnType<typeof createSlackFiles>;
  const file = (path: string): SlackFileInfo => ({
    id: 'F1',
    name: 'build.log',
    urlPrivateDownload: `${slack.base}${path}`,
  });

  beforeAll(async () => {
    [slack, elsewhere] = await Promise.all([startLogServer(), startLogServer()]);
    // extract() reads no Web API method: only the download, under the file-host policy.
    files = createSlackFiles({} as WebClient, {
      token: TOKEN,
      apiUrl: `${slack.base}/api/`,
      maxBytes: 1 << 20,
      timeoutMs: 10_000,
    });
    slack.route('/files-pri/T1-F1/build.log', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(LOG),
    );
    slack.route('/files-pri/T1-F1/moved', (_q, res) =>
      res.writeHead(302, { location: '/files-pri/T1-F1/build.log' }).end(),
    );
    slack.route('/files-pri/T1-F1/to-other-host', (_q, res) =>
      res.writeHead(302, { location: `http://localhost:${elsewhere.port}/build.log` }).end(),
    );
    slack.route('/files-pri/T1-F1/to-other-port', (_q, res) =>
      res.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/build.log` }).end(),
    );
    elsewhere.route('/build.log', (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(LOG));
  });
  afterAll(async () => {
    await Promise.all([slack?.close(), elsewhere?.close()]);
  });

  it('follows a redirect within Slack’s file host, with the token', async () => {
    const x = await files.extract(file('/files-pri/T1-F1/moved'));
    expect(x.firstError?.text).toBe('error: the build broke');
    expect(slack.requests).toEqual(['/files-pri/T1-F1/moved', '/files-pri/T1-F1/build.log']);
    expect(slack.headers.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it.each([
    ['another host', '/files-pri/T1-F1/to-other-host', 'localhost'],
    ['another port of the same address', '/files-pri/T1-F1/to-other-port', '127.0.0.1'],
  ])('refuses a redirect to %s, sending it nothing', async (_what, path, host) => {
    const e = await refusal(files.extract(file(path)));
    expect(e.code).toBe('log_host_not_allowed');
    expect(e.userMessage).toContain(`Slack pointed the file to ${host}:${elsewhere.port}`);
    expect(elsewhere.requests).toEqual([]);
    expect(elsewhere.headers).toEqual([]);
  });
});
