import { createApp, type ShipmateApp } from './app.ts';
import { CLI_USAGE, parseCli } from './cli.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type EmbeddedRedis, embeddedRedisIfNeeded } from './console/embedded-redis.ts';
import { NOTHING_CONFIGURED, nothingConfigured } from './console/first-run.ts';
import type { Demo } from './demo.ts';
import { isAppError } from './errors.ts';

/**
 * Entry: `node src/main.ts [--role web|worker|all] [--demo] [--help]` (npm start runs it through
 * src/start.js, which first checks the Node version). Exit codes: 0 clean stop, 1 cannot start
 * (Redis unreachable, …), 2 bad configuration or command line.
 */
async function main(): Promise<number> {
  const say = (text: string) => void process.stderr.write(`${text}\n`);
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (e) {
    say(`Shipmate cannot start: ${(e as Error).message}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${CLI_USAGE}\n`);
    return 0;
  }
  let demo: Demo | undefined;
  let embedded: EmbeddedRedis | undefined;
  try {
    let env: NodeJS.ProcessEnv = process.env;
    if (cli.demo) {
      const { prepareDemo } = await import('./demo.ts');
      const d = await prepareDemo(process.env);
      cleanups.push(() => d.close(embedded?.url ?? d.env.REDIS_URL ?? 'redis://127.0.0.1:6379'));
      demo = d;
      env = d.env;
    }
    let config: Config;
    try {
      config = loadConfig(env, cli.role ? ['--role', cli.role] : []);
    } catch (e) {
      if (e instanceof ConfigError) {
        say(`Shipmate cannot start: ${e.message}`);
        return 2;
      }
      throw e;
    }
    if (config.mode === 'console' && cli.role)
      say(`--role ${cli.role} applies to Slack mode only; the console runs everything in this one process.`);
    if (config.mode === 'console' && !env.REDIS_URL) {
      const r = await embeddedRedisIfNeeded(config.redis.url, process.env.PATH, say);
      if (r) {
        embedded = r;
        cleanups.push(() => r.stop());
        config = { ...config, redis: { ...config.redis, url: r.url } };
      }
    }
    const interactive = process.stdin.isTTY === true;
    if (demo) process.stdout.write(`${demo.banner}\n`);
    else if (
      interactive &&
      nothingConfigured(config, { home: env.HOME, inCluster: !!env.KUBERNETES_SERVICE_HOST })
    )
      process.stdout.write(`${NOTHING_CONFIGURED}\n\n`);
    return await run(config);
  } catch (e) {
    // Problems only the assembled features can see (a digest naming a section nobody brings).
    if (e instanceof ConfigError) {
      process.stderr.write(`Shipmate cannot start: ${e.message}\n`);
      return 2;
    }
    if (isAppError(e)) {
      say(`Shipmate cannot start: ${e.userMessage}`);
      return 1;
    }
    throw e;
  } finally {
    await cleanUp();
  }
}

/** What to undo before exiting (the demo's world and keys, a private Redis), also on a signal. */
const cleanups: Array<() => Promise<void>> = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

async function run(config: Config): Promise<number> {
  const app: ShipmateApp = await createApp(config);
  let stopping: Promise<void> | undefined;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write('Stopping now, without waiting.\n');
      process.exit(130);
    }
    app.log.info({ signal }, 'signal received');
    stopping = app.stop();
    const active = await app.jobs.queue.getActiveCount().catch(() => 0);
    if (active > 0) {
      process.stderr.write(
        `Stopping: waiting for ${active} running job${active === 1 ? '' : 's'} to finish (at most ${Math.round(config.worker.jobTimeoutMs / 1000)} s); press Ctrl-C again to stop now.\n`,
      );
    }
    stopping.then(
      () => cleanUp().then(() => process.exit(0)),
      (err: unknown) => {
        app.log.error({ err }, 'stop failed');
        void cleanUp().then(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await app.start();
  } catch (e) {
    // An expected condition (Slack refused the token, …) is one line for the person, no stack.
    if (isAppError(e) && e.code !== 'internal') app.log.info({ code: e.code }, 'start failed');
    else app.log.error({ err: e }, 'start failed');
    process.stderr.write(`Shipmate cannot start: ${isAppError(e) ? e.userMessage : (e as Error).message}\n`);
    await app.stop().catch(() => undefined);
    return 1;
  }
  if (config.mode === 'console') {
    await app.stop();
    return 0;
  }
  // Servers keep the process alive until a signal.
  return new Promise<number>(() => undefined);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Shipmate crashed: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
