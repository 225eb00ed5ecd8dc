import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { cleanRedis, REDIS_URL, SIGNING_SECRET, teamFile, uniquePrefix } from '../support/app-harness.ts';
import { runMain } from '../support/run-main.ts';

/** What a person sees when Slack cannot be reached or refuses the token at start (issue 13 item 2). */
describe('starting against a Slack that refuses the token or does not answer', () => {
  const prefix = uniquePrefix('slack-start');
  let slack: FakeSlack;
  const env = (apiUrl: string) => ({
    REDIS_URL,
    PORT: '0',
    SHIPMATE_QUEUE_PREFIX: prefix,
    SHIPMATE_CONFIG: teamFile('{}\n'),
    SLACK_BOT_TOKEN: 'xoxb-refused',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
  });
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack?.close();
    await cleanRedis(prefix);
  });

  /** stderr without the JSON log lines: what a person reads. */
  const said = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('{'))
      .join('\n');

  it('a refused token: exit 1 and one line naming auth.test, the URL and the cause, no stack', async () => {
    slack.failNext('auth.test', 'invalid_auth', 10);
    const r = await runMain(env(slack.apiUrl), '');
    expect(r.code).toBe(1);
    expect(said(r.stderr)).toBe(
      `Shipmate cannot start: Slack's auth.test at ${slack.apiUrl} failed (invalid_auth). SLACK_BOT_TOKEN was refused: use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.`,
    );
    expect(r.stderr).not.toMatch(/\s+at \S+ \(|\\n\s+at /);
    expect(r.stdout).not.toMatch(/listening|ready/i);
  });

  it('Slack unreachable: exit 1 and one line saying it did not answer', async () => {
    // A port nothing listens on (fetch refuses "unsafe" ones such as 1 before connecting).
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const url = `http://127.0.0.1:${port}/api/`;
    const r = await runMain(env(url), '');
    expect(r.code).toBe(1);
    expect(said(r.stderr)).toBe(
      `Shipmate cannot start: Slack's auth.test at ${url} failed (ECONNREFUSED). Slack did not answer; check the network, a proxy, or SLACK_API_URL.`,
    );
    expect(said(r.stderr).split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\s+at \S+ \(|\\n\s+at /);
  });
});
