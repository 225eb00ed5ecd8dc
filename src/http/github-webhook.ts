import type { IncomingMessage, ServerResponse } from 'node:http';
import { triageJobId, triageRequestFromWorkflowRunEvent } from '../../tools/shared/ci/workflow-run.ts';
import type { WebhookVerifier } from '../clients/github-webhooks.ts';
import { newTraceId } from '../context.ts';
import type { Enqueue } from '../jobs/enqueue.ts';
import { ciTriageSpec } from '../jobs/specs/ci.ts';
import type { Logger } from '../log.ts';
import type { Route } from './health.ts';

export const GITHUB_WEBHOOK_PATH = '/github/webhook';
/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface GitHubWebhookDeps {
  verify: WebhookVerifier;
  /** `ci.channels` of the team file: `owner/repo` → Slack channel. */
  channels: Readonly<Record<string, string>>;
  enqueue: Enqueue;
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
 * `POST /github/webhook`: GitHub's deliveries for automatic CI triage. The signature
 * (`x-hub-signature-256`, HMAC of the raw body with GITHUB_WEBHOOK_SECRET) is checked before anything
 * else: missing or wrong → 401 and nothing happens. A `workflow_run` delivery that
 * triageRequestFromWorkflowRunEvent accepts (completed, failed, repository in `ci.channels`) queues a
 * `ci_triage` job under triageJobId — one job per run attempt, so GitHub redelivering it is a no-op —
 * and answers 202 at once (GitHub gives up on a delivery after 10 s). Everything else (other events,
 * `ping`, successful runs, unmapped repositories) answers 204. Bodies over `maxBytes` get 413 unread.
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
    if (event !== 'workflow_run') {
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
    const request = triageRequestFromWorkflowRunEvent(payload, deps.channels);
    if (!request) {
      send(res, 204);
      return;
    }
    const traceId = newTraceId();
    const repo = `${request.owner}/${request.repo}`;
    const r = await deps.enqueue({
      spec: ciTriageSpec,
      payload: {
        owner: request.owner,
        repo: request.repo,
        runId: request.runId,
        runAttempt: request.runAttempt,
        channel: request.channel,
        deliveryId,
      },
      jobId: triageJobId(request),
      requestedBy: 'github',
      target: { kind: 'slack', channel: request.channel },
      traceId,
      title: `Triage of ${repo} run ${request.runId}${request.runAttempt > 1 ? ` (attempt ${request.runAttempt})` : ''}`,
    });
    log.info(
      { traceId, repo, runId: request.runId, jobId: r.jobId, created: r.created },
      'failed run queued for triage',
    );
    send(res, 202, { jobId: r.jobId, created: r.created });
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
