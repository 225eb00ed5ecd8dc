import type { Server } from 'node:http';
import type { Readable } from 'node:stream';
import type { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { createWebhookVerifier } from './clients/github-webhooks.ts';
import { createBoltApp, verifySlackToken } from './clients/slack.ts';
import type { Config } from './config.ts';
import { runConsole } from './console/console.ts';
import type { Assembled } from './features/assemble.ts';
import { adminQueuesRoute } from './http/admin-queues.ts';
import { githubWebhookRoute } from './http/github-webhook.ts';
import { healthRoutes, serveRoutes } from './http/health.ts';
import { metricsRoute } from './http/metrics.ts';
import type { JobRuntime } from './jobs/runtime.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { OpsRouter } from './ops/router.ts';
import { type HomeDeps, publishHome, registerHome } from './slack/home.ts';
import { instrumentBolt } from './slack/instrument.ts';
import { registerSlack } from './slack/register.ts';

/** A running front door: what it listens on, and how it stops taking requests. */
export interface FrontDoor {
  port(): number | undefined;
  /** Stops taking requests (Bolt and the HTTP server); the caller drains jobs after. */
  close(): Promise<void>;
}

export interface FrontDoorDeps {
  config: Config;
  log: Logger;
  redis: Redis;
  router: OpsRouter;
  parts: Assembled;
  jobs: JobRuntime;
  metrics: Metrics;
  /** Count and time Slack requests (off only to measure what that costs). */
  instrumentSlack: boolean;
  /** What the App Home shows (Slack modes). */
  home: HomeDeps;
  isStopping: () => boolean;
  console: {
    input: Readable;
    write: (text: string) => void;
    interactive: boolean;
    lastRequestId?: () => string | undefined;
  };
}

/**
 * Opens this role's front door. Console mode reads lines until input ends and its jobs finish.
 * Slack modes serve Bolt (HTTP, or Socket Mode plus a health server) with the features' routes;
 * role `worker` serves only health, `/metrics` and the features' routes.
 */
export async function openFrontDoor(d: FrontDoorDeps): Promise<FrontDoor> {
  const { config, log } = d;
  if (config.mode === 'console') {
    await runConsole({
      input: d.console.input,
      write: d.console.write,
      router: d.router,
      onMention: d.parts.mention,
      jobs: d.jobs,
      userId: config.consoleUser,
      log,
      interactive: d.console.interactive,
      lastRequestId: d.console.lastRequestId,
      drainTimeoutMs: config.worker.jobTimeoutMs + 5000,
    });
    return { port: () => undefined, close: async () => undefined };
  }
  const routes = [
    ...healthRoutes(d.redis, d.isStopping),
    metricsRoute(d.metrics.registry, config.metricsToken),
    ...d.parts.routes,
    // GitHub's webhook, for the features that listen: only with GITHUB_WEBHOOK_SECRET (else 404), so
    // an unsigned delivery is never accepted.
    ...(config.github.webhookSecret && d.parts.githubEvents.length
      ? [
          githubWebhookRoute({
            verify: createWebhookVerifier(config.github.webhookSecret),
            listeners: d.parts.githubEvents,
            log,
          }),
        ]
      : []),
    // The queue dashboard: web role only, and only with ADMIN_TOKEN.
    ...(config.role !== 'worker' && config.admin.token
      ? [adminQueuesRoute({ queue: d.jobs.queue, token: config.admin.token, write: config.admin.write, log })]
      : []),
  ];
  // Nothing listens (so /readyz cannot say ready) before Slack answered auth.test and took the token.
  const identity = await verifySlackToken(config, log);
  let bolt: App | undefined;
  let server: Server | undefined;
  if (config.role !== 'worker') {
    bolt = createBoltApp(config, log, routes, identity);
    if (d.instrumentSlack) instrumentBolt(bolt, d.metrics);
    const app = bolt;
    registerSlack(bolt, {
      router: d.router,
      onMention: d.parts.mention,
      actions: d.parts.actions,
      shortcuts: d.parts.shortcuts,
      redis: d.redis,
      prefix: config.redis.prefix,
      log,
      onHomeAction: (userId) => publishHome(app.client, d.home, userId),
    });
    registerHome(bolt, d.home);
  }
  if (bolt && config.mode === 'http') {
    server = (await bolt.start(config.port)) as Server;
  } else {
    await bolt?.start();
    server = await serveRoutes(routes, config.port);
  }
  const port = () => {
    const a = server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  };
  log.info(
    { mode: config.mode, role: config.role, port: port() },
    bolt
      ? config.mode === 'socket'
        ? 'Shipmate connected to Slack (Socket Mode); health on /healthz'
        : 'Shipmate listening for Slack on /slack/events'
      : 'Shipmate worker running; health on /healthz',
  );
  return {
    port,
    async close() {
      await bolt?.stop().catch((err: unknown) => log.warn({ err }, 'bolt stop failed'));
      // Bolt's HTTP receiver closes its own server; the bare one is ours to close.
      if (config.mode !== 'http' || !bolt)
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    },
  };
}
