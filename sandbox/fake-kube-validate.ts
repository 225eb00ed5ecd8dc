/**
 * Deployment rules in the fake API server (fake-kube.ts): the validation the real API server applies to
 * the fields the deploy flow patches (plus two fake-only rules: odd images, unknown containers), and
 * the template, image, surge and time helpers the Deployment controller simulation shares.
 */

import { clone, isObj, type MergeNotes, sameJson } from './fake-kube-patch.ts';
import type { Json } from './kube-objects.ts';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';

/**
 * A pod template without the pod-template-hash label, and without nulls and empty maps/lists — the
 * API server compares templates as Go structs, where `"creationTimestamp": null` (which kubectl
 * sends back) and an absent field are the same.
 */
export function bareTemplate(t: unknown): Json {
  const c = clone((t ?? {}) as Json);
  const labels = (c.metadata as Json | undefined)?.labels as Record<string, string> | undefined;
  if (labels) delete labels[HASH_LABEL];
  return (normalized(c) ?? {}) as Json;
}

function normalized(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(normalized).filter((x) => x !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (isObj(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalized(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return v;
}

interface Cause {
  reason: string;
  field: string;
  message: string;
}

/**
 * The API server's validation of the Deployment fields a deploy changes, plus the fake's two extra
 * rules (see the file comment): images with whitespace or upper case, containers a patch added.
 */
export function validateDeployment(next: Json, old: Json, notes: MergeNotes): Cause[] {
  const causes: Cause[] = [];
  const spec = (next.spec ?? {}) as Json;
  const tmpl = (spec.template ?? {}) as Json;
  const podSpec = (tmpl.spec ?? {}) as Json;
  const base = 'spec.template.spec.containers';
  for (const a of notes.added) {
    if (a.path.startsWith(`${base}[`) && a.key === 'name') {
      causes.push({
        reason: 'FieldValueNotFound',
        field: `${a.path}.name`,
        message: `Not found: ${JSON.stringify(a.value)} (the pod template has no such container)`,
      });
    }
  }
  const containers = (podSpec.containers ?? []) as Json[];
  if (containers.length === 0)
    causes.push({ reason: 'FieldValueRequired', field: base, message: 'Required value' });
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const name = typeof c.name === 'string' ? c.name : '';
    const image = typeof c.image === 'string' ? c.image : '';
    if (!name)
      causes.push({ reason: 'FieldValueRequired', field: `${base}[${i}].name`, message: 'Required value' });
    else if (seen.has(name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `${base}[${i}].name`,
        message: `Duplicate value: "${name}"`,
      });
    seen.add(name);
    if (!image)
      causes.push({ reason: 'FieldValueRequired', field: `${base}[${i}].image`, message: 'Required value' });
    else if (/\s/.test(image))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${base}[${i}].image`,
        message: `Invalid value: ${JSON.stringify(image)}: invalid reference format: must not contain whitespace`,
      });
    else if (/[A-Z]/.test(repositoryOf(image)))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${base}[${i}].image`,
        message: `Invalid value: ${JSON.stringify(image)}: invalid reference format: repository name must be lowercase`,
      });
  });
  const replicas = spec.replicas;
  if (typeof replicas === 'number' && replicas < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
    });
  }
  const oldSpec = (old.spec ?? {}) as Json;
  if (!sameJson(spec.selector, oldSpec.selector)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.selector',
      message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
    });
  }
  const want = ((spec.selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
  const labels = ((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  if (Object.entries(want).some(([k, v]) => labels[k] !== v)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
  return causes;
}

/** `registry:5000/team/app` of `registry:5000/team/app:1.2@sha256:…` (tags may be upper case; names not). */
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** `25%` of `total`, rounded up (surge) or down (unavailable); a plain number as is. */
export function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** RFC 3339 with seconds, as the API server writes times. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
