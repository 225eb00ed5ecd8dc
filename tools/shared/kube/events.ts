/** Reading Event objects: when one last happened, how often, and which Warning reasons matter on their own. */

import type { KubeEvent } from '../kube-port.ts';
import { toMillis } from './objects.ts';

/** When an event last happened: series, then lastTimestamp, then eventTime, then creation. */
export function eventLastSeen(e: KubeEvent): number | undefined {
  return (
    toMillis(e.series?.lastObservedTime) ??
    toMillis(e.lastTimestamp) ??
    toMillis(e.eventTime) ??
    toMillis(e.metadata?.creationTimestamp)
  );
}

export function eventCount(e: KubeEvent): number {
  return e.series?.count ?? e.count ?? 1;
}

/** Warning-event reasons that are a problem by themselves, even on an otherwise healthy workload. */
export const SERIOUS_EVENT_REASONS: ReadonlySet<string> = new Set([
  'FailedCreate',
  'FailedMount',
  'FailedAttachVolume',
  'FailedScheduling',
  'FailedCreatePodSandBox',
  'OOMKilling',
  'SystemOOM',
  'Evicted',
  'NodeNotReady',
  'EvictionThresholdMet',
  'FreeDiskSpaceFailed',
  'ImageGCFailed',
]);
