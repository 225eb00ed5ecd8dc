import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { isAppError } from './errors.ts';

/**
 * Entry: `node src/main.ts [--role web|worker|all]`. Exit codes: 0 clean stop, 1 cannot start
 * (Redis unreachable, …), 2 bad configuration.
 */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Shipmate cannot start: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
  } catch (e) {
    // Problems only the assembled features can see (a digest naming a section nobody brings).
    if (e instanceof ConfigError) {
      process.stderr.write(`Shipmate cannot start: ${e.message}\n`);
      return 2;
    }
    if (isAppError(e)) {
      process.stderr.write(`Shipmate cannot start: ${e.userMessage}\n`);
      return 1;
    }
    throw e;
  }
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    app.log.info({ signal }, 'signal received');
    stopping ??= app.stop();
    stopping.then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await app.start();
  } catch (e) {
    app.log.error({ err: e }, 'start failed');
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
