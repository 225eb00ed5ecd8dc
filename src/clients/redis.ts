import { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

/** Hides the password of a Redis URL for messages. */
export function displayRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Connects to Redis and proves it answers, failing in `timeoutMs` with a message that names the URL
 * and how to start a server — instead of ioredis' default of reconnecting forever.
 * The client fails commands fast while Redis is away (for request paths and BullMQ producers) and,
 * once connected, reconnects on its own with backoff.
 */
export async function connectRedis(
  url: string,
  opts: { timeoutMs?: number; name?: string } = {},
): Promise<Redis> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  let connectedOnce = false;
  const client = new Redis(url, {
    lazyConnect: true,
    // Fail fast while disconnected, so a person hears "Redis is not answering" instead of waiting;
    // workers use workerConnection() below, which waits for Redis as BullMQ requires.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectionName: opts.name ?? 'shipmate',
    connectTimeout: timeoutMs,
    retryStrategy: (times) => (connectedOnce ? Math.min(times * 200, 5000) : null),
  });
  client.on('error', () => {
    // Reported by the caller (start-up) or by /readyz; ioredis would otherwise print to stderr.
  });
  const fail = (cause: unknown) =>
    new AppError({
      code: 'redis_unreachable',
      userMessage:
        `Cannot reach Redis at ${displayRedisUrl(url)} (${(cause as Error)?.message ?? cause}). ` +
        'Start one with `redis-server --daemonize yes` (Debian: apt-get install redis-server; ' +
        'Docker: docker run -d -p 6379:6379 redis:7), or set REDIS_URL to where yours runs.',
      cause,
    });
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    await client.ping();
    connectedOnce = true;
  } catch (e) {
    client.disconnect();
    throw fail(e);
  }
  const info = await client.info('server');
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
    client.disconnect();
    throw new AppError({
      code: 'redis_too_old',
      userMessage: `Redis at ${displayRedisUrl(url)} is ${version[1]}.${version[2]}; Shipmate needs Redis ≥ 6.2.`,
    });
  }
  return client;
}

/** A connection for BullMQ workers and subscribers: blocking commands wait through reconnects. */
export function workerConnection(client: Redis): Redis {
  return client.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
}
