import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.ts';
import type { Route } from './health.ts';

/** Where the dashboard lives. */
export const ADMIN_QUEUES_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * True when `header` is HTTP basic auth whose password is `token` (any user name). Compares SHA-256
 * digests with timingSafeEqual, so neither the token nor its length leaks through timing.
 */
export function basicAuthMatches(header: string | undefined, token: string): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return timingSafeEqual(digest(password), digest(token)) && colon >= 0;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Builds bull-board's Express app for `queue` (loaded on the first request; nothing else needs it). */
async function buildBoard(queue: Queue, write: boolean): Promise<Handler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const server = new ExpressAdapter();
  server.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: !write })],
    serverAdapter: server,
    options: { uiConfig: { boardTitle: 'Shipmate queues' } },
  });
  // The adapter's app routes relative to its base path, like an Express mount: strip it.
  const app = server.getRouter() as unknown as Handler;
  return (req, res) => {
    req.url = req.url?.slice(ADMIN_QUEUES_PATH.length) || '/';
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    app(req, res);
  };
}

/**
 * The queue dashboard (`@bull-board`) at `/admin/queues`: every request must carry HTTP basic auth
 * with `token` as the password, or gets 401 (and the browser's login prompt). Read-only unless
 * `write`: bull-board hides its buttons, and any request but GET is refused with 403 here as well.
 */
export function adminQueuesRoute(o: { queue: Queue; token: string; write: boolean; log: Logger }): Route {
  let board: Promise<Handler> | undefined;
  return {
    path: ADMIN_QUEUES_PATH,
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    prefix: true,
    handler: (req, res) => {
      if (!basicAuthMatches(req.headers.authorization, o.token)) {
        res.writeHead(401, {
          'content-type': 'text/plain; charset=utf-8',
          'www-authenticate': 'Basic realm="Shipmate queues", charset="UTF-8"',
          'cache-control': 'no-store',
        });
        res.end('401: the queue dashboard needs the ADMIN_TOKEN as the password (any user name).\n');
        return;
      }
      if (!o.write && req.method !== 'GET') {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('403: the queue dashboard is read-only; set ADMIN_WRITE=true to allow changes.\n');
        return;
      }
      board ??= buildBoard(o.queue, o.write);
      board.then(
        (serve) => serve(req, res),
        (err: unknown) => {
          board = undefined;
          o.log.error({ err }, 'queue dashboard failed to load');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('500: the queue dashboard could not be loaded; see the log.\n');
        },
      );
    },
  };
}
