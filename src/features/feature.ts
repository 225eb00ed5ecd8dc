import type { Redis } from 'ioredis';
import type { Tool } from '../../tools/shared/define-tool.ts';
import type { KubePort, Ports } from '../../tools/shared/ports.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { LlmPort } from '../clients/llm.ts';
import type { Config } from '../config.ts';
import type { KubeDeployPort } from '../deploys/kube-deploy-port.ts';
import type { DigestSection } from '../digests/section.ts';
import type { GitHubEventListener } from '../http/github-events.ts';
import type { Route } from '../http/health.ts';
import type { Messenger } from '../jobs/messenger.ts';
import type { ResultDecorator } from '../jobs/processors/run-tool.ts';
import type { JobQueue } from '../jobs/runtime.ts';
import type { JobHandler } from '../jobs/spec.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { CommandInfo, OpsCommand } from '../ops/command.ts';
import type { MentionHandler } from '../ops/mention.ts';
import type { MessageShortcutHandler } from '../ops/shortcut.ts';
import type { Policy } from '../policy/policy.ts';
import type { SlackFiles } from '../slack/files.ts';
import type { SlackThreads } from '../slack/threads.ts';

/** What the features of the app brought before this one: for help, the agent's tools and its no-LLM guide. */
export interface Catalog {
  readonly commands: readonly CommandInfo[];
  readonly tools: readonly Tool<unknown, unknown>[];
  /** Post-processing of a tool's result message in the run_tool job, by tool name. */
  readonly decorate: Readonly<Record<string, ResultDecorator>>;
}

/**
 * Everything a feature may ask for: the clients and ports app.ts builds once. A feature names what
 * it needs (`needs`) and its `build` sees only those.
 */
export interface FeatureDeps {
  config: Config;
  log: Logger;
  redis: Redis;
  /** Posts and edits messages (Slack or the console). */
  messenger: Messenger;
  policy: Policy;
  audit: AuditLog;
  /** Enqueue and cancel; processors are never reachable from here. */
  queue: JobQueue;
  /** The tools' ports, full access (kube, github, and `changes` once the deploys feature provides it). */
  ports: Ports;
  /** Writes to clusters: only the deploys feature's approved-change jobs use it. */
  kubeDeploy: KubeDeployPort & Pick<KubePort, 'list'>;
  /** Absent without an LLM configured. */
  llm: LlmPort | undefined;
  /** Slack threads for the agent's history ([] in the console). */
  threads: SlackThreads;
  /** Files attached to Slack messages, read with the bot token; absent in the console. */
  slackFiles: SlackFiles | undefined;
  /** Commands, tools and decorators of the features listed before this one. */
  catalog: Catalog;
  /** Digest sections the features listed before this one bring, by name. */
  digestSections: ReadonlyMap<string, DigestSection>;
  /** Prometheus counters for what a feature does itself (e.g. `metrics.digest(id, 'posted')`). */
  metrics: Metrics;
}

export type Need = keyof FeatureDeps;

/** What a feature brings. Every list is optional; app.ts concatenates them. */
export interface FeatureParts {
  /** Tools the agent may call (and run_tool runs for `/ops` aliases). */
  tools?: readonly Tool<unknown, unknown>[];
  commands?: readonly OpsCommand[];
  /** Job specs with their processors (workers run them; handlers only enqueue specs). */
  jobs?: readonly JobHandler<never>[];
  /** HTTP routes served beside Slack's (webhooks). */
  routes?: readonly Route[];
  /**
   * What it does with GitHub's webhook deliveries: the app serves the one `POST /github/webhook`
   * (when GITHUB_WEBHOOK_SECRET is set), verifies each delivery and hands it to every listener of
   * its event — so features share the webhook without knowing each other.
   */
  githubEvents?: readonly GitHubEventListener[];
  /** Message shortcuts, by the callback ids the feature declares in `Feature.shortcuts` (Slack only). */
  shortcuts?: readonly MessageShortcutHandler[];
  /** Answers @mentions, DMs and console free text (one feature at most). */
  mention?: MentionHandler;
  /** Post-processing of tools' result messages in run_tool, by tool name. */
  decorate?: Readonly<Record<string, ResultDecorator>>;
  /** Sections of scheduled digests (`digests[].sections` names them), for the features after it. */
  digestSections?: readonly DigestSection[];
  /** Runs when a worker of a deployment with a schedule (not the console) has started: reconciling schedules. */
  onWorkerStart?: () => Promise<void>;
  /** Ports this feature provides to the features after it (the deploys feature provides `changes`). */
  provides?: Partial<Pick<Ports, 'changes' | 'tests'>>;
}

/** A capability: what it needs, the button action ids its messages carry, and how it builds the rest. */
export interface Feature<N extends Need = Need> {
  readonly name: string;
  readonly needs: readonly N[];
  /** Action ids of the buttons it renders; each button's value is the `/ops` command the click runs. */
  readonly actions?: readonly string[];
  /** Callback ids of its message shortcuts (manifest.yml `features.shortcuts`; a test checks both agree). */
  readonly shortcuts?: readonly string[];
  build(deps: Pick<FeatureDeps, N>): FeatureParts;
}

/** Declares a feature; `build` sees only what `needs` lists. */
export function defineFeature<N extends Need>(f: Feature<N>): Feature {
  return Object.freeze(f) as unknown as Feature;
}
