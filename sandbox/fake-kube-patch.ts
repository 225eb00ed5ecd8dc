/**
 * Patches in the fake API server (fake-kube.ts), as the real one applies them to the fields the deploy
 * flow touches: strategic merge (merge keys, `$patch` directives, `null` deletes), JSON merge patch
 * (RFC 7386) and JSON patch (RFC 6902), plus deep JSON equality and canonical JSON.
 */

import type { Json } from './kube-objects.ts';

// ---------------------------------------------------------------------------------------------
// Patches, as the API server applies them to the fields the deploy flow touches.

/** Lists merged by a key under strategic merge (the API's `patchMergeKey`s); other lists replace. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  resourceClaims: 'name',
};

export function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Drops `$…` directive keys, recursively. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

export interface MergeNotes {
  /** `path[index]` of list items a merge added (no existing item had their merge key). */
  added: { path: string; key: string; value: unknown }[];
}

/** application/strategic-merge-patch+json: maps merge, `null` deletes, keyed lists merge by key. */
export function strategicMerge(
  orig: unknown,
  patch: Json,
  path = '',
  notes: MergeNotes = { added: [] },
): unknown {
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Json = isObj(orig) ? { ...orig } : {};
  for (const [k, v] of Object.entries(patch)) {
    // $setElementOrder/…, $retainKeys, $deleteFromPrimitiveList/…: ordering and pruning hints.
    if (k.startsWith('$')) continue;
    const p = path ? `${path}.${k}` : k;
    const key = MERGE_KEYS[k];
    if (v === null) delete out[k];
    else if (Array.isArray(v) && key)
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, key, p, notes);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v, p, notes);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

function mergeList(
  orig: unknown[],
  patch: unknown[],
  key: string,
  path: string,
  notes: MergeNotes,
): unknown[] {
  if (patch.some((i) => isObj(i) && i.$patch === 'replace')) {
    return patch.filter((i) => !(isObj(i) && i.$patch === 'replace')).map(stripDirectives);
  }
  const out = [...orig];
  for (const item of patch) {
    if (!isObj(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMerge(out[idx], item, `${path}[${idx}]`, notes);
    } else {
      notes.added.push({ path: `${path}[${out.length}]`, key, value: item[key] });
      out.push(strategicMerge(undefined, item, `${path}[${out.length}]`, notes));
    }
  }
  return out;
}

/** application/merge-patch+json (RFC 7386). */
export function mergePatch(orig: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(orig) ? { ...orig } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * application/json-patch+json (RFC 6902: add, remove, replace, test, copy, move). Throws with the
 * API server's wording on a failed `test` or a missing path.
 */
export function jsonPatch(orig: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('json patch must be an array of operations');
  let doc = clone(orig);
  const parse = (p: unknown): string[] => {
    if (typeof p !== 'string' || (p !== '' && !p.startsWith('/')))
      throw new Error(`invalid JSON pointer "${p}"`);
    return p === ''
      ? []
      : p
          .slice(1)
          .split('/')
          .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const parentOf = (path: string[]): { parent: unknown; key: string } => {
    let cur: unknown = doc;
    for (const t of path.slice(0, -1)) {
      cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
      if (cur === undefined) throw new Error(`doc is missing path: /${path.join('/')}`);
    }
    return { parent: cur, key: path[path.length - 1] ?? '' };
  };
  const read = (path: string[]): unknown => {
    if (path.length === 0) return doc;
    const { parent, key } = parentOf(path);
    const v = Array.isArray(parent) ? parent[Number(key)] : isObj(parent) ? parent[key] : undefined;
    if (v === undefined) throw new Error(`doc is missing path: /${path.join('/')}`);
    return v;
  };
  const write = (path: string[], value: unknown, insert: boolean): void => {
    if (path.length === 0) {
      doc = value;
      return;
    }
    const { parent, key } = parentOf(path);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else if (isObj(parent)) parent[key] = value;
    else throw new Error(`doc is missing path: /${path.join('/')}`);
  };
  const del = (path: string[]): void => {
    read(path);
    const { parent, key } = parentOf(path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Json)[key];
  };
  for (const op of ops as Json[]) {
    const path = parse(op.path);
    switch (op.op) {
      case 'add':
        write(path, clone(op.value), true);
        break;
      case 'replace':
        read(path);
        write(path, clone(op.value), false);
        break;
      case 'remove':
        del(path);
        break;
      case 'test':
        if (!sameJson(read(path), op.value)) throw new Error(`testing value /${path.join('/')} failed`);
        break;
      case 'copy':
        write(path, clone(read(parse(op.from))), true);
        break;
      case 'move': {
        const from = parse(op.from);
        const v = read(from);
        del(from);
        write(path, v, true);
        break;
      }
      default:
        throw new Error(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** JSON with sorted keys: the same template always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
