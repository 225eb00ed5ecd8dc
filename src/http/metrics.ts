import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Route } from './health.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * True when `header` is `Bearer <token>`. Compares SHA-256 digests with timingSafeEqual, so neither
 * the token's content nor its length leaks through timing.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1]?.trim() ?? ''), digest(token)) && Boolean(m);
}

/**
 * `GET /metrics`: the registry in Prometheus' text format. With `token` (METRICS_TOKEN) a scrape
 * must send `Authorization: Bearer <token>`; anything else gets 401 and no metrics.
 */
export function metricsRoute(registry: Registry, token: string | undefined): Route {
  return {
    path: '/metrics',
    method: 'GET',
    handler: (req: IncomingMessage, res: ServerResponse) => {
      if (token && !bearerMatches(req.headers.authorization, token)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' });
        res.end('401: /metrics needs Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (e: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics could not be collected: ${e.message}\n`);
        },
      );
    },
  };
}
