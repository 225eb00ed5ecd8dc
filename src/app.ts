import type { Server } from 'node:http';
import type { Readable } from 'node:stream';
import type { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { ALL_TOOLS, CATALOG_TOOLS, clusterStatus, triageBuild, workloadDetails } from '../tools/index.ts';
import { parseTriageArgs, TRIAGE_USAGE } from '../tools/shared/ci/commands.ts';
import { githubNotConfigured } from '../tools/shared/github-port.ts';
import {
  LOGS_USAGE,
  parseLogsArgs,
  parseStatusArgs,
  STATUS_USAGE,
} from '../tools/shared/kube/command-args.ts';
import type { Ports } from '../tools/shared/ports.ts';
import { redact } from '../tools/shared/redact.ts';
import { createTriageExplainer, explainTriageResults } from './agent/explain-failure.ts';
import type { ThreadMessage } from './agent/history.ts';
import { DEFAULT_LIMITS } from './agent/run-turn.ts';
import { createAuditLog } from './audit/audit.ts';
import { createGitHubPort, readOnlyGitHub } from './clients/github.ts';
import { createWebhookVerifier } from './clients/github-webhooks.ts';
import { createKubeContextPool, createKubePort } from './clients/kube.ts';
import { createKubeDeployPort } from './clients/kube-deploy.ts';
import { createChatModel } from './clients/llm.ts';
import { connectRedis } from './clients/redis.ts';
import { createBoltApp, createSlackWebClient } from './clients/slack.ts';
import type { Config } from './config.ts';
import { runConsole } from './console/console.ts';
import { createConsoleMessenger } from './console/messenger.ts';
import { newTraceId, type ReplyTarget } from './context.ts';
import { createRequestStore } from './deploys/requests.ts';
import { createChangesPort, createDeployService, type DeployService } from './deploys/service.ts';
import { githubWebhookRoute } from './http/github-webhook.ts';
import { healthRoutes, serveRoutes } from './http/health.ts';
import type { Messenger } from './jobs/messenger.ts';
import { createAgentTurnJob } from './jobs/processors/agent-turn.ts';
import { createApplyJob, createExpiryJob, createProposeJob } from './jobs/processors/change.ts';
import { createCiRerunJob } from './jobs/processors/ci-rerun.ts';
import { createCiTriageJob } from './jobs/processors/ci-triage.ts';
import { createRunToolJob } from './jobs/processors/run-tool.ts';
import type { JobKind } from './jobs/queues.ts';
import { createJobRuntime, type JobRuntime } from './jobs/runtime.ts';
import { createLogger, type Logger } from './log.ts';
import type { OpsCommand } from './ops/command.ts';
import { createCancelCommand } from './ops/commands/cancel.ts';
import {
  createApproveCommand,
  createAuditCommand,
  createDeployCommand,
  createHistoryCommand,
  createRejectCommand,
  createRollbackCommand,
} from './ops/commands/changes.ts';
import { createHelpCommand } from './ops/commands/help.ts';
import { createRerunCommand } from './ops/commands/rerun.ts';
import { createMentionHandler } from './ops/mention.ts';
import { createOpsRouter, type OpsRouter } from './ops/router.ts';
import { createToolCommand } from './ops/tool-command.ts';
import { createPolicy } from './policy/policy.ts';
import { createSlackMessenger } from './slack/messenger.ts';
import { registerSlack } from './slack/register.ts';

export interface AppOptions {
  log?: Logger;
  /** Console mode: where lines come from and replies go (default stdin/stdout). */
  input?: Readable;
  write?: (text: string) => void;
  /** Extra job kinds and commands, for capabilities under test. */
  extraJobs?: readonly JobKind<never>[];
  extraCommands?: (deps: { jobs: JobRuntime }) => readonly OpsCommand[];
  progressIntervalMs?: number;
  /** Approval window (tests shorten it below APPROVAL_TTL_MINUTES' one-minute grain). */
  approvalTtlMs?: number;
}

export interface ShipmateApp {
  readonly config: Config;
  readonly router: OpsRouter;
  readonly jobs: JobRuntime;
  readonly redis: Redis;
  readonly log: Logger;
  /** Starts the front door and workers of this role. Console mode resolves when input ends and its jobs finish. */
  start(): Promise<void>;
  /** The HTTP port actually listened on (after start), when there is one. */
  port(): number | undefined;
  /** Drains: stops taking requests, lets active jobs finish (or return to the queue), closes Redis. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds every client once and wires the modules. Throws AppError
 * `redis_unreachable` with a user-facing message when Redis does not answer.
 */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<ShipmateApp> {
  const log = opts.log ?? createLogger({ level: config.logLevel, toStderr: config.mode === 'console' });
  const redis = await connectRedis(config.redis.url);
  const write = opts.write ?? ((text: string) => void process.stdout.write(`${text}\n`));

  const web = config.slack.botToken ? createSlackWebClient(config, log) : undefined;
  // User-group members, cached a minute: permission checks run on Slack's 3-second path.
  const groupCache = new Map<string, { at: number; members: Promise<readonly string[]> }>();
  const policy = createPolicy(config.team, (groupId) => {
    if (!web) return Promise.resolve([]);
    const hit = groupCache.get(groupId);
    if (hit && Date.now() - hit.at < 60_000) return hit.members;
    const members = web.usergroups.users.list({ usergroup: groupId }).then((r) => r.users ?? []);
    members.catch(() => groupCache.delete(groupId));
    groupCache.set(groupId, { at: Date.now(), members });
    return members;
  });

  const messenger: Messenger = web
    ? createSlackMessenger(web, log)
    : createConsoleMessenger((t) => write(redact(t)));

  // One pool of per-context clients and connections, shared by the read port and the deploy port.
  const kubeOptions = {
    kubeconfigPath: config.kube.kubeconfigPath,
    requestTimeoutMs: config.kube.requestTimeoutMs,
  };
  const kubePool = createKubeContextPool(kubeOptions);
  const kube = createKubePort(kubeOptions, kubePool);
  const gh = config.github;
  const github =
    gh.token || gh.appId
      ? createGitHubPort({
          baseUrl: gh.apiUrl,
          token: gh.token,
          appId: gh.appId,
          privateKey: gh.privateKey,
          onWarning: (message) => log.warn({ integration: 'github' }, message),
        })
      : undefined;
  // Deploys write to clusters through their own client (src/clients/kube-deploy.ts); only the jobs
  // that apply an approved request use its write methods.
  const kubeDeploy = createKubeDeployPort({ ...kubeOptions, pool: kubePool });
  const audit = createAuditLog({
    redis,
    prefix: config.redis.prefix,
    retentionMs: config.deploy.auditRetentionMs,
    log,
  });
  const requests = createRequestStore(redis, config.redis.prefix);
  const hasCatalog = Object.keys(config.team.services).length > 0;
  const ports: Ports = { redact, kube, github };
  // The agent's tools get read-only ports only: nothing the model asks for can change a cluster or a
  // repository. They can create change requests (ports.changes), which a person approves by clicking.
  const agentPorts: Ports = { redact, kube, github: github && readOnlyGitHub(github) };
  const tools = ALL_TOOLS.filter((t) => hasCatalog || !CATALOG_TOOLS.includes(t.name));
  let botUserId: string | undefined;
  const threadMessages = async (target: ReplyTarget): Promise<ThreadMessage[]> => {
    if (!web || target.kind !== 'slack' || !target.threadTs) return [];
    botUserId ??= (await web.auth.test()).user_id;
    // Slack returns a thread oldest first, a page at a time: read to the end (at most 1,000 messages)
    // so the newest turns are never the ones missing; history.ts trims oldest first to the budget.
    const out: ThreadMessage[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await web.conversations.replies({
        channel: target.channel,
        ts: target.threadTs,
        limit: 200,
        cursor,
      });
      out.push(...((r.messages ?? []) as ThreadMessage[]));
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return out;
  };

  let commands: OpsCommand[] = [];
  // One chat model for the agent and CI failure explanations.
  const model = config.llm ? createChatModel(config.llm) : undefined;
  const explainer =
    model && config.llm ? createTriageExplainer({ model, modelName: config.llm.model, redact }) : undefined;
  const turn = createAgentTurnJob({
    commands: () => commands,
    model,
    modelName: config.llm?.model,
    tools,
    ports: agentPorts,
    threadMessages,
    botUserId: () => botUserId,
    redis,
    prefix: config.redis.prefix,
    limits: { ...DEFAULT_LIMITS, timeoutMs: config.llm?.turnTimeoutMs ?? DEFAULT_LIMITS.timeoutMs },
    turnsPerMinute: config.llm?.turnsPerMinute ?? 6,
  });
  const runTool = createRunToolJob({
    tools,
    ports,
    decorate: explainer ? explainTriageResults(explainer) : undefined,
  });
  // CI triage (#4): re-runs use the full GitHub port (the agent's is read-only); automatic triage
  // posts in `ci.channels` through the messenger.
  const ciRerunJob = createCiRerunJob({ github, audit, team: config.team });
  const ciTriageJob = createCiTriageJob({
    github,
    redact,
    redis,
    prefix: config.redis.prefix,
    messenger,
    explainer,
  });
  let deploys: DeployService | undefined;
  const getDeploys = () => {
    if (!deploys) throw new Error('deploy service used before it was built');
    return deploys;
  };
  const proposeJob = createProposeJob({ deploys: getDeploys });
  const expiryJob = createExpiryJob({ deploys: getDeploys });
  const applyJob = createApplyJob({
    deploys: getDeploys,
    requests,
    audit,
    kube: kubeDeploy,
    rolloutTimeoutMs: config.deploy.rolloutTimeoutMs,
  });
  // A console has a queue of its own: its worker prints to this terminal, so it must never take a
  // Slack user's job (nor a Slack worker one of its lines). Requests, locks and the audit log stay shared.
  const queuePrefix =
    config.mode === 'console'
      ? `${config.redis.prefix}-console-${newTraceId().slice(0, 8)}`
      : config.redis.prefix;
  const jobs = createJobRuntime({
    redis,
    prefix: queuePrefix,
    kinds: [
      turn as JobKind<never>,
      runTool as JobKind<never>,
      ciRerunJob as JobKind<never>,
      ciTriageJob as JobKind<never>,
      proposeJob as JobKind<never>,
      expiryJob as JobKind<never>,
      applyJob as JobKind<never>,
      ...(opts.extraJobs ?? []),
    ],
    messenger,
    log,
    concurrency: config.worker.concurrency,
    jobTimeoutMs: config.worker.jobTimeoutMs,
    progressIntervalMs: opts.progressIntervalMs,
    lockDurationMs: config.worker.lockMs,
  });
  deploys = createDeployService({
    team: config.team,
    policy,
    requests,
    audit,
    kube: kubeDeploy,
    jobs,
    applyJob,
    expiryJob,
    messenger,
    approvalTtlMs: opts.approvalTtlMs ?? config.deploy.approvalTtlMs,
    log,
  });
  if (hasCatalog) {
    const changes = createChangesPort({
      service: deploys,
      team: config.team,
      kube: kubeDeploy,
      requests,
      audit,
    });
    ports.changes = changes;
    agentPorts.changes = changes;
  }
  const changeDeps = { deploys, jobs, proposeJob, audit, team: config.team };
  commands = [
    createHelpCommand(() => router.help()),
    createToolCommand({
      name: 'status',
      usage: STATUS_USAGE,
      summary: 'cluster health: counts, then every problem grouped by workload, worst first',
      keywords: ['status', 'health', 'broken', 'crashing', 'failing', 'pods', 'cluster', 'down'],
      tool: clusterStatus,
      parse: parseStatusArgs,
      title: (i) =>
        `Cluster status${i.namespace ? ` of ${i.namespace}` : ''}${i.cluster ? ` on ${i.cluster}` : ''}`,
      jobs,
      runTool,
    }),
    createToolCommand({
      name: 'logs',
      usage: LOGS_USAGE,
      summary: "a workload's or pod's last log lines (previous instance if crash-looping) and recent events",
      keywords: ['logs', 'log', 'events', 'why', 'crash', 'crashing'],
      tool: workloadDetails,
      parse: parseLogsArgs,
      title: (i) => `Logs of ${i.name}${i.namespace ? ` in ${i.namespace}` : ''}`,
      jobs,
      runTool,
    }),
    createToolCommand({
      name: 'triage',
      usage: TRIAGE_USAGE,
      summary:
        'why a GitHub Actions run failed: failed step, the log lines that show why, the kind of failure',
      keywords: ['triage', 'build', 'ci', 'failed', 'failing', 'broke', 'workflow', 'actions'],
      tool: triageBuild,
      parse: parseTriageArgs,
      title: (i) => `Triage of ${i.repo}${i.run ? ` ${i.run}` : ''}`,
      jobs,
      runTool,
      unavailable: () => (github ? undefined : githubNotConfigured()),
    }),
    createRerunCommand({
      jobs,
      policy,
      rerunJob: ciRerunJob,
      unavailable: () => (github ? undefined : githubNotConfigured()),
    }),
    ...(hasCatalog
      ? [
          createDeployCommand(changeDeps),
          createRollbackCommand(changeDeps),
          createApproveCommand(changeDeps),
          createRejectCommand(changeDeps),
          createHistoryCommand(changeDeps),
        ]
      : []),
    createAuditCommand(changeDeps),
    ...(opts.extraCommands?.({ jobs }) ?? []),
    createCancelCommand({ jobs, policy }),
  ];
  const router = createOpsRouter(commands);
  const onMention = createMentionHandler({ jobs, turn });

  let stopping = false;
  let bolt: App | undefined;
  let server: Server | undefined;
  let boltServer: Server | undefined;
  const runsWeb = config.mode !== 'console' && config.role !== 'worker';
  const runsWorkers = config.role !== 'web';

  const port = () => {
    const a = (boltServer ?? server)?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  };

  return {
    config,
    router,
    jobs,
    redis,
    log,
    port,
    async start() {
      if (runsWorkers) await jobs.startWorkers();
      if (config.mode === 'console') {
        await runConsole({
          input: opts.input ?? process.stdin,
          write: (t) => write(redact(t)),
          router,
          onMention,
          jobs,
          userId: config.consoleUser,
          log,
          interactive: opts.input === undefined && process.stdin.isTTY === true,
          drainTimeoutMs: config.worker.jobTimeoutMs + 5000,
        });
        return;
      }
      const routes = healthRoutes(redis, () => stopping);
      // Without GITHUB_WEBHOOK_SECRET there is no webhook route (404): unsigned deliveries are never accepted.
      if (config.github.webhookSecret) {
        routes.push(
          githubWebhookRoute({
            verify: createWebhookVerifier(config.github.webhookSecret),
            channels: config.team.ci.channels,
            jobs,
            triageJob: ciTriageJob,
            log,
          }),
        );
      }
      if (runsWeb) {
        bolt = createBoltApp(config, log, routes);
        registerSlack(bolt, { router, onMention, redis, prefix: config.redis.prefix, log });
        if (config.mode === 'socket') {
          await bolt.start();
          server = await serveRoutes(routes, config.port);
          log.info(
            { mode: 'socket', port: port() },
            'Shipmate connected to Slack (Socket Mode); health on /healthz',
          );
        } else {
          boltServer = (await bolt.start(config.port)) as Server;
          log.info({ mode: 'http', port: port() }, 'Shipmate listening for Slack on /slack/events');
        }
      } else {
        server = await serveRoutes(routes, config.port);
        log.info({ role: config.role, port: port() }, 'Shipmate worker running; health on /healthz');
      }
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info('draining');
      await bolt?.stop().catch((err: unknown) => log.warn({ err }, 'bolt stop failed'));
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      if (config.mode === 'console') await jobs.queue.obliterate({ force: true }).catch(() => undefined);
      await jobs.close();
      await kube.close().catch(() => undefined);
      await kubeDeploy.close().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      log.info('stopped');
    },
  };
}
