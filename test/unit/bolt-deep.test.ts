import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import * as index from '@slack/bolt';
import { App, HTTPReceiver, LogLevel } from '../../src/clients/bolt.ts';

const ROOT = join(import.meta.dirname, '../..');

/**
 * In a fresh `node` (its own module cache): build an HTTP-mode app through src/clients/slack.ts's
 * modules, see whether @slack/socket-mode (or express) was loaded, then construct a Socket Mode
 * receiver and see that it got the real client.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(pathToFileURL(join(ROOT, 'package.json')).href)});
const files = (pkg) => Object.keys(require.cache).filter((p) => p.includes('/node_modules/' + pkg + '/'));
const loaded = (pkg) => files(pkg).length > 0;
// The stand-in sits in the cache under the package's main file: the package is loaded once more than that is.
const socketModeLoaded = () => files('@slack/socket-mode').length > 1;
const { App, HTTPReceiver } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/clients/bolt.ts')).href)});
// No auth.test at construction (nothing may reach Slack); a loopback API URL besides.
const offline = { tokenVerificationEnabled: false, clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' } };
const http = new App({ ...offline, token: 'xoxb-test', signingSecret: 'secret', receiver: new HTTPReceiver({ signingSecret: 'secret' }) });
const afterHttp = { socketMode: socketModeLoaded(), express: loaded('express'), app: typeof http.command };
const socket = new App({ ...offline, token: 'xoxb-test', appToken: 'xapp-test', socketMode: true });
const real = require(require.resolve('@slack/socket-mode', { paths: [require.resolve('@slack/bolt')] })).SocketModeClient;
process.stdout.write(JSON.stringify({ afterHttp, afterSocket: socketModeLoaded(), realClient: socket.receiver.client instanceof real }), () => process.exit(0));
`;

describe("src/clients/bolt.ts: Bolt's App and HTTP receiver without the package's index", () => {
  it('gives the very classes and enum the index exports', () => {
    expect(App).toBe(index.App);
    expect(HTTPReceiver).toBe(index.HTTPReceiver);
    expect(LogLevel).toBe(index.LogLevel);
    expect(LogLevel.INFO).toBe('info');
  });

  it('loads neither express nor @slack/socket-mode in HTTP mode, and the real Socket Mode client when asked for one', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--no-warnings', '-e', SCRIPT],
      { cwd: ROOT },
    );
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({
      afterHttp: { socketMode: false, express: false, app: 'function' },
      afterSocket: true,
      realClient: true,
    });
  });
});
