/**
 * The "Triage this log" message shortcut through the whole app: signed shortcut payloads into the
 * real Bolt receiver, the job on real Redis, files.info and the file download served by the loopback
 * fake Slack (which records every request), the answer in the message's thread.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { startLogServer } from '../support/log-server.ts';
import { messageShortcut, postSigned } from '../support/slack-requests.ts';

const FIX = join(import.meta.dirname, '../fixtures/ci-logs');
const jenkins = readFileSync(join(FIX, 'jenkins-maven.txt'), 'utf8');
const gitlab = readFileSync(join(FIX, 'gitlab-mypy.txt'), 'utf8');

/** The Jenkins log as Slack stores a pasted one: in a code block, with &, <, > escaped, and a channel ping. */
const pasted = `\`\`\`${jenkins.replace('[ERROR] Tests run: 4', '<!channel> look\n[ERROR] Tests run: 4').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\`\`\``;

const textOf = (c: SlackCall) => `${String(c.args.text ?? '')} ${JSON.stringify(c.args.blocks ?? [])}`;

describe('the Triage this log shortcut', () => {
  const prefix = uniquePrefix('triage-log');
  let slack: FakeSlack;
  let app: ShipmateApp & { baseUrl: string };
  let n = 0;

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startApp({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await cleanRedis(prefix);
  });

  /** ts of the progress message posted in the thread of `threadTs`. */
  const progressIn = (threadTs: string) =>
    slack.of('chat.postMessage').find((c) => c.args.thread_ts === threadTs)?.response?.ts;

  /** Uses the shortcut on `message` in `channel` and resolves with the final answer in the thread. */
  async function shortcut(
    message: Record<string, unknown> & { ts: string },
    done: (c: SlackCall) => boolean,
    channel = 'C1OPS',
  ): Promise<SlackCall> {
    const res = await postSigned(
      app.baseUrl,
      messageShortcut({
        callbackId: 'triage_log',
        message,
        channel,
        responseUrl: slack.responseUrl(`sc${++n}`),
      }),
      SIGNING_SECRET,
    );
    // Acked at once, empty: the job answers in the thread.
    expect([res.status, res.text]).toEqual([200, '']);
    const final = () =>
      slack.calls.find((c) => (c.method === 'chat.update' || c.method === 'response_url') && done(c));
    await slack.waitFor(() => final() !== undefined, 15_000, 'the shortcut’s answer');
    return final() as SlackCall;
  }

  it('triages a log pasted in a thread reply, answering in that thread, and never pings', async () => {
    const final = await shortcut(
      { ts: '1700000100.000200', thread_ts: '1700000100.000100', user: 'U2BOB', text: pasted },
      (c) => textOf(c).includes('CI failure: the log in this message'),
    );
    const text = textOf(final);
    expect(text).toContain('test failure');
    expect(text).toContain('(maven-test)');
    expect(text).toContain('[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0');
    expect(text).toContain('ERROR: script returned exit code 1');
    // The progress message, edited into the answer, is in the message's thread.
    const progress = slack
      .of('chat.postMessage')
      .find(
        (c) => c.args.thread_ts === '1700000100.000100' && String(c.args.text).includes('Triage of this log'),
      );
    expect(progress).toBeDefined();
    for (const c of slack.calls) expect(JSON.stringify(c.args)).not.toMatch(/<!channel>/);
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('reads an attached text file with the bot token from Slack’s file host', async () => {
    const id = slack.share({
      name: 'build.log',
      mimetype: 'text/plain',
      filetype: 'text',
      content: gitlab,
      channel: 'C1OPS',
    });
    const final = await shortcut(
      { ts: '1700000200.000100', user: 'U2BOB', text: 'CI broke again', files: [{ id }] },
      (c) => textOf(c).includes('CI failure: build.log'),
    );
    expect(textOf(final)).toContain('app/orders.py:41: error: Incompatible return value type');
    expect(slack.of('files.info').map((c) => c.args.file)).toContain(id);
    const download = slack.of('file_download').find((c) => c.args.id === id);
    expect(download?.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(download?.response).toEqual({ status: 200 });
    const progress = slack.of('chat.postMessage').find((c) => c.args.thread_ts === '1700000200.000100');
    expect(progress).toBeDefined();
  });

  it('answers in the thread that an image is not a log, and that a message with neither has nothing to triage', async () => {
    const id = slack.share({
      name: 'screenshot.png',
      mimetype: 'image/png',
      filetype: 'png',
      content: Buffer.from([0x89, 0x50]),
      channel: 'C1OPS',
    });
    const image = await shortcut({ ts: '1700000300.000100', text: '', files: [{ id }] }, (c) =>
      textOf(c).includes('screenshot.png is an image'),
    );
    expect(textOf(image)).toContain('holds no log to triage');
    expect(slack.of('file_download').some((c) => c.args.id === id)).toBe(false);
    const empty = await shortcut({ ts: '1700000400.000100', text: '' }, (c) =>
      textOf(c).includes('has no text or text file to triage'),
    );
    expect(empty.method).toBe('chat.update');
    expect(slack.of('chat.postMessage').some((c) => c.args.thread_ts === '1700000400.000100')).toBe(true);
  });

  it('reads the text of a bot’s attachment when the message has no text of its own', async () => {
    const final = await shortcut(
      {
        ts: '1700000800.000100',
        text: '',
        bot_id: 'BCI',
        attachments: [{ fallback: 'build failed', text: pasted }],
      },
      (c) =>
        textOf(c).includes('CI failure: the log in this message') &&
        c.args.ts === progressIn('1700000800.000100'),
    );
    expect(textOf(final)).toContain('(maven-test)');
  });

  it('sends the bot token only to Slack’s own file host: a download URL elsewhere is refused unsent', async () => {
    const elsewhere = await startLogServer();
    try {
      const id = slack.share({
        name: 'moved.log',
        mimetype: 'text/plain',
        filetype: 'text',
        content: gitlab,
        channel: 'C1OPS',
        downloadUrl: `http://localhost:${elsewhere.port}/moved.log`,
      });
      const final = await shortcut({ ts: '1700000600.000100', text: '', files: [{ id }] }, (c) =>
        textOf(c).includes('not to its own file host'),
      );
      expect(textOf(final)).toContain(`Slack pointed the file to localhost:${elsewhere.port}`);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('where the bot is not in the channel, answers a pasted log through the response_url, saying to invite it', async () => {
    slack.notMemberOf.add('G9PRIVATE');
    const final = await shortcut(
      { ts: '1700000700.000100', text: pasted },
      (c) => c.method === 'response_url' && textOf(c).includes('CI failure: the log in this message'),
      'G9PRIVATE',
    );
    expect(textOf(final)).toContain('test failure');
    expect(textOf(final)).toContain('Shipmate is not in this channel');
    expect(textOf(final)).toContain('/invite @shipmate');
    // Only the person who used the shortcut sees it.
    expect(final.args.response_type).toBe('ephemeral');
  });

  it('where the bot is not in the channel, answers through the shortcut’s response_url, saying to invite it', async () => {
    slack.notMemberOf.add('G9PRIVATE');
    const id = slack.share({
      name: 'ci.log',
      mimetype: 'text/plain',
      filetype: 'text',
      content: gitlab,
      channel: 'G9PRIVATE',
    });
    const final = await shortcut(
      { ts: '1700000500.000100', text: '', files: [{ id }] },
      (c) => c.method === 'response_url' && textOf(c).includes('Shipmate cannot see the file'),
      'G9PRIVATE',
    );
    expect(textOf(final)).toContain('invite it to the channel (`/invite @shipmate`)');
  });
});
