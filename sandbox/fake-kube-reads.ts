/**
 * Reads in the fake API server (fake-kube.ts): an object by name (404 with the real details), lists
 * filtered by namespace and field/label selectors and paged like the real server (`limit`, `continue`
 * tokens carrying the list's resourceVersion, `remainingItemCount` when no selector filters), and
 * container logs (`container`, `previous`, `tailLines`, `limitBytes`, with the real 400s for waiting
 * containers and missing previous instances).
 */

import type { ServerResponse } from 'node:http';
import {
  fieldMatcher,
  labelMatcher,
  type Resource,
  type Send,
  type Store,
  type Stored,
  status,
  text0,
} from './fake-kube-store.ts';
import type { RecordedRequest } from './fake-kube-types.ts';
import type { Watches } from './fake-kube-watch.ts';
import type { Json } from './kube-objects.ts';

/** GET of an object, a list or a pod's log. */
export function createReads(send: Send, watches: Watches) {
  const read = (
    res: ServerResponse,
    rec: RecordedRequest,
    u: URL,
    store: Store,
    resource: Resource,
    namespace: string | undefined,
    name: string | undefined,
    isLog: boolean,
  ) => {
    const items = store[resource.plural];
    if (name) {
      const key = resource.namespaced ? `${namespace ?? ''}/${name}` : `/${name}`;
      const found = items.find((s) => s.key === key);
      if (!found) {
        const details: Json = { name, kind: resource.plural };
        if (resource.group) details.group = resource.group;
        return send(
          res,
          rec,
          404,
          status(404, 'NotFound', `${resource.plural} "${name}" not found`, details),
        );
      }
      if (!isLog) return send(res, rec, 200, found.json);
      return serveLog(res, rec, store, found.obj, u.searchParams);
    }

    // A list: filter, then page by key like the real server's continue tokens.
    let match: (s: Stored) => boolean;
    try {
      const byField = fieldMatcher(u.searchParams.get('fieldSelector') ?? undefined);
      const byLabel = labelMatcher(u.searchParams.get('labelSelector') ?? undefined);
      const nsPrefix = namespace !== undefined && resource.namespaced ? `${namespace}/` : undefined;
      match = (s) =>
        (nsPrefix === undefined || s.key.startsWith(nsPrefix)) && byField(s.obj) && byLabel(s.obj);
    } catch (e) {
      return send(res, rec, 400, status(400, 'BadRequest', (e as Error).message));
    }
    let start = 0;
    let listRv = String(watches.rv);
    const token = u.searchParams.get('continue');
    if (token) {
      let decoded: { rv: string; start: string } | undefined;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      if (!decoded?.start)
        return send(
          res,
          rec,
          400,
          status(400, 'BadRequest', 'continue key is not valid: illegal base64 data'),
        );
      listRv = decoded.rv;
      const after = decoded.start;
      start = items.findIndex((s) => s.key > after);
      if (start < 0) start = items.length;
    } else {
      watches.rv += 1;
      listRv = String(watches.rv);
    }
    const limit = Number(u.searchParams.get('limit') ?? '0');
    const page: string[] = [];
    let i = start;
    let lastKey = '';
    for (; i < items.length; i++) {
      const s = items[i] as Stored;
      if (!match(s)) continue;
      if (limit > 0 && page.length >= limit) break;
      page.push(s.json);
      lastKey = s.key;
    }
    const meta: Json = { resourceVersion: listRv };
    if (i < items.length && limit > 0) {
      let remaining = 0;
      for (let j = i; j < items.length; j++) if (match(items[j] as Stored)) remaining += 1;
      if (remaining > 0) {
        meta.continue = Buffer.from(
          JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: lastKey }),
        ).toString('base64');
        // The real server only estimates when no selector filters the list.
        if (!u.searchParams.get('fieldSelector') && !u.searchParams.get('labelSelector'))
          meta.remainingItemCount = remaining;
      }
    }
    const apiVersion = resource.group ? `${resource.group}/v1` : 'v1';
    const head = JSON.stringify({ kind: `${resource.kind}List`, apiVersion, metadata: meta });
    return send(res, rec, 200, `${head.slice(0, -1)},"items":[${page.join(',')}]}`);
  };

  const serveLog = (
    res: ServerResponse,
    rec: RecordedRequest,
    store: Store,
    pod: Json,
    q: URLSearchParams,
  ) => {
    const meta = pod.metadata as Json;
    const containers = ((pod.spec as Json).containers as Json[]).map((c) => String(c.name));
    let container = q.get('container') ?? undefined;
    if (!container) {
      if (containers.length !== 1) {
        return send(
          res,
          rec,
          400,
          status(
            400,
            'BadRequest',
            `a container name must be specified for pod ${meta.name}, choose one of: [${containers.join(' ')}]`,
          ),
        );
      }
      container = containers[0] as string;
    }
    if (!containers.includes(container)) {
      return send(
        res,
        rec,
        400,
        status(400, 'BadRequest', `container ${container} is not valid for pod ${meta.name}`),
      );
    }
    const previous = q.get('previous') === 'true';
    const statuses = (((pod.status as Json | undefined)?.containerStatuses ?? []) as Json[]).find(
      (c) => c.name === container,
    );
    const waiting = ((statuses?.state as Json | undefined)?.waiting as Json | undefined)?.reason;
    if (
      !previous &&
      (!statuses ||
        (waiting && !(statuses.lastState as Json | undefined)?.terminated && !text0(store, meta, container)))
    ) {
      return send(
        res,
        rec,
        400,
        status(
          400,
          'BadRequest',
          `container "${container}" in pod "${meta.name}" is waiting to start: ${waiting ?? 'ContainerCreating'}`,
        ),
      );
    }
    const key = `${meta.namespace}/${meta.name}/${container}${previous ? '/previous' : ''}`;
    let text = store.logs[key];
    if (text === undefined) {
      if (previous) {
        return send(
          res,
          rec,
          400,
          status(
            400,
            'BadRequest',
            `previous terminated container "${container}" in pod "${meta.name}" not found`,
          ),
        );
      }
      text = '';
    }
    const tail = q.get('tailLines');
    if (tail !== null) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const n = Number(tail);
      text = lines.slice(Math.max(0, lines.length - n)).join('\n') + (lines.length > 0 && n > 0 ? '\n' : '');
    }
    const limitBytes = q.get('limitBytes');
    if (limitBytes !== null) text = Buffer.from(text).subarray(0, Number(limitBytes)).toString('utf8');
    return send(res, rec, 200, text, 'text/plain');
  };

  return read;
}
