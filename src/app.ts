import type { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { redact } from '../tools/shared/redact.ts';
import { type AuditEntry, createAuditLog } from './audit/audit.ts';
import { createClients } from './clients/create-clients.ts';
import { createLlmPort } from './clients/llm.ts';
import { connectRedis } from './clients/redis.ts';
import { createSlackWebClient } from './clients/slack.ts';
import type { Config } from './config.ts';
import { createConsoleMessenger } from './console/messenger.ts';
import { newTraceId } from './context.ts';
import { createRequestStore } from './deploys/requests.ts';
import { assembleFeatures } from './features/assemble.ts';
import type { Feature } from './features/feature.ts';
import { featureList } from './features/index.ts';
import { createJobRuntime, type JobRuntime } from './jobs/runtime.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { createOpsRouter, type OpsRouter } from './ops/router.ts';
import { createPolicy } from './policy/policy.ts';
import { type FrontDoor, openFrontDoor } from './serve.ts';
import { createSlackFiles } from './slack/files.ts';
import { createGroupMembers } from './slack/group-members.ts';
import { type HomeDeps, homeRefresher, publishHome } from './slack/home.ts';
import { createSlackMessenger } from './slack/messenger.ts';
import type { SlackRetryOptions } from './slack/slack-retry.ts';
import { createSlackThreads } from './slack/threads.ts';

export interface AppOptions {
  log?: Logger;
  /** Console mode: where lines come from and replies go (default stdin/stdout). */
  input?: Readable;
  write?: (text: string) => void;
  /** More features (capabilities under test), listed before those that need the catalog. */
  features?: readonly Feature[];
  progressIntervalMs?: number;
  /** Approval window (tests shorten it below APPROVAL_TTL_MINUTES' one-minute grain). */
  approvalTtlMs?: number;
  /** Digest timing below DIGEST_GRACE_MINUTES' one-minute grain (tests). */
  digests?: Partial<Config['digests']>;
  /** How fast a drafted tests PR's CI is polled (tests). */
  tests?: Partial<Config['tests']>;
  /** false: nothing is instrumented (`/metrics` still answers) — bench/ack.ts measures what metrics cost. */
  metrics?: false;
  /**
   * How messages ride out Slack failing (tests shorten it): one request's time limit, the retries'
   * backoff and patience (src/slack/slack-retry.ts), how long queueing and then the job wait for the
   * progress message, and how long a finished job whose outcome Slack refused waits before posting
   * it again.
   */
  delivery?: {
    slackTimeoutMs?: number;
    retry?: Partial<SlackRetryOptions>;
    progressPatienceMs?: number;
    redeliverMs?: number;
  };
}

export interface ShipmateApp {
  readonly config: Config;
  readonly router: OpsRouter;
  readonly jobs: JobRuntime;
  readonly redis: Redis;
  readonly log: Logger;
  /** This app's Prometheus registry and counters (served at `/metrics`). */
  readonly metrics: Metrics;
  /** Starts the front door and workers of this role. Console mode resolves when input ends and its jobs finish. */
  start(): Promise<void>;
  /** The HTTP port actually listened on (after start), when there is one. */
  port(): number | undefined;
  /** Drains: stops taking requests, lets active jobs finish (or return to the queue), closes Redis. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds every client and port once, then concatenates what the features
 * (src/features/) bring. Throws AppError `redis_unreachable` with a user-facing message when Redis
 * does not answer.
 */
export async function createApp(base: Config, opts: AppOptions = {}): Promise<ShipmateApp> {
  const config: Config = {
    ...base,
    deploy: { ...base.deploy, ...(opts.approvalTtlMs ? { approvalTtlMs: opts.approvalTtlMs } : {}) },
    digests: { ...base.digests, ...opts.digests },
    tests: { ...base.tests, ...opts.tests },
  };
  const log = opts.log ?? createLogger({ level: config.logLevel, toStderr: config.mode === 'console' });
  const redis = await connectRedis(config.redis.url);
  const metrics = createMetrics({
    digestIds: config.team.digests.map((d) => d.id),
    models: config.llm ? [config.llm.model] : [],
  });
  const meter = opts.metrics === false ? undefined : metrics;
  const print = opts.write ?? ((text: string) => void process.stdout.write(`${text}\n`));
  // The console remembers the last change request it showed with its buttons, for a bare `/ops approve`.
  let lastRequestId: string | undefined;
  const write = (text: string) => {
    for (const m of text.matchAll(/\/ops (?:approve|reject) (req-[A-Za-z0-9]{4,16})\b/g))
      lastRequestId = m[1];
    print(text);
  };
  const web = config.slack.botToken ? createSlackWebClient(config, log, meter) : undefined;
  // The messenger retries by itself (no second copy of a post that timed out); stop() ends its waits.
  const delivery = opts.delivery ?? {};
  const stopDelivery = new AbortController();
  const messenger = web
    ? createSlackMessenger(
        createSlackWebClient(config, log, meter, { ownRetries: true, timeoutMs: delivery.slackTimeoutMs }),
        log,
        { retry: delivery.retry, signal: stopDelivery.signal },
      )
    : createConsoleMessenger((t) => write(redact(t)));
  const { kube, kubeDeploy, github, repo, logs, ...clients } = createClients(config, log, meter);
  // A console has a queue of its own: its worker prints to this terminal, so it must never take a
  // Slack user's job (nor a Slack worker one of its lines). Requests, locks and the audit log stay shared.
  const queuePrefix =
    config.mode === 'console'
      ? `${config.redis.prefix}-console-${newTraceId().slice(0, 8)}`
      : config.redis.prefix;
  const jobs = createJobRuntime({
    redis,
    prefix: queuePrefix,
    messenger,
    log,
    progressPatienceMs: delivery.progressPatienceMs,
  });
  metrics.watchQueue((...states) => jobs.queue.getJobCounts(...states));
  const policy = createPolicy(config.team, createGroupMembers(web));
  let onAudit: ((e: AuditEntry) => void) | undefined;
  const audit = createAuditLog({
    redis,
    prefix: config.redis.prefix,
    retentionMs: config.deploy.auditRetentionMs,
    log,
    metrics: meter,
    onRecord: (e) => onAudit?.(e),
  });
  const parts = assembleFeatures(featureList(opts.features), {
    config,
    log,
    redis,
    messenger,
    policy,
    audit,
    queue: jobs,
    ports: { redact, kube, github, repo, logs },
    kubeDeploy,
    llm: config.llm ? createLlmPort(config.llm, meter) : undefined,
    threads: createSlackThreads(web),
    slackFiles:
      web && config.slack.botToken
        ? createSlackFiles(web, {
            token: config.slack.botToken,
            apiUrl: config.slack.apiUrl,
            maxBytes: config.logDownload.maxBytes,
            timeoutMs: config.logDownload.timeoutMs,
          })
        : undefined,
    metrics,
  });
  // The App Home: published on open (serve.ts) and, from any role, when a change request it shows changes.
  const home: HomeDeps = {
    config,
    policy,
    audit,
    requests: createRequestStore(redis, config.redis.prefix),
    queue: jobs.queue,
    kube,
    log,
  };
  if (web) {
    const refresh = homeRefresher(home, (userId) => publishHome(web, home, userId));
    onAudit = (e) => void refresh(e).catch((err: unknown) => log.warn({ err }, 'App Home refresh failed'));
  }
  const router = createOpsRouter(parts.commands);
  // The web role only enqueues: it never loads the worker (nor BullMQ's index behind it).
  const worker =
    config.role !== 'web'
      ? (await import('./jobs/worker.ts')).createJobWorker({
          redis,
          prefix: queuePrefix,
          handlers: parts.jobs,
          messenger,
          log,
          concurrency: config.worker.concurrency,
          jobTimeoutMs: config.worker.jobTimeoutMs,
          progressIntervalMs: opts.progressIntervalMs,
          lockDurationMs: config.worker.lockMs,
          metrics: meter,
          redeliverMs: delivery.redeliverMs,
          startPatienceMs: delivery.progressPatienceMs,
        })
      : undefined;
  let stopping = false;
  let door: FrontDoor | undefined;
  return {
    config,
    router,
    jobs,
    redis,
    log,
    metrics,
    port: () => door?.port(),
    async start() {
      await worker?.start();
      // Schedules (digests) are reconciled from the team file by every worker that starts.
      if (worker) for (const hook of parts.onWorkerStart) await hook();
      door = await openFrontDoor({
        config,
        log,
        redis,
        router,
        parts,
        jobs,
        metrics,
        instrumentSlack: meter !== undefined,
        home,
        isStopping: () => stopping,
        console: {
          input: opts.input ?? process.stdin,
          write: (t) => write(redact(t)),
          interactive: opts.input === undefined && process.stdin.isTTY === true,
          lastRequestId: () => lastRequestId,
        },
      });
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info('draining');
      await door?.close();
      // A job still retrying a post stops waiting: it keeps its outcome and posts it from the next worker.
      stopDelivery.abort();
      // The worker finishes its active jobs first: a queue is never deleted under a running job.
      await worker?.close();
      if (config.mode === 'console') await jobs.queue.obliterate().catch(() => undefined);
      await jobs.close();
      await clients.close();
      await redis.quit().catch(() => redis.disconnect());
      log.info('stopped');
    },
  };
}
