/**
 * Writes to the fake API server (fake-kube.ts): `PATCH` of a named namespaced object as strategic merge,
 * JSON merge or JSON patch, with a `metadata.resourceVersion` precondition (409), `dryRun=All`, the
 * server keeping identity and status, Deployment validation (422 Invalid with causes), the write
 * recorded in `writes`, and a changed Deployment spec handed to the controller.
 */

import type { ServerResponse } from 'node:http';
import {
  clone,
  isObj,
  jsonPatch,
  type MergeNotes,
  mergePatch,
  sameJson,
  strategicMerge,
} from './fake-kube-patch.ts';
import { type Resource, type Send, status } from './fake-kube-store.ts';
import type { RecordedRequest, RecordedWrite } from './fake-kube-types.ts';
import { validateDeployment } from './fake-kube-validate.ts';
import type { Watches } from './fake-kube-watch.ts';
import type { Json } from './kube-objects.ts';

/** The PATCH handler over the stored objects; `startRollout` hands a changed Deployment to the controller. */
export function createPatchHandler(
  send: Send,
  writes: RecordedWrite[],
  watches: Watches,
  startRollout: (cluster: string, key: string) => void,
) {
  const { lookup, put } = watches;

  const handlePatch = (
    res: ServerResponse,
    rec: RecordedRequest,
    cluster: string,
    resource: Resource,
    namespace: string,
    name: string,
    body: string,
    o: { contentType: string; query: URLSearchParams },
  ) => {
    const key = `${namespace}/${name}`;
    const old = lookup(cluster, resource.plural, key);
    if (!old) {
      const details: Json = { name, kind: resource.plural };
      if (resource.group) details.group = resource.group;
      return send(res, rec, 404, status(404, 'NotFound', `${resource.plural} "${name}" not found`, details));
    }
    const dryRun = o.query.getAll('dryRun');
    if (dryRun.length > 0 && !(dryRun.length === 1 && dryRun[0] === 'All')) {
      return send(
        res,
        rec,
        400,
        status(
          400,
          'BadRequest',
          `dryRun: Unsupported value: "${dryRun.join(',')}": supported values: "All"`,
        ),
      );
    }
    const type = o.contentType.split(';')[0]?.trim() ?? '';
    const strategic = type === 'application/strategic-merge-patch+json';
    const json6902 = type === 'application/json-patch+json';
    if (!strategic && !json6902 && type !== 'application/merge-patch+json') {
      return send(
        res,
        rec,
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (fake-kube does not implement ${type || 'this type'})`,
        ),
      );
    }
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (e) {
      return send(res, rec, 400, status(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`));
    }
    if (!isObj(patch) && !(json6902 && Array.isArray(patch))) {
      return send(res, rec, 400, status(400, 'BadRequest', 'error decoding patch: not a JSON object'));
    }
    const oldMeta = (old.metadata ?? {}) as Json;
    const wantRv = isObj(patch) ? (patch.metadata as Json | undefined)?.resourceVersion : undefined;
    if (wantRv !== undefined && wantRv !== oldMeta.resourceVersion) {
      return send(
        res,
        rec,
        409,
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: resource.group, kind: resource.plural },
        ),
      );
    }
    const notes: MergeNotes = { added: [] };
    let merged: Json;
    try {
      merged = (
        json6902
          ? jsonPatch(old, patch)
          : strategic
            ? strategicMerge(clone(old), patch as Json, '', notes)
            : mergePatch(clone(old), patch)
      ) as Json;
    } catch (e) {
      return send(res, rec, 422, status(422, 'Invalid', (e as Error).message));
    }
    // Identity and status are the server's: a patch of the main resource cannot change them.
    const meta = { ...((merged.metadata ?? {}) as Json) };
    for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation'])
      if (oldMeta[k] !== undefined) meta[k] = oldMeta[k];
    merged.metadata = meta;
    if (old.status !== undefined) merged.status = clone(old.status);
    else delete merged.status;
    if (resource.plural === 'deployments') {
      const causes = validateDeployment(merged, old, notes);
      if (causes.length > 0) {
        const all = causes.map((c) => `${c.field}: ${c.message}`);
        const kind = `${resource.kind}${resource.group ? `.${resource.group}` : ''}`;
        return send(
          res,
          rec,
          422,
          status(
            422,
            'Invalid',
            `${kind} "${name}" is invalid: ${all.length === 1 ? all[0] : `[${all.join(', ')}]`}`,
            {
              name,
              group: resource.group,
              kind: resource.kind,
              causes,
            },
          ),
        );
      }
    }
    const specChanged = !sameJson(old.spec, merged.spec);
    if (specChanged && typeof oldMeta.generation === 'number') meta.generation = oldMeta.generation + 1;
    if (dryRun.length > 0) return send(res, rec, 200, JSON.stringify(merged));
    if (sameJson(old, merged)) return send(res, rec, 200, JSON.stringify(old));
    put(cluster, resource.plural, merged);
    const write: RecordedWrite = {
      method: 'PATCH',
      cluster,
      resource: resource.plural,
      namespace,
      name,
      contentType: type,
      patch,
      resourceVersion: String(meta.resourceVersion),
    };
    const fieldManager = o.query.get('fieldManager');
    if (fieldManager) write.fieldManager = fieldManager;
    writes.push(write);
    if (resource.plural === 'deployments' && specChanged) startRollout(cluster, key);
    return send(res, rec, 200, JSON.stringify(merged));
  };

  return handlePatch;
}
