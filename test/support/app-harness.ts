import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { type AppOptions, createApp, type ShipmateApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { testTempDir } from './tmp.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';

/** A Redis key prefix unique to one test file's run, removed by `cleanRedis`. */
export function uniquePrefix(name: string): string {
  return `shipmate-test-${name}-${randomBytes(3).toString('hex')}`;
}

/**
 * Deletes every key under `prefix`, and under each console queue started with it
 * (`<prefix>-console-<id>`, see src/app.ts): a console removes its queue when it exits cleanly, but
 * one that is killed leaves it whole (meta, id, events, job hashes — none with a TTL), and even a
 * clean exit leaves its enqueue claims until they expire.
 */
export async function cleanRedis(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    for (const pattern of [`${prefix}:*`, `${prefix}-console-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
}

/** Log lines captured as parsed JSON, to assert what operators see. */
export function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n'))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

/** Writes a team file (YAML text) to a temp dir and returns its path. */
export function teamFile(yaml: string): string {
  const dir = testTempDir('shipmate-team-');
  const path = join(dir, 'shipmate.yml');
  writeFileSync(path, yaml);
  return path;
}

/**
 * The environment that points the app at the loopback fakes it is given: Slack (HTTP mode, signed
 * with SIGNING_SECRET), GitHub (a token) and the OpenAI-compatible model — each only when passed.
 */
export function fakesEnv(f: {
  slack?: { apiUrl: string };
  github?: { url: string };
  llm?: { baseUrl: string };
}): Record<string, string> {
  return {
    ...(f.slack
      ? { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: f.slack.apiUrl }
      : {}),
    ...(f.github
      ? { GITHUB_TOKEN: 'ghp_fakeTestToken000000000000000000000000', GITHUB_API_URL: f.github.url }
      : {}),
    ...(f.llm
      ? {
          OPENAI_API_KEY: 'sk-test-key-for-the-fake-server',
          OPENAI_BASE_URL: f.llm.baseUrl,
          OPENAI_MODEL: 'gpt-test',
        }
      : {}),
  };
}

/** Builds and starts the whole app from an environment map, as main.ts would. */
export async function startApp(
  env: Record<string, string>,
  opts: AppOptions = {},
): Promise<ShipmateApp & { baseUrl: string }> {
  const config = loadConfig({ REDIS_URL, PORT: '0', SHIPMATE_CONFIG: teamFile('{}\n'), ...env });
  const app = await createApp(config, {
    log: opts.log ?? pino({ level: 'silent' }),
    progressIntervalMs: 50,
    ...opts,
  });
  await app.start();
  return Object.assign(app, { baseUrl: `http://127.0.0.1:${app.port() ?? 0}` });
}
