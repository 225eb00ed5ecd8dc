import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { cleanRedis, SIGNING_SECRET, startApp, uniquePrefix } from '../support/app-harness.ts';
import { eventCallback, postSigned, slashCommand } from '../support/slack-requests.ts';

/** A TCP relay to the real Redis that the test can cut, to see what the app does when Redis goes away. */
async function startRelay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('/readyz follows Redis', () => {
  const prefix = uniquePrefix('ready');
  let slack: FakeSlack;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let app: ShipmateApp & { baseUrl: string };

  beforeAll(async () => {
    const real = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    relay = await startRelay({ host: real.hostname, port: Number(real.port || 6379) });
    slack = await startFakeSlack();
    app = await startApp({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SHIPMATE_QUEUE_PREFIX: prefix,
      REDIS_URL: relay.url,
      SHIPMATE_ROLE: 'web',
    });
  });
  afterAll(async () => {
    relay.restore();
    await app?.stop();
    await slack?.close();
    await relay?.close();
    await cleanRedis(prefix);
  });

  it('is 200 while Redis answers, 503 (and /healthz still 200) when it does not — when requests get a clear answer — and 200 again after', async () => {
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
    relay.cut();
    const down = await fetch(`${app.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'not ready' });
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);

    // A command while Redis is away is answered inside Slack's 3 s, saying nothing was started.
    const t0 = Date.now();
    const cmd = await postSigned(
      app.baseUrl,
      slashCommand('status', { triggerId: 'trig-redis-down' }),
      SIGNING_SECRET,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((cmd.json() as { text: string }).text).toMatch(
      /cannot (reach|queue work).*Redis.*Nothing was started/,
    );

    // A mention is acked before it is handled: the answer is an apology in its thread, not silence.
    const ev = {
      type: 'app_mention',
      user: 'U1ALICE',
      text: '<@UBOT> how is prod?',
      ts: '1700009000.000100',
      channel: 'C1OPS',
    };
    expect((await postSigned(app.baseUrl, eventCallback(ev, 'EvRedisDown'), SIGNING_SECRET)).status).toBe(
      200,
    );
    await slack.waitFor(
      (c) =>
        c.some(
          (x) =>
            x.method === 'chat.postMessage' &&
            x.args.thread_ts === ev.ts &&
            /Redis/.test(String(x.args.text)),
        ),
      10_000,
      'the apology',
    );
    relay.restore();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${app.baseUrl}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
