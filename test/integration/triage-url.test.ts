/**
 * `/ops triage <url>` through the whole app: a signed slash command into the real Bolt receiver,
 * BullMQ on Redis, the log read by the worker thread from a real HTTP server on loopback (listed in
 * the team file's ci.log_hosts, the designed way to allow a loopback host), and Slack as the
 * loopback fake.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { cleanRedis, SIGNING_SECRET, startApp, teamFile, uniquePrefix } from '../support/app-harness.ts';
import { type LogServer, startLogServer } from '../support/log-server.ts';
import { postSigned, slashCommand } from '../support/slack-requests.ts';

const FIX = join(import.meta.dirname, '../fixtures/ci-logs');
const NPM_TOKEN = `npm_${'Q1w2E3r4T5'.repeat(3)}y6U7i8`;
/** The Jenkins fixture with a channel ping and a token inside the failure. */
const jenkins = readFileSync(join(FIX, 'jenkins-maven.txt'), 'utf8').replace(
  '[ERROR] Tests run: 4, Failures: 1',
  `<!channel> <!here> NPM_TOKEN=${NPM_TOKEN}\n[ERROR] Tests run: 4, Failures: 1`,
);

const blocksOf = (c: SlackCall) => JSON.stringify(c.args.blocks ?? []);

describe('/ops triage <url>', () => {
  const prefix = uniquePrefix('triage-url');
  let slack: FakeSlack;
  let logs: LogServer;
  let app: ShipmateApp & { baseUrl: string };

  beforeAll(async () => {
    [slack, logs] = await Promise.all([startFakeSlack(), startLogServer()]);
    logs.route('/job/shop/42/consoleText', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' }).end(jenkins),
    );
    app = await startApp({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
      SHIPMATE_CONFIG: teamFile(`ci:\n  log_hosts:\n    - 127.0.0.1:${logs.port}\n    - ci.example.com\n`),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), logs?.close()]);
    await cleanRedis(prefix);
  });

  /** Runs `/ops triage <text>` and resolves with the final edit of its progress message. */
  async function triage(text: string, done: (c: SlackCall) => boolean): Promise<SlackCall> {
    const res = await postSigned(app.baseUrl, slashCommand(`triage ${text}`), SIGNING_SECRET);
    expect(res.status).toBe(200);
    const final = () => slack.of('chat.update').find(done);
    await slack.waitFor(() => final() !== undefined, 15_000, `the triage of ${text}`);
    return final() as SlackCall;
  }

  it('triages a raw log on a listed host: kind, excerpt lines, no run buttons, secrets redacted, no pings', async () => {
    const url = `${logs.base}/job/shop/42/consoleText`;
    // As Slack sends a link with a label.
    const final = await triage(`<${url}|the console>`, (c) => blocksOf(c).includes('CI failure: 127.0.0.1'));
    const blocks = blocksOf(final);
    expect(blocks).toContain(`CI failure: 127.0.0.1:${logs.port}/job/shop/42/consoleText`);
    expect(blocks).toContain('test failure');
    expect(blocks).toContain('(maven-test)');
    expect(blocks).toContain('[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0');
    expect(blocks).toContain('testRoleArnIsUsed(com.amazonaws.codedeploy.AWSCodeDeployPublisherTest)');
    expect(blocks).toContain('ERROR: script returned exit code 1');
    expect(blocks).not.toContain('"type":"actions"');
    expect(blocks).not.toContain('/ops rerun');
    expect(JSON.stringify(slack.calls)).not.toContain(NPM_TOKEN);
    for (const c of slack.calls) {
      expect(JSON.stringify(c.args)).not.toMatch(/<!(channel|here)>/);
    }
    expect(blocks).toContain('&lt;!channel&gt;');
    expect(logs.requests).toEqual(['/job/shop/42/consoleText']);
  });

  it('refuses a host that is not in ci.log_hosts, names the setting and what to add, and fetches nothing', async () => {
    logs.requests.length = 0;
    const url = `http://localhost:${logs.port}/job/shop/42/consoleText`;
    const final = await triage(url, (c) => String(c.args.text).includes('ci.log_hosts'));
    expect(String(final.args.text)).toContain(
      `add \`localhost:${logs.port}\` to \`ci.log_hosts\` in the team file`,
    );
    expect(logs.requests).toEqual([]);
  });

  it('answers a bad URL at once with the usage, queueing nothing', async () => {
    const res = await postSigned(
      app.baseUrl,
      slashCommand('triage <ftp://ci.example.com/log>'),
      SIGNING_SECRET,
    );
    const body = res.json() as { text?: string };
    expect(body.text).toContain('Only https:// and http:// log URLs can be triaged');
    expect(body.text).toContain('/ops triage &lt;log URL&gt;');
  });
});
