import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { createSlackWebClient } from '../../src/clients/slack.ts';
import { loadConfig } from '../../src/config.ts';
import { captureLog, REDIS_URL, SIGNING_SECRET, teamFile } from '../support/app-harness.ts';

const TOKEN = 'ghp_FAKEabcdefghijklmnopqrstuvwxyz012345';

describe('the Slack Web API client’s own log at LOG_LEVEL=debug', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('carries thread text through the redactor: a token quoted in a thread never reaches the log', async () => {
    const config = loadConfig({
      REDIS_URL,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_CONFIG: teamFile('{}\n'),
      LOG_LEVEL: 'debug',
    });
    const captured = captureLog();
    const client = createSlackWebClient(config, captured.log);
    slack.threads.set('C1OPS/1700000000.000100', [
      { ts: '1700000000.000100', user: 'U1ALICE', text: `deploy failed, my token is ${TOKEN}` },
    ]);
    const r = await client.conversations.replies({ channel: 'C1OPS', ts: '1700000000.000100' });
    expect(JSON.stringify(r.messages)).toContain(TOKEN);
    const logged = captured.lines.map((l) => JSON.stringify(l));
    // The Web API logs the whole result at debug; it is there, without the token.
    expect(logged.some((l) => l.includes('http request result') && l.includes('deploy failed'))).toBe(true);
    for (const l of logged) expect(l).not.toContain(TOKEN.slice(4, 20));
  });
});
