import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { cleanRedis, startApp, uniquePrefix } from '../support/app-harness.ts';

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  const prefix = uniquePrefix('socket');
  let slack: FakeSlack;
  let app: ShipmateApp & { baseUrl: string };

  beforeAll(async () => {
    slack = await startFakeSlack();
    // A fixed port, as a user runs it (PORT=3000): nothing else may try to listen on it.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    app = await startApp({
      PORT: String(port),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-1-test',
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
    });
    await slack.socketConnected();
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await cleanRedis(prefix);
  });

  it('opens the connection with the app-level token', () => {
    const open = slack.of('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.headers.authorization).toBe('Bearer xapp-1-test');
  });

  it('runs the same /ops handlers: help comes back in the ack', async () => {
    const ack = (await slack.socketSend('slash_commands', {
      command: '/ops',
      text: 'help',
      user_id: 'U1ALICE',
      channel_id: 'C1OPS',
      team_id: 'T1',
      trigger_id: 'trig-socket',
      response_url: slack.responseUrl('socket'),
    })) as { response_type: string; text: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('/ops cancel <job-id>');
  });

  it('answers a mention in its thread', async () => {
    await slack.socketSend('events_api', {
      type: 'event_callback',
      event_id: 'EvSocket1',
      team_id: 'T1',
      event: {
        type: 'app_mention',
        user: 'U1ALICE',
        text: '<@UBOT> help',
        ts: '1700000400.000100',
        channel: 'C1OPS',
      },
    });
    await slack.waitFor(
      (c) => c.some((x) => x.method === 'chat.update' && String(x.args.text).includes('/ops help')),
      10_000,
      'answer',
    );
    expect(slack.of('chat.postMessage').filter((c) => c.args.thread_ts === '1700000400.000100')).toHaveLength(
      1,
    );
  });

  it('still serves /healthz and /readyz over HTTP, on PORT', async () => {
    expect(app.baseUrl).toBe(`http://127.0.0.1:${app.config.port}`);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  });
});
