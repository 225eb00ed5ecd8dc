import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import { createSlackWebClient } from '../../src/clients/slack.ts';
import { loadConfig } from '../../src/config.ts';
import { createConsoleMessenger } from '../../src/console/messenger.ts';
import { isAppError } from '../../src/errors.ts';
import type { Messenger } from '../../src/jobs/messenger.ts';
import { createSlackMessenger } from '../../src/slack/messenger.ts';
import { REDIS_URL, SIGNING_SECRET, teamFile } from '../support/app-harness.ts';

const TOKEN = 'ghp_FAKEabcdefghijklmnopqrstuvwxyz012345';
const target = { kind: 'slack' as const, channel: 'C1OPS' };
const file = {
  filename: 'cart.test.ts',
  title: 'src/cart.test.ts',
  content: `// set up with ${TOKEN}\nexpect(total([])).toBe(0);\n`,
};

describe('attaching a file into a thread (Messenger.attach)', () => {
  let slack: FakeSlack;
  let messenger: Messenger;
  beforeAll(async () => {
    slack = await startFakeSlack();
    const config = loadConfig({
      REDIS_URL,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_CONFIG: teamFile('{}\n'),
    });
    const log = pino({ level: 'silent' });
    messenger = createSlackMessenger(
      createSlackWebClient(config, log, undefined, { ownRetries: true }),
      log,
      {
        retry: { forMs: 0 },
      },
    );
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('uploads through files.uploadV2 into the thread, redacted like a message', async () => {
    await messenger.attach?.(target, { channel: 'C1OPS', ts: '1700000000.000100' }, file);
    const up = slack.uploads.at(-1);
    expect(up).toMatchObject({
      completed: true,
      channel: 'C1OPS',
      threadTs: '1700000000.000100',
      filename: 'cart.test.ts',
      title: 'src/cart.test.ts',
    });
    expect(up?.content).toContain('expect(total([])).toBe(0);');
    expect(up?.content).toContain('[REDACTED]');
    expect(up?.content).not.toContain(TOKEN.slice(4, 20));
    // The file shows in the thread, as Slack shares it.
    expect(JSON.stringify(slack.threads.get('C1OPS/1700000000.000100'))).toContain(up?.id ?? '?');
  });

  it('a reply in a thread attaches to the thread, not to the reply', async () => {
    await messenger.attach?.(
      { ...target, threadTs: '1700000000.000200' },
      { channel: 'C1OPS', ts: '1700000000.000300' },
      file,
    );
    expect(slack.uploads.at(-1)?.threadTs).toBe('1700000000.000200');
  });

  it.each([
    ['missing_scope', { needed: 'files:write', provided: 'chat:write' }, 'lacks the `files:write` scope'],
    ['not_in_channel', {}, '/invite @Shipmate'],
    ['invalid_arguments', {}, 'Slack refused the upload (`invalid_arguments`)'],
  ])('%s becomes an answer that says what to do', async (error, extra, says) => {
    slack.failNext('files.getUploadURLExternal', error, 1, extra);
    const before = slack.uploads.length;
    const e = await messenger.attach?.(target, { channel: 'C1OPS', ts: '1700000000.000100' }, file).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isAppError(e) && e.userMessage).toContain(says);
    expect(slack.uploads).toHaveLength(before);
  });

  it('the console prints the file after the result, framed', async () => {
    const lines: string[] = [];
    const c = createConsoleMessenger((t) => lines.push(t));
    await c.attach?.({ kind: 'console' }, { ts: '1' }, { ...file, content: 'a\nb\n' });
    expect(lines.join('\n')).toBe('  ┌ src/cart.test.ts (2 lines)\n  │ a\n  │ b\n  └');
  });
});
