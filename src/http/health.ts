import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';

export interface Route {
  path: string;
  /** One method or several (a dashboard's API takes GET, POST, PUT, DELETE). */
  method: string | string[];
  /** Also serves every path under `path` (`/admin/queues/…`); the handler sees the full URL. */
  prefix?: boolean;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Whether `route` serves `method` on `path` (a URL's path, no query). */
export function routeMatches(route: Route, method: string | undefined, path: string): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!methods.includes(method ?? '')) return false;
  return path === route.path || (route.prefix === true && path.startsWith(`${route.path}/`));
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `/healthz`: 200 while the process runs. `/readyz`: 200 only while Redis answers a PING within a
 * second (load balancers stop sending Slack traffic to a replica that could not queue it).
 */
export function healthRoutes(redis: Redis, isStopping: () => boolean): Route[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => send(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        if (isStopping()) return send(res, 503, { status: 'stopping' });
        const timer = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 1000).unref(),
        );
        Promise.race([redis.ping(), timer]).then(
          () => send(res, 200, { status: 'ready', redis: 'ok' }),
          (e: Error) => send(res, 503, { status: 'not ready', redis: e.message }),
        );
      },
    },
  ];
}

/** A bare HTTP server for routes, for processes without a Slack receiver (role `worker`). */
export function serveRoutes(routes: Route[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const r = routes.find((x) => routeMatches(x, req.method, path ?? '/'));
    if (r) r.handler(req, res);
    else send(res, 404, { error: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
