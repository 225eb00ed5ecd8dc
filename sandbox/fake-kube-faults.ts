/**
 * Failures on demand in the fake API server (fake-kube.ts): `fail(path, kind)` plants them (for `times`
 * requests, or until `clearFailures()`), and a matching request gets the planted answer — never answered
 * (`hang`), a watch that stays silent, a body broken off half-way, or the real API server's 401, 403
 * (naming the verb, resource and scope), 409, 410 Expired and 500 Status bodies.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAKE_USER } from './fake-kube-config.ts';
import { type Resource, type Send, status } from './fake-kube-store.ts';
import type { FailureKind, RecordedRequest } from './fake-kube-types.ts';
import type { Watches } from './fake-kube-watch.ts';
import type { Json } from './kube-objects.ts';

/** Tells the server to go on and answer the request as usual. */
export const ANSWER = Symbol('answer as usual');

/** The planted failures; `apply` answers a request one matches, or returns {@link ANSWER}. */
export function createFaults(
  send: Send,
  watches: Watches,
  brokenBodies: WeakMap<ServerResponse, 'stall-body' | 'cut-body'>,
) {
  const { startWatch } = watches;
  let failures: { path: RegExp; kind: FailureKind; remaining: number }[] = [];

  const apply = (
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest,
    u: URL,
    cluster: string,
    resource: Resource,
    namespace: string | undefined,
    name: string | undefined,
    isLog: boolean,
    watching: boolean,
    verb: string,
  ): unknown => {
    const failure = failures.find((f) => f.path.test(`${u.pathname}${u.search}`) && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      switch (failure.kind) {
        case 'hang':
          return; // never answered; close() destroys the socket
        case 'silent-watch':
          if (!watching) break;
          rec.status = 200;
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
          res.flushHeaders();
          return; // open, and silent until the client gives up; close() destroys the socket
        case 'stall-body':
        case 'cut-body':
          brokenBodies.set(res, failure.kind);
          break; // answered as usual, then broken off in send()
        case 'unauthorized':
          return send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
        case 'server-error':
          return send(
            res,
            rec,
            500,
            status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out', {
              causes: [{ message: 'etcdserver: request timed out' }],
            }),
          );
        case 'conflict':
          return send(
            res,
            rec,
            409,
            status(
              409,
              'Conflict',
              `Operation cannot be fulfilled on ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
              { name: name ?? '', group: resource.group, kind: resource.plural },
            ),
          );
        case 'expired':
          if (watching) return startWatch(req, res, rec, cluster, resource, namespace, u.searchParams, true);
          return send(
            res,
            rec,
            410,
            status(
              410,
              'Expired',
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
            ),
          );
        case 'forbidden': {
          const res1 = isLog ? `${resource.plural}/log` : resource.plural;
          const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
          const subject = name ? `${resource.plural} "${name}"` : resource.plural;
          const details: Json = { kind: resource.plural };
          if (name) details.name = name;
          if (resource.group) details.group = resource.group;
          return send(
            res,
            rec,
            403,
            status(
              403,
              'Forbidden',
              `${subject} is forbidden: User "${FAKE_USER}" cannot ${verb} resource "${res1}" in API group "${resource.group}" ${scope}`,
              details,
            ),
          );
        }
      }
    }
    return ANSWER;
  };

  return {
    apply,
    fail(path: RegExp, kind: FailureKind, o?: { times?: number }): void {
      failures.push({ path, kind, remaining: o?.times ?? Number.POSITIVE_INFINITY });
    },
    clearFailures(): void {
      failures = [];
    },
  };
}
