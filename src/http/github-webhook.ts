import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookVerifier } from '../clients/github-webhooks.ts';
import type { Logger } from '../log.ts';
import type { GitHubEventListener } from './github-events.ts';
import type { Route } from './health.ts';

export const GITHUB_WEBHOOK_PATH = '/github/webhook';
/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface GitHubWebhookDeps {
  verify: WebhookVerifier;
  /** What the features do with deliveries (FeatureParts.githubEvents). */
  listeners: readonly GitHubEventListener[];
  log: Logger;
  /** Largest body read, in bytes (default MAX_WEBHOOK_BYTES). */
  maxBytes?: number;
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store' }).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Reads the body up to `max` bytes; null when it is larger (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON payload of a delivery: `application/json`, or the `payload` field of a form body. */
function parsePayload(raw: string, contentType: string | undefined): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
  }
  return JSON.parse(raw);
}

/**
 * `POST /github/webhook`: GitHub's deliveries, for the features that listen (automatic CI triage,
 * the watch of a drafted tests PR). The signature (`x-hub-signature-256`, HMAC of the raw body with
 * GITHUB_WEBHOOK_SECRET) is checked before anything else: missing or wrong → 401 and nothing
 * happens. A delivery of an event some listener takes is parsed and handed to each of them; when one
 * queued or promoted a job the answer is 202 with what it did, at once (GitHub gives up on a delivery
 * after 10 s); otherwise (other events, `ping`, deliveries no listener acted on) 204. Bodies over
 * `maxBytes` get 413 unread; a listener failing (Redis down) 503, so GitHub can redeliver.
 *
 * Served by Bolt's HTTP receiver (custom route) or, in Socket Mode and the worker role, by our own
 * server: any role can queue, as jobs live in Redis.
 */
export function githubWebhookRoute(deps: GitHubWebhookDeps): Route {
  const max = deps.maxBytes ?? MAX_WEBHOOK_BYTES;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const event = String(req.headers['x-github-event'] ?? '');
    const deliveryId = String(req.headers['x-github-delivery'] ?? '') || undefined;
    const log = deps.log.child({ integration: 'github-webhook', event, deliveryId });
    const body = await readBody(req, max);
    if (!body) {
      log.warn({ max }, 'webhook body too large; refused');
      res.setHeader('connection', 'close');
      send(res, 413, { error: 'payload too large' });
      req.resume();
      return;
    }
    const raw = body.toString('utf8');
    const signature = req.headers['x-hub-signature-256'];
    if (!(await deps.verify(raw, typeof signature === 'string' ? signature : undefined))) {
      log.warn({ signed: Boolean(signature) }, 'webhook signature missing or wrong; refused');
      send(res, 401, { error: 'bad signature' });
      return;
    }
    const listeners = deps.listeners.filter((l) => l.events.includes(event));
    if (!listeners.length) {
      log.debug('webhook event ignored');
      send(res, 204);
      return;
    }
    let payload: unknown;
    try {
      payload = parsePayload(raw, req.headers['content-type']);
    } catch {
      log.warn('webhook body is not JSON; refused');
      send(res, 400, { error: 'body is not JSON' });
      return;
    }
    const done = (
      await Promise.all(listeners.map((l) => l.handle({ event, deliveryId, payload, log })))
    ).filter((r) => r !== undefined);
    if (!done.length) send(res, 204);
    else send(res, 202, done.length === 1 ? done[0] : { results: done });
  };
  return {
    path: GITHUB_WEBHOOK_PATH,
    method: 'POST',
    handler: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        // Redis down, a reset connection: GitHub marks the delivery failed and it can be redelivered.
        deps.log.error({ err, integration: 'github-webhook' }, 'webhook delivery failed');
        send(res, 503, { error: 'could not queue the delivery; redeliver it later' });
      });
    },
  };
}
