/**
 * The Deployment controller simulation of the fake API server (fake-kube.ts), for Deployments whose
 * spec a PATCH changed: a ReplicaSet per pod template (pod-template-hash label, incrementing revision,
 * an old one reused on rollback), a rolling update within maxSurge/maxUnavailable (new pods start and
 * become Ready one a tick, old ones scale down), pods of `neverReady` images stuck failing, the
 * progress deadline, and the status fields and conditions the real controller writes.
 */

import { canonicalJson, clone, sameJson } from './fake-kube-patch.ts';
import type { Store } from './fake-kube-store.ts';
import { defaultNeverReady, type FakeKubeOptions } from './fake-kube-types.ts';
import { bareTemplate, HASH_LABEL, intOrPercent, REVISION, rfc3339 } from './fake-kube-validate.ts';
import type { RolloutState, Watches } from './fake-kube-watch.ts';
import { type Json, makePod, type PodState, safeSuffix, uid } from './kube-objects.ts';

/** One controller over the fake's clusters; `reconcile` is one step for one Deployment. */
export function createController(
  opts: FakeKubeOptions,
  clusters: Record<string, Store>,
  watches: Watches,
): { reconcile: (cluster: string, key: string, r: RolloutState) => boolean } {
  const { stateOf, keyOf, lookup, put, remove } = watches;
  const timeScale = opts.timeScale ?? 0.001;
  const neverReady = opts.neverReady ?? defaultNeverReady;

  const isReadyPod = (p: Json): boolean =>
    (((p.status as Json | undefined)?.conditions ?? []) as Json[]).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  const isStartingPod = (p: Json): boolean =>
    (((p.status as Json | undefined)?.containerStatuses ?? []) as Json[]).some(
      (c) => ((c.state as Json | undefined)?.waiting as Json | undefined)?.reason === 'ContainerCreating',
    );
  const ownerName = (o: Json): string | undefined =>
    (((o.metadata as Json).ownerReferences ?? []) as Json[]).find((r) => r.controller)?.name as
      | string
      | undefined;
  const ownerUid = (o: Json): string | undefined =>
    (((o.metadata as Json).ownerReferences ?? []) as Json[]).find((r) => r.controller)?.uid as
      | string
      | undefined;
  const revisionOf = (o: Json): number =>
    Number(((o.metadata as Json).annotations as Record<string, string> | undefined)?.[REVISION] ?? 0) || 0;
  const podsOf = (cluster: string, namespace: string, rsName: string): Json[] =>
    (clusters[cluster] as Store).pods
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerName(s.obj) === rsName)
      .map((s) => s.obj);

  /** A pod of `rs` in `state`, its containers' images as the template says. */
  const makeRsPod = (cluster: string, rs: Json, state: PodState, name?: string, created?: string): Json => {
    const meta = rs.metadata as Json;
    const tmpl = (rs.spec as Json).template as Json;
    const cs = ((tmpl.spec as Json).containers ?? []) as Json[];
    // makePod puts `state` on the first container: put the failing one first.
    const broken = cs.findIndex((c) => neverReady(String(c.image)));
    const ordered = broken > 0 ? [cs[broken] as Json, ...cs.filter((_, i) => i !== broken)] : cs;
    const st = stateOf(cluster);
    st.podSeq += 1;
    const podName = name ?? `${meta.name}-${safeSuffix(`${cluster}/${meta.name}/${st.podSeq}`, 5)}`;
    const pod = makePod({
      namespace: String(meta.namespace),
      name: podName,
      now: new Date(),
      owner: { kind: 'ReplicaSet', name: String(meta.name) },
      labels: { ...(((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>) },
      containers: ordered.map((c) => String(c.name)),
      image: String(ordered[0]?.image ?? ''),
      state,
      ageMinutes: 0,
    });
    const images = new Map(ordered.map((c) => [String(c.name), String(c.image)]));
    for (const c of ((pod.spec as Json).containers ?? []) as Json[]) c.image = images.get(String(c.name));
    for (const c of ((pod.status as Json).containerStatuses ?? []) as Json[])
      c.image = images.get(String(c.name));
    if (created) (pod.metadata as Json).creationTimestamp = created;
    return pod;
  };

  const stateForNewPod = (rs: Json): PodState => {
    const cs = ((((rs.spec as Json).template as Json).spec as Json).containers ?? []) as Json[];
    for (const c of cs) {
      const kind = neverReady(String(c.image));
      if (kind === 'ImagePullBackOff') return { kind: 'imagePull', image: String(c.image), backoff: true };
      if (kind === 'CrashLoopBackOff') return { kind: 'crashLoop', restarts: 3, exitCode: 1 };
      if (kind === 'Unschedulable') return { kind: 'unschedulable' };
    }
    return { kind: 'containerCreating', sinceMinutes: 0 };
  };

  /** Sets a ReplicaSet's replicas (dropping unready pods first) and status; returns the stored copy. */
  const scaleReplicaSet = (cluster: string, rs: Json, replicas: number, readyNow?: number): Json => {
    const next = clone(rs);
    const spec = next.spec as Json;
    const meta = next.metadata as Json;
    const before = Number(spec.replicas ?? 0);
    const st = (next.status ?? {}) as Json;
    let ready = readyNow ?? Number(st.readyReplicas ?? 0);
    if (readyNow === undefined && replicas < before) {
      const unhealthy = Math.max(0, before - ready);
      ready = Math.max(0, ready - Math.max(0, before - replicas - unhealthy));
      const pods = podsOf(cluster, String(meta.namespace), String(meta.name)).sort(
        (a, b) => Number(isReadyPod(a)) - Number(isReadyPod(b)),
      );
      for (const p of pods.slice(0, before - replicas)) remove(cluster, 'pods', keyOf(p));
    }
    ready = Math.min(ready, replicas);
    spec.replicas = replicas;
    const status: Json = { replicas, observedGeneration: meta.generation ?? 1 };
    if (replicas > 0) status.fullyLabeledReplicas = replicas;
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    next.status = status;
    if (sameJson(next, rs)) return rs;
    return put(cluster, 'replicasets', next);
  };

  const setCondition = (
    status: Json,
    type: string,
    value: string,
    reason: string,
    message: string,
    now: string,
    touch: boolean,
  ): void => {
    const conditions = ((status.conditions ?? []) as Json[]).map((c) => ({ ...c }));
    const i = conditions.findIndex((c) => c.type === type);
    const old = i >= 0 ? conditions[i] : undefined;
    const same = old && old.status === value && old.reason === reason && old.message === message;
    if (same && !touch) return;
    const c: Json = {
      type,
      status: value,
      lastUpdateTime: now,
      lastTransitionTime: old && old.status === value ? old.lastTransitionTime : now,
      reason,
      message,
    };
    if (i >= 0) conditions[i] = c;
    else conditions.push(c);
    status.conditions = conditions;
  };

  /**
   * One step of the Deployment controller for one Deployment; returns whether to keep ticking.
   * Follows the real controller's rolling update: maxSurge/maxUnavailable bound the pods, old
   * ReplicaSets scale down as new pods become available, status is computed from the ReplicaSets.
   */
  const reconcile = (cluster: string, key: string, r: RolloutState): boolean => {
    const stored = lookup(cluster, 'deployments', key);
    if (!stored) return false;
    const d = clone(stored);
    const meta = d.metadata as Json;
    const spec = d.spec as Json;
    const namespace = String(meta.namespace);
    const name = String(meta.name);
    const tmpl = spec.template as Json;
    const desired = Number(spec.replicas ?? 1);
    const nowMs = Date.now();
    const now = rfc3339(nowMs);
    const strategy = (spec.strategy ?? {}) as Json;
    const rolling = (strategy.rollingUpdate ?? {}) as Json;
    let surge = strategy.type === 'Recreate' ? 0 : intOrPercent(rolling.maxSurge ?? '25%', desired, true);
    let unavailable =
      strategy.type === 'Recreate' ? desired : intOrPercent(rolling.maxUnavailable ?? '25%', desired, false);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    surge = Math.max(0, surge);
    const minAvailable = Math.max(0, desired - unavailable);

    // The ReplicaSet for the current template: an existing one (a rollback) or a new one.
    const owned = (clusters[cluster] as Store).replicasets
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerUid(s.obj) === meta.uid)
      .map((s) => s.obj);
    const bare = bareTemplate(tmpl);
    let newRs = owned.find((rs) => sameJson(bareTemplate((rs.spec as Json).template), bare));
    const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let created = false;
    if (!newRs) {
      const hash = safeSuffix(canonicalJson(bare), 10);
      const rsName = `${name}-${hash}`;
      const labels = { ...(((tmpl.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>) };
      labels[HASH_LABEL] = hash;
      const selector = clone((spec.selector ?? {}) as Json);
      selector.matchLabels = { ...((selector.matchLabels ?? {}) as Json), [HASH_LABEL]: hash };
      newRs = put(cluster, 'replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace,
          uid: uid(`ReplicaSet/${namespace}/${rsName}`),
          generation: 1,
          creationTimestamp: now,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(desired),
            'deployment.kubernetes.io/max-replicas': String(desired + surge),
            [REVISION]: String(maxRevision + 1),
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: meta.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 0,
          selector,
          template: { ...clone(tmpl), metadata: { ...clone((tmpl.metadata ?? {}) as Json), labels } },
        },
        status: { replicas: 0, observedGeneration: 1 },
      });
      created = true;
    } else if (revisionOf(newRs) < maxRevision) {
      // Rolling back to an old template reuses its ReplicaSet under the next revision number.
      const next = clone(newRs);
      const ann = ((next.metadata as Json).annotations ?? {}) as Record<string, string>;
      const history = [ann['deployment.kubernetes.io/revision-history'], ann[REVISION]].filter(Boolean);
      ann['deployment.kubernetes.io/revision-history'] = history.join(',');
      ann[REVISION] = String(maxRevision + 1);
      (next.metadata as Json).annotations = ann;
      newRs = put(cluster, 'replicasets', next);
    }
    const rsName = String((newRs.metadata as Json).name);
    const status = clone((d.status ?? {}) as Json);
    const firstLook = Number(status.observedGeneration ?? 0) < Number(meta.generation ?? 0);
    let progressed = false;
    if (firstLook) {
      status.observedGeneration = meta.generation;
      r.lastProgressAt = nowMs;
    }
    const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
    annotations[REVISION] = String(revisionOf(newRs));
    meta.annotations = annotations;

    const paused = spec.paused === true;
    let newPods = podsOf(cluster, namespace, rsName);
    const old = owned
      .filter((rs) => (rs.metadata as Json).name !== rsName && Number((rs.spec as Json).replicas ?? 0) > 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    if (!paused) {
      // New pods start; one becomes Ready a tick.
      const starting = newPods.find(isStartingPod);
      if (starting) {
        const sm = starting.metadata as Json;
        put(
          cluster,
          'pods',
          makeRsPod(cluster, newRs, { kind: 'running' }, String(sm.name), String(sm.creationTimestamp)),
        );
        progressed = true;
        newPods = podsOf(cluster, namespace, rsName);
      }
      const newReady = newPods.filter(isReadyPod).length;
      let oldTotal = old.reduce((n, rs) => n + Number((rs.spec as Json).replicas ?? 0), 0);
      const oldReady = old.reduce(
        (n, rs) =>
          n +
          Math.min(
            Number((rs.status as Json | undefined)?.readyReplicas ?? 0),
            Number((rs.spec as Json).replicas ?? 0),
          ),
        0,
      );
      // Scale old ReplicaSets down as far as availability allows (unhealthy pods first).
      let budget = oldTotal + newPods.length - minAvailable - (newPods.length - newReady);
      let healthyBudget = oldReady + newReady - minAvailable;
      for (const rs of old) {
        if (budget <= 0) break;
        const replicas = Number((rs.spec as Json).replicas ?? 0);
        const ready = Math.min(Number((rs.status as Json | undefined)?.readyReplicas ?? 0), replicas);
        const unhealthy = Math.min(replicas - ready, budget);
        budget -= unhealthy;
        const healthy = Math.max(0, Math.min(ready, budget, healthyBudget));
        budget -= healthy;
        healthyBudget -= healthy;
        if (unhealthy + healthy > 0) {
          scaleReplicaSet(cluster, rs, replicas - unhealthy - healthy);
          oldTotal -= unhealthy + healthy;
          progressed = true;
        }
      }
      // Scale the new ReplicaSet up within maxSurge (or down, when replicas shrank).
      if (newPods.length < desired) {
        const room = desired + surge - (oldTotal + newPods.length);
        const n = Math.min(room, desired - newPods.length);
        for (let i = 0; i < n; i++) put(cluster, 'pods', makeRsPod(cluster, newRs, stateForNewPod(newRs)));
        if (n > 0) progressed = true;
      } else if (newPods.length > desired) {
        const extra = [...newPods]
          .sort((a, b) => Number(isReadyPod(a)) - Number(isReadyPod(b)))
          .slice(0, newPods.length - desired);
        for (const p of extra) remove(cluster, 'pods', keyOf(p));
        progressed = true;
      }
      newPods = podsOf(cluster, namespace, rsName);
      newRs = scaleReplicaSet(cluster, newRs, newPods.length, newPods.filter(isReadyPod).length);
    }

    // Status from the ReplicaSets, as the controller computes it.
    const all = (clusters[cluster] as Store).replicasets
      .filter((s) => s.key.startsWith(`${namespace}/`) && ownerUid(s.obj) === meta.uid)
      .map((s) => s.obj);
    const total = all.reduce((n, rs) => n + Number((rs.spec as Json).replicas ?? 0), 0);
    const available = all.reduce(
      (n, rs) => n + Number((rs.status as Json | undefined)?.availableReplicas ?? 0),
      0,
    );
    const ready = all.reduce((n, rs) => n + Number((rs.status as Json | undefined)?.readyReplicas ?? 0), 0);
    const updated = Number((newRs.spec as Json).replicas ?? 0);
    status.replicas = total;
    status.updatedReplicas = updated;
    for (const [k, v] of [
      ['readyReplicas', ready],
      ['availableReplicas', available],
      ['unavailableReplicas', Math.max(0, total - available)],
    ] as const) {
      if (v > 0) status[k] = v;
      else delete status[k];
    }
    setCondition(
      status,
      'Available',
      available >= minAvailable ? 'True' : 'False',
      available >= minAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      available >= minAvailable
        ? 'Deployment has minimum availability.'
        : 'Deployment does not have minimum availability.',
      now,
      false,
    );
    const complete = updated === desired && total === desired && available >= desired;
    let keep = true;
    if (paused) {
      setCondition(status, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now, false);
      keep = false;
    } else if (complete) {
      setCondition(
        status,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        now,
        progressed,
      );
      keep = false;
    } else if (progressed) {
      r.lastProgressAt = nowMs;
      const [reason, message] = firstLook
        ? created
          ? ['NewReplicaSetCreated', `Created new replica set "${rsName}"`]
          : ['FoundNewReplicaSet', `Found new replica set "${rsName}"`]
        : ['ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`];
      setCondition(status, 'Progressing', 'True', reason, message, now, true);
    } else if (nowMs - r.lastProgressAt > Number(spec.progressDeadlineSeconds ?? 600) * 1000 * timeScale) {
      setCondition(
        status,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
        now,
        false,
      );
      keep = false;
    }
    d.status = status;
    if (!sameJson(d, stored)) put(cluster, 'deployments', d);
    return keep;
  };

  return { reconcile };
}
