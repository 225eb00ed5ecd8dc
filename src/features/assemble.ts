import type { Tool } from '../../tools/shared/define-tool.ts';
import type { DigestSection } from '../digests/section.ts';
import type { GitHubEventListener } from '../http/github-events.ts';
import type { Route } from '../http/health.ts';
import type { ResultDecorator } from '../jobs/processors/run-tool.ts';
import type { JobHandler } from '../jobs/spec.ts';
import type { OpsCommand } from '../ops/command.ts';
import type { MentionHandler } from '../ops/mention.ts';
import type { MessageShortcutHandler } from '../ops/shortcut.ts';
import type { Feature, FeatureDeps } from './feature.ts';

/** What all features brought, concatenated. */
export interface Assembled {
  commands: readonly OpsCommand[];
  tools: readonly Tool<unknown, unknown>[];
  jobs: readonly JobHandler<never>[];
  routes: readonly Route[];
  /** Every feature's GitHub webhook listeners, in feature order. */
  githubEvents: readonly GitHubEventListener[];
  actions: readonly string[];
  shortcuts: readonly MessageShortcutHandler[];
  mention?: MentionHandler;
  /** What features run once a worker (outside the console) has started. */
  onWorkerStart: readonly (() => Promise<void>)[];
}

function unique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`two features bring the ${kind} "${n}"`);
    seen.add(n);
  }
}

/**
 * Builds each feature in order with what it needs, and concatenates what they bring. A feature sees
 * the ports the features before it provide and (when it needs `catalog`) their commands, tools and
 * decorators. Every list is a new array: nothing a feature was given changes afterwards.
 * Throws (at start-up, naming the features) on a duplicate command, job, action or tool, a second
 * mention handler, or a feature that brings commands or tools after one that needed the catalog.
 */
export function assembleFeatures(
  features: readonly Feature[],
  base: Omit<FeatureDeps, 'catalog' | 'digestSections'>,
): Assembled {
  let ports = base.ports;
  let commands: readonly OpsCommand[] = [];
  let tools: readonly Tool<unknown, unknown>[] = [];
  let jobs: readonly JobHandler<never>[] = [];
  let routes: readonly Route[] = [];
  let githubEvents: readonly GitHubEventListener[] = [];
  let shortcuts: readonly MessageShortcutHandler[] = [];
  let decorate: Readonly<Record<string, ResultDecorator>> = {};
  let mention: MentionHandler | undefined;
  let catalogUser: string | undefined;
  let sectionsUser: string | undefined;
  const digestSections = new Map<string, DigestSection>();
  const onWorkerStart: (() => Promise<void>)[] = [];
  for (const f of features) {
    const available: FeatureDeps = {
      ...base,
      ports,
      catalog: { commands: commands.filter((c) => !c.hidden), tools, decorate },
      digestSections: new Map(digestSections),
    };
    const deps = Object.fromEntries(f.needs.map((n) => [n, available[n]])) as unknown as FeatureDeps;
    const parts = f.build(deps);
    if (catalogUser && (parts.commands?.length || parts.tools?.length)) {
      throw new Error(
        `feature ${f.name} brings commands or tools but is listed after ${catalogUser}, which lists them all: move it earlier in src/features/index.ts`,
      );
    }
    if (f.needs.includes('catalog')) catalogUser ??= f.name;
    if (sectionsUser && parts.digestSections?.length) {
      throw new Error(
        `feature ${f.name} brings digest sections but is listed after ${sectionsUser}, which uses them all: move it earlier in src/features/index.ts`,
      );
    }
    if (f.needs.includes('digestSections')) sectionsUser ??= f.name;
    for (const s of parts.digestSections ?? []) {
      if (digestSections.has(s.name)) throw new Error(`two features bring the digest section "${s.name}"`);
      digestSections.set(s.name, s);
    }
    if (parts.onWorkerStart) onWorkerStart.push(parts.onWorkerStart);
    if (parts.mention && mention) throw new Error(`feature ${f.name} brings a second mention handler`);
    mention = parts.mention ?? mention;
    commands = [...commands, ...(parts.commands ?? [])];
    tools = [...tools, ...(parts.tools ?? [])];
    jobs = [...jobs, ...(parts.jobs ?? [])];
    routes = [...routes, ...(parts.routes ?? [])];
    githubEvents = [...githubEvents, ...(parts.githubEvents ?? [])];
    for (const sh of parts.shortcuts ?? []) {
      if (!f.shortcuts?.includes(sh.callbackId))
        throw new Error(
          `feature ${f.name} brings the shortcut "${sh.callbackId}" without declaring it in shortcuts`,
        );
    }
    shortcuts = [...shortcuts, ...(parts.shortcuts ?? [])];
    decorate = { ...decorate, ...parts.decorate };
    ports = { ...ports, ...parts.provides };
  }
  const actions = features.flatMap((f) => f.actions ?? []);
  unique(
    'command',
    commands.map((c) => c.name),
  );
  unique(
    'tool',
    tools.map((t) => t.name),
  );
  unique(
    'job',
    jobs.map((j) => j.spec.name),
  );
  unique('button action', actions);
  unique(
    'shortcut',
    shortcuts.map((sh) => sh.callbackId),
  );
  return { commands, tools, jobs, routes, githubEvents, actions, shortcuts, mention, onWorkerStart };
}
