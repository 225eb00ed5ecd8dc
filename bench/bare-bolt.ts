/**
 * bench/start.ts's baseline, run as its own process: a bare Bolt app — the default HTTP receiver
 * with a signing secret, one `/ops` handler and a `GET /readyz` custom route — started on `PORT`
 * (default 0). The floor under any Bolt bot: Node, Bolt, its HTTP receiver and Web API client.
 * Prints `listening on <port>` once it serves. Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
 * SLACK_API_URL (a loopback fake; nothing here calls Slack at start), PORT.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
  customRoutes: [
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ready"}');
      },
    },
  ],
});
app.command('/ops', async ({ ack }) => {
  await ack('Shipmate — /ops <subcommand>');
});
const server = (await app.start(Number(process.env.PORT ?? 0))) as Server;
process.stdout.write(`listening on ${(server.address() as AddressInfo).port}\n`);
