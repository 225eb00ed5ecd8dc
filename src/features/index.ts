import { agent } from './agent.ts';
import { ci } from './ci.ts';
import { core } from './core.ts';
import { deploys } from './deploys.ts';
import { digests } from './digests.ts';
import type { Feature } from './feature.ts';
import { kube } from './kube.ts';
import { tests } from './tests.ts';

/**
 * Every capability, in build order. A feature that needs `catalog` (core's help and run_tool, the
 * agent's tools and guide) sees what the features before it brought, so it comes after them; app.ts
 * refuses to start when a feature bringing commands or tools is listed after one that needs the
 * catalog. Adding a capability: one file in this folder and one line here.
 */
export const FEATURES: readonly Feature[] = [kube, ci, deploys, tests, digests, core, agent];

/** Every button action id any feature renders (registered with Slack; manifest.test checks the code uses only these). */
export const FEATURE_ACTIONS: readonly string[] = FEATURES.flatMap((f) => f.actions ?? []);

/** Every message shortcut's callback id (manifest.yml declares the same; manifest.test checks it). */
export const FEATURE_SHORTCUTS: readonly string[] = FEATURES.flatMap((f) => f.shortcuts ?? []);

/**
 * FEATURES with `extra` (capabilities under test) inserted before those that use what earlier
 * features bring (the catalog, digest sections).
 */
export function featureList(extra: readonly Feature[] = []): readonly Feature[] {
  const consumer = (f: Feature) => f.needs.includes('catalog') || f.needs.includes('digestSections');
  return [...FEATURES.filter((f) => !consumer(f)), ...extra, ...FEATURES.filter(consumer)];
}
