import { randomBytes } from 'node:crypto';
import { connectRedis } from './clients/redis.ts';
import { AppError } from './errors.ts';

/**
 * `npm run demo` (`npm start -- --demo`): the console against the sample world (sandbox/), a
 * cluster, a GitHub and a scripted model on 127.0.0.1. The sandbox is loaded only here and only
 * when asked for, so no other start ever loads it (test/unit/architecture.test.ts checks it), and an
 * installation without it (the container image) says so instead of failing.
 */
export interface Demo {
  /** The whole environment of the demo: the sample world's endpoints, plus Redis and the log level from `env`. */
  env: Record<string, string>;
  banner: string;
  /** Stops the sample world and removes what the demo stored in Redis (its own key prefix). */
  close(redisUrl: string): Promise<void>;
}

export async function prepareDemo(env: NodeJS.ProcessEnv): Promise<Demo> {
  let world: typeof import('../sandbox/sample-world.ts');
  try {
    world = await import('../sandbox/sample-world.ts');
  } catch (cause) {
    throw new AppError({
      code: 'no_sample_world',
      userMessage:
        'The sample world (the sandbox/ folder) is not part of this installation; run the demo from a clone of the repository (`npm ci && npm run demo`).',
      cause,
    });
  }
  const running = await world.startSampleWorld();
  // A prefix of its own: the demo's requests and audit entries never mix with a team's, and go at exit.
  const prefix = `shipmate-demo-${randomBytes(4).toString('hex')}`;
  const keep = (name: string) => (env[name] ? { [name]: env[name] as string } : {});
  return {
    env: {
      ...keep('REDIS_URL'),
      ...keep('HOME'),
      LOG_LEVEL: env.LOG_LEVEL || 'warn',
      SHIPMATE_QUEUE_PREFIX: prefix,
      ...running.env,
    },
    banner: banner(world),
    async close(redisUrl) {
      await running.close();
      const redis = await connectRedis(redisUrl, { timeoutMs: 1000 }).catch(() => undefined);
      if (!redis) return;
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

function banner(w: typeof import('../sandbox/sample-world.ts')): string {
  const width = Math.max(...w.SAMPLE_COMMANDS.map((c) => c.line.length)) + 2;
  return [
    'Shipmate demo: a SAMPLE world, not your systems. A Kubernetes cluster, a GitHub and a scripted',
    'model run on 127.0.0.1 for this session only; nothing leaves this machine and nothing is kept.',
    `You are ${w.SAMPLE_USER}, a deployer of checkout and cart; ${w.SAMPLE_APPROVER} approves prod ("/as ${w.SAMPLE_APPROVER} …" acts as him).`,
    '',
    'Try these, in order:',
    ...w.SAMPLE_COMMANDS.map((c) => `  \`${c.line}\`${' '.repeat(width - c.line.length)}${c.what}`),
    `Or ask in your own words, as you would mention @shipmate in Slack: ${w.SAMPLE_QUESTION}`,
    '',
    'Real systems: set KUBECONFIG, GITHUB_TOKEN, OPENAI_API_KEY and a team file (copy shipmate.example.yml',
    'to shipmate.yml), then `npm start`; add SLACK_BOT_TOKEN to run in Slack (README: "Connect it to Slack").',
    'Type /ops help for every command; Ctrl-D to quit.',
    '',
  ].join('\n');
}
