/**
 * The Pod builder (kube-objects.ts): a pod in any `PodState` (running, crash-looping, OOM-killed, image
 * pull errors, unschedulable, not ready, creating, completed, evicted) with the status the kubelet writes.
 */

import { ago, DEFAULT_NOW, hex, ip, nextResourceVersion, uid } from './kube-ids.ts';
import type { Json } from './kube-json.ts';
import {
  condition,
  containerSpec,
  managedFields,
  ownerApiVersion,
  type PodOptions,
} from './kube-pod-parts.ts';

export function makePod(opts: PodOptions): Json {
  const now = opts.now ?? DEFAULT_NOW;
  const state = opts.state ?? { kind: 'running' };
  const containers = opts.containers ?? ['app'];
  const image = opts.image ?? `registry.example.com/${opts.namespace}/${opts.labels?.app ?? 'app'}:1.4.2`;
  const node = opts.node ?? 'ip-10-0-1-10.eu-west-1.compute.internal';
  const age = opts.ageMinutes ?? 60 * 24 * 3;
  const created = ago(now, age);
  const started = ago(now, age - 0.2);
  const key = `${opts.namespace}/${opts.name}`;
  const first = containers[0] ?? 'app';
  const labels = { ...(opts.labels ?? {}) };
  const metadata: Json = {
    name: opts.name,
    namespace: opts.namespace,
    uid: uid(`pod/${key}`),
    resourceVersion: nextResourceVersion(),
    creationTimestamp: created,
    labels,
    managedFields: managedFields(created, state.kind !== 'unschedulable'),
  };
  if (opts.annotations) metadata.annotations = opts.annotations;
  if (opts.owner) {
    metadata.generateName = opts.owner.kind === 'StatefulSet' ? undefined : `${opts.owner.name}-`;
    if (metadata.generateName === undefined) delete metadata.generateName;
    metadata.ownerReferences = [
      {
        apiVersion: ownerApiVersion(opts.owner.kind),
        kind: opts.owner.kind,
        name: opts.owner.name,
        uid: uid(`${opts.owner.kind}/${opts.namespace}/${opts.owner.name}`),
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  const specContainers = containers.map((c, i) =>
    containerSpec(c, i === 0 && state.kind === 'imagePull' ? (state.image ?? `${image}-missing`) : image),
  );
  const spec: Json = {
    volumes: [
      {
        name: 'kube-api-access',
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
          defaultMode: 420,
        },
      },
    ],
    containers: specContainers,
    restartPolicy: opts.owner?.kind === 'Job' ? 'Never' : 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    tolerations: [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
  if (state.kind !== 'unschedulable') spec.nodeName = node;

  const imageOf = (i: number): string => String((specContainers[i] as Json).image);
  const containerId = (c: string, n: number): string => `containerd://${hex(`${key}/${c}/${n}`, 64)}`;
  const runningStatus = (c: string, i: number, ready: boolean, restarts = 0): Json => ({
    name: c,
    state: { running: { startedAt: started } },
    lastState: {},
    ready,
    restartCount: restarts,
    image: imageOf(i),
    imageID: `${imageOf(i).split(':')[0]}@sha256:${hex(imageOf(i), 64)}`,
    containerID: containerId(c, restarts),
    started: true,
  });
  const others = containers.slice(1).map((c, i) => runningStatus(c, i + 1, true));
  const podIP = ip(key);
  const base = (
    phase: string,
    firstStatus: Json | undefined,
    ready: boolean,
    readyMessage?: string,
  ): Json => {
    const notReadyReason = ready ? undefined : phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady';
    const msg = ready ? undefined : (readyMessage ?? `containers with unready status: [${first}]`);
    const status: Json = {
      phase,
      conditions: [
        condition('PodReadyToStartContainers', 'True', started),
        condition('Initialized', 'True', created, phase === 'Succeeded' ? 'PodCompleted' : undefined),
        condition('Ready', ready ? 'True' : 'False', started, notReadyReason, msg),
        condition('ContainersReady', ready ? 'True' : 'False', started, notReadyReason, msg),
        condition('PodScheduled', 'True', created),
      ],
      hostIP: ip(node),
      hostIPs: [{ ip: ip(node) }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: created,
      containerStatuses: firstStatus ? [firstStatus, ...others] : others,
      qosClass: 'Burstable',
    };
    return status;
  };

  let status: Json;
  switch (state.kind) {
    case 'running':
      status = base('Running', runningStatus(first, 0, true), true);
      break;
    case 'crashLoop':
    case 'oomKilled': {
      const oom = state.kind === 'oomKilled';
      const restarts = state.restarts ?? 14;
      const minutesAgo = state.kind === 'oomKilled' ? (state.minutesAgo ?? 2) : 2;
      const terminated: Json = {
        exitCode: oom ? 137 : ((state.kind === 'crashLoop' ? state.exitCode : undefined) ?? 1),
        reason: oom ? 'OOMKilled' : ((state.kind === 'crashLoop' ? state.reason : undefined) ?? 'Error'),
        startedAt: ago(now, minutesAgo + 0.5),
        finishedAt: ago(now, minutesAgo),
        containerID: containerId(first, restarts - 1),
      };
      const stillCrashing = state.kind === 'crashLoop' || state.stillCrashing !== false;
      const cs: Json = stillCrashing
        ? {
            name: first,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 5m0s restarting failed container=${first} pod=${opts.name}_${opts.namespace}(${uid(`pod/${key}`)})`,
              },
            },
            lastState: { terminated },
            ready: false,
            restartCount: restarts,
            image: imageOf(0),
            imageID: `${imageOf(0).split(':')[0]}@sha256:${hex(imageOf(0), 64)}`,
            containerID: containerId(first, restarts - 1),
            started: false,
          }
        : { ...runningStatus(first, 0, true, restarts), lastState: { terminated } };
      status = base('Running', cs, !stillCrashing);
      break;
    }
    case 'imagePull': {
      const backoff = state.backoff ?? true;
      const cs: Json = {
        name: first,
        state: {
          waiting: backoff
            ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${imageOf(0)}"` }
            : {
                reason: 'ErrImagePull',
                message: `rpc error: code = NotFound desc = failed to pull and unpack image "${imageOf(0)}": failed to resolve reference "${imageOf(0)}": ${imageOf(0)}: not found`,
              },
        },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: '',
        started: false,
      };
      status = base('Pending', cs, false);
      break;
    }
    case 'createContainerConfigError':
    case 'createContainerError': {
      const reason =
        state.kind === 'createContainerConfigError' ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message =
        state.message ??
        (state.kind === 'createContainerConfigError'
          ? 'secret "db-credentials" not found'
          : 'failed to generate container "app" spec: failed to apply OCI options: failed to mkdir "/data": mkdir /data: read-only file system');
      const cs: Json = {
        name: first,
        state: { waiting: { reason, message } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: `${imageOf(0).split(':')[0]}@sha256:${hex(imageOf(0), 64)}`,
        started: false,
      };
      status = base('Pending', cs, false);
      break;
    }
    case 'unschedulable':
      status = {
        phase: 'Pending',
        conditions: [
          condition(
            'PodScheduled',
            'False',
            created,
            'Unschedulable',
            state.message ??
              '0/6 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 5 Insufficient cpu. preemption: 0/6 nodes are available: 1 Preemption is not helpful for scheduling, 5 No preemption victims found for incoming pod.',
          ),
        ],
        qosClass: 'Burstable',
      };
      break;
    case 'notReady': {
      const since = ago(now, state.sinceMinutes ?? 30);
      status = base('Running', runningStatus(first, 0, false), false);
      for (const c of status.conditions as Json[]) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') c.lastTransitionTime = since;
      }
      break;
    }
    case 'containerCreating': {
      const cs: Json = {
        name: first,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: imageOf(0),
        imageID: '',
        started: false,
      };
      status = base('Pending', cs, false);
      (status.conditions as Json[])[0] = condition('PodReadyToStartContainers', 'False', created);
      metadata.creationTimestamp = ago(now, state.sinceMinutes ?? 25);
      break;
    }
    case 'completed': {
      const cs: Json = {
        ...runningStatus(first, 0, false),
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: started,
            finishedAt: ago(now, age - 1),
            containerID: containerId(first, 0),
          },
        },
        started: false,
      };
      status = base('Succeeded', cs, false, '');
      break;
    }
    case 'evicted': {
      status = {
        phase: 'Failed',
        reason: 'Evicted',
        message:
          state.message ??
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. Container ${first} was using 1236Mi, request is 256Mi, has larger consumption of its request. `,
        conditions: [
          condition(
            'DisruptionTarget',
            'True',
            ago(now, 40),
            'TerminationByKubelet',
            'The node was low on resource: memory.',
          ),
          condition('Ready', 'False', ago(now, 40), 'PodFailed'),
          condition('PodScheduled', 'True', created),
        ],
        hostIP: ip(node),
        startTime: created,
        containerStatuses: [
          {
            name: first,
            state: {
              terminated: {
                exitCode: 137,
                reason: 'ContainerStatusUnknown',
                message: 'The container could not be located when the pod was terminated',
                startedAt: null,
                finishedAt: null,
              },
            },
            lastState: {},
            ready: false,
            restartCount: 0,
            image: imageOf(0),
            imageID: '',
            started: false,
          },
        ],
        qosClass: 'Burstable',
      };
      break;
    }
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}
