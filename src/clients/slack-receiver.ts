import type { IncomingMessage, RequestListener } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { HTTPReceiver } from './bolt.ts';

/**
 * Largest Slack request body read, in bytes. Slash commands and events are a few KB; a button click
 * carries the message it was clicked on, which Shipmate keeps within Slack's limits and far smaller
 * in practice (compact summaries). Bolt's default is 4 MB, and it reads the body before checking the
 * signature: 150 concurrent unsigned 3.9 MB posts cost ~460 MB of RSS and delayed real commands.
 */
export const SLACK_MAX_BODY_BYTES = 256 * 1024;

/** Slack's replay window, both ways: a timestamp this far in the past or the future is refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;

/** An unsigned request may be Slack's `ssl_check=1` probe, which is tiny; nothing else is unsigned. */
const UNSIGNED_MAX_BYTES = 1024;

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/**
 * What a request to the Slack endpoint is refused with before its body is read (the status), or
 * undefined to let Bolt read and verify it: a declared length over the cap (413); a signature
 * header that is malformed, or absent on anything but a small request (401); a timestamp outside
 * ±SLACK_MAX_SKEW_SECONDS of `nowMs` (401 — Bolt only refuses stale ones, not future ones).
 */
export function earlyRefusal(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  nowMs = Date.now(),
): 401 | 413 | undefined {
  if (req.method !== 'POST' || !/^\/slack\/events(?:[/?]|$)/.test(req.url ?? '')) return undefined;
  const declared = req.headers['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  if (length !== undefined && !(length <= SLACK_MAX_BODY_BYTES)) return 413;
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (signature === undefined && timestamp === undefined) {
    return length !== undefined && length <= UNSIGNED_MAX_BYTES ? undefined : 401;
  }
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return 401;
  const ts = typeof timestamp === 'string' && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!(Math.abs(nowMs / 1000 - ts) <= SLACK_MAX_SKEW_SECONDS)) return 401;
  return undefined;
}

/**
 * Bolt's HTTP receiver with a Slack-sized body cap, and the refusals of `earlyRefusal` answered from
 * the headers alone: the body of a refused request is never read, and its connection is closed.
 */
export function createSlackReceiver(o: {
  signingSecret: string;
  customRoutes: CustomRoute[];
  logger: SlackLogger;
}): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: o.signingSecret,
    customRoutes: o.customRoutes,
    logger: o.logger,
    // Ack first, then run the handler: every command is answered inside Slack's 3 s.
    processBeforeResponse: false,
    bodyLimit: SLACK_MAX_BODY_BYTES,
  });
  const bolt: RequestListener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const refusal = earlyRefusal(req);
    if (refusal === undefined) return bolt(req, res);
    o.logger.debug(`Slack request refused before reading its body: ${refusal}`);
    res.writeHead(refusal, { connection: 'close', 'content-length': '0' });
    // Once the answer is written, drop the connection: the rest of the body is never read.
    res.end(() => req.socket.destroy());
  };
  return receiver;
}
