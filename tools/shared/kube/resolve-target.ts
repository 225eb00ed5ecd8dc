/**
 * Which object a workload_details name means: a Deployment, StatefulSet, DaemonSet or pod, found by
 * name (field selector) in one namespace or all of them, with close-name suggestions when none is.
 */

import { AppError, isAppError } from '../errors.ts';
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeListKind,
  KubeListOptions,
  KubePod,
  KubePort,
  KubeResources,
  KubeStatefulSet,
} from '../kube-port.ts';
import { closestNames } from './objects.ts';

/** What workload_details can look at. */
export type TargetKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Pod';

/** `deploy/x`, `sts/x`, `pod/x`: the kind prefixes a name may carry (a Map: the words are the user's). */
const KIND_PREFIX = new Map<string, TargetKind>([
  ['deploy', 'Deployment'],
  ['deployment', 'Deployment'],
  ['deployments', 'Deployment'],
  ['sts', 'StatefulSet'],
  ['statefulset', 'StatefulSet'],
  ['statefulsets', 'StatefulSet'],
  ['ds', 'DaemonSet'],
  ['daemonset', 'DaemonSet'],
  ['daemonsets', 'DaemonSet'],
  ['po', 'Pod'],
  ['pod', 'Pod'],
  ['pods', 'Pod'],
]);

const LIST_KIND: Record<TargetKind, KubeListKind> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Pod: 'pods',
};

/** The workload kinds workload_details looks at, as the port returns them. */
export type Workload = KubeDeployment | KubeStatefulSet | KubeDaemonSet;

/** A resolved target: its kind, namespace and the object itself. */
export interface Candidate {
  kind: TargetKind;
  namespace: string;
  obj: Workload | KubePod;
}

/** All objects of `kind` named `name` (in `namespace`, or cluster-wide), via a field selector. */
async function findByName(
  kube: KubePort,
  kind: TargetKind,
  name: string,
  base: { cluster?: string; namespace?: string; signal: AbortSignal },
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const opts: KubeListOptions = { ...base, fieldSelector: `metadata.name=${name}`, limit: 50 };
  for await (const page of kube.list(LIST_KIND[kind], opts)) {
    for (const obj of page.items as KubeResources[KubeListKind][]) {
      const meta = (obj as { metadata?: { namespace?: string } }).metadata;
      out.push({ kind, namespace: meta?.namespace ?? '', obj: obj as Workload | KubePod });
    }
    if (out.length >= 50) break;
  }
  return out;
}

async function firstPageNames(
  kube: KubePort,
  kind: KubeListKind,
  base: { cluster?: string; namespace?: string; signal: AbortSignal },
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const batch of kube.list(kind, { ...base, limit: 500 })) {
      for (const o of batch.items) {
        const name = (o as { metadata?: { name?: string } }).metadata?.name;
        if (name) names.push(name);
      }
      if (batch.endOfPage) break;
    }
  } catch (e) {
    if (isAppError(e) && e.code === 'kube_forbidden') return [];
    throw e;
  }
  return names;
}

/**
 * The one object `inp.name` names: a `deploy/`, `sts/`, `ds/` or `pod/` prefix picks the kind, else
 * every kind is searched and a workload beats a pod of the same name. Searches `inp.namespace`, or
 * every namespace. Throws AppError `bad_arguments` (unknown prefix), `kube_not_found` (with the
 * closest workload names of the first list page) or `ambiguous` (the same name in several namespaces).
 */
export async function resolveTarget(
  kube: KubePort,
  inp: { name: string; namespace?: string },
  base: { cluster?: string; signal: AbortSignal },
): Promise<Candidate> {
  let name = inp.name;
  let kinds: TargetKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'];
  const slash = name.indexOf('/');
  if (slash > 0) {
    const k = KIND_PREFIX.get(name.slice(0, slash).toLowerCase());
    if (!k) {
      throw new AppError({
        code: 'bad_arguments',
        userMessage: `"${name.slice(0, slash)}" is not a kind I can look at; use deploy/, sts/, ds/ or pod/.`,
      });
    }
    kinds = [k];
    name = name.slice(slash + 1);
  }
  const where: { cluster?: string; namespace?: string; signal: AbortSignal } = { ...base };
  if (inp.namespace) where.namespace = inp.namespace;
  const found = (await Promise.all(kinds.map((k) => findByName(kube, k, name, where)))).flat();
  if (found.length === 0) {
    const names = new Set<string>();
    for (const k of ['deployments', 'statefulsets', 'daemonsets'] as const) {
      for (const x of await firstPageNames(kube, k, where)) names.add(x);
    }
    const near = closestNames(name, names, 3);
    throw new AppError({
      code: 'kube_not_found',
      userMessage: `No workload or pod named "${name}"${inp.namespace ? ` in namespace ${inp.namespace}` : ' in any namespace'}.${
        near.length ? ` Closest: ${near.join(', ')}.` : ''
      }`,
    });
  }
  // A workload beats a pod of the same name; within a kind, the namespace must be unambiguous.
  const order: TargetKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'];
  found.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const best = found[0] as Candidate;
  const sameKind = found.filter((c) => c.kind === best.kind);
  if (sameKind.length > 1) {
    throw new AppError({
      code: 'ambiguous',
      userMessage: `${best.kind} "${name}" exists in several namespaces (${sameKind
        .slice(0, 6)
        .map((c) => c.namespace)
        .join(', ')}${sameKind.length > 6 ? ', …' : ''}). Say which namespace.`,
    });
  }
  return best;
}
