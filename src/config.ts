import { z } from 'zod';
import { redact } from '../tools/shared/redact.ts';
import { ConfigError } from './config-error.ts';
import { loadTeamConfig, type TeamConfig, teamConfigSchema } from './team-config.ts';

export { ConfigError } from './config-error.ts';

/**
 * The only reader of the environment. Everything the process needs from outside is validated here at
 * start-up into a frozen Config; a bad value fails with one line per problem naming the variable and
 * the expected form, never echoing a secret's value.
 */

const SECRET_VARS = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'OPENAI_API_KEY',
  'METRICS_TOKEN',
  'ADMIN_TOKEN',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
]);

const url = (example: string) => z.url({ error: `must be a URL, e.g. ${example}` });

const positiveInt = (example: number) =>
  z.coerce
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int(`must be a whole number, e.g. ${example}`)
    .positive(`must be positive, e.g. ${example}`);

/**
 * Each variable: its schema and a one-line description. README.md's configuration table lists exactly
 * these (a unit test checks it), so document a new variable here and there together.
 */
export const ENV = {
  SLACK_BOT_TOKEN: {
    schema: z
      .string()
      .regex(/^xoxb-/, 'must be a bot token starting with xoxb-')
      .optional(),
    doc: 'Bot token (`xoxb-…`). Unset: console mode.',
  },
  SLACK_SIGNING_SECRET: {
    schema: z
      .string()
      .min(
        8,
        "must be the app's signing secret, at least 8 characters (Slack shows 32; Basic Information → App Credentials)",
      )
      .optional(),
    doc: 'Verifies requests from Slack. Required in HTTP mode (`SLACK_BOT_TOKEN` without `SLACK_APP_TOKEN`).',
  },
  SLACK_APP_TOKEN: {
    schema: z
      .string()
      .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
      .optional(),
    doc: 'App-level token (`xapp-…`, scope `connections:write`). Set: Socket Mode instead of HTTP.',
  },
  SLACK_API_URL: {
    schema: url('https://slack.com/api/').optional(),
    doc: 'Slack Web API base URL (GovSlack, proxies, tests). Default `https://slack.com/api/`.',
  },
  PORT: {
    schema: z.coerce
      .number({ error: 'must be a port number, e.g. 3000' })
      .int()
      .min(0, 'must be 0-65535')
      .max(65535, 'must be 0-65535')
      .default(3000),
    doc: 'HTTP port for `/slack/events`, `/healthz`, `/readyz`, `/metrics`. Default `3000`.',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
    doc: 'Set: `GET /metrics` requires `Authorization: Bearer <token>` (Prometheus `authorization.credentials`). Unset: open.',
  },
  ADMIN_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
    doc: 'Set: the web role serves the queue dashboard at `/admin/queues`, behind HTTP basic auth with this as the password (any user name). Unset: no dashboard (404).',
  },
  ADMIN_WRITE: {
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    doc: '`true`: the dashboard may retry, promote, clean and remove jobs. Default `false` (read-only).',
  },
  REDIS_URL: {
    schema: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
      .default('redis://127.0.0.1:6379'),
    doc: 'Redis ≥ 6.2 for jobs, dedupe and locks. Default `redis://127.0.0.1:6379`.',
  },
  SHIPMATE_QUEUE_PREFIX: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, _ . -')
      .default('shipmate'),
    doc: 'Prefix of every Redis key, so several installations can share one Redis. Default `shipmate`.',
  },
  SHIPMATE_ROLE: {
    schema: z.enum(['all', 'web', 'worker'], { error: 'must be one of all, web, worker' }).default('all'),
    doc: '`web` (Slack and HTTP), `worker` (jobs and schedules) or `all`. `--role` overrides. Default `all`.',
  },
  SHIPMATE_CONFIG: {
    schema: z.string().min(1).default('./shipmate.yml'),
    doc: "The team's YAML file: services, permissions, CI channels, digests. Optional. Default `./shipmate.yml`.",
  },
  SHIPMATE_CONSOLE_USER: {
    schema: z
      .string()
      .regex(/^[UW][A-Z0-9]+$/, 'must be a Slack-style user id, e.g. U9ADMIN')
      .default('UCONSOLE'),
    doc: 'Who you are in console mode (a Slack user id from the config file). Default `UCONSOLE`.',
  },
  WORKER_CONCURRENCY: {
    schema: positiveInt(4).default(4),
    doc: 'Jobs a worker process runs at once. Default `4`.',
  },
  JOB_LOCK_SECONDS: {
    schema: positiveInt(30).default(30),
    doc: "A worker renews its hold on a running job this often; a dead worker's job is taken over after about this long. Default `30`.",
  },
  JOB_TIMEOUT_SECONDS: {
    schema: positiveInt(600).default(600),
    doc: 'A job still running after this many seconds is cancelled. Default `600`.',
  },
  KUBECONFIG: {
    schema: z.string().min(1).optional(),
    doc: "Kubeconfig file(s), `:`-separated; every context can be named with `--cluster`. Default `~/.kube/config`, or the pod's service account in a cluster.",
  },
  KUBE_REQUEST_TIMEOUT_SECONDS: {
    schema: positiveInt(20).default(20),
    doc: 'Time limit of one Kubernetes API request. Default `20`.',
  },
  GITHUB_TOKEN: {
    schema: z.string().min(1).optional(),
    doc: 'GitHub token with `actions:read` (and `actions:write` to re-run jobs). Or use a GitHub App.',
  },
  GITHUB_APP_ID: {
    schema: z.string().regex(/^\d+$/, 'must be the numeric App ID').optional(),
    doc: 'GitHub App id; with `GITHUB_APP_PRIVATE_KEY` used instead of `GITHUB_TOKEN` (installation found per repository).',
  },
  GITHUB_APP_PRIVATE_KEY: {
    schema: z
      .string()
      .transform((v) => v.replace(/\\n/g, '\n'))
      .refine(
        (v) => v.includes('PRIVATE KEY-----'),
        "must be the App's PEM private key (\\n escapes allowed)",
      )
      .optional(),
    doc: "The GitHub App's private key (PEM; `\\n` escapes allowed).",
  },
  GITHUB_API_URL: {
    schema: url('https://api.github.com').optional(),
    doc: 'GitHub REST API root; `https://HOST/api/v3` for GitHub Enterprise Server. Default `https://api.github.com`.',
  },
  GITHUB_WEBHOOK_SECRET: {
    schema: z.string().min(8, 'must be at least 8 characters').optional(),
    doc: "Verifies `POST /github/webhook` (workflow_run events): automatic triage, and a drafted tests PR's CI reported as soon as it completes. Unset: the webhook is off (tests PRs are polled).",
  },
  APPROVAL_TTL_MINUTES: {
    schema: positiveInt(30).default(30),
    doc: 'A deploy or rollback request not approved within this many minutes expires. Default `30`.',
  },
  ROLLOUT_TIMEOUT_MINUTES: {
    schema: positiveInt(15).default(15),
    doc: "A rollout still not complete after this many minutes is reported failed (besides the Deployment's own progress deadline). Default `15`.",
  },
  AUDIT_RETENTION_DAYS: {
    schema: positiveInt(90).default(90),
    doc: 'How long the audit log (a Redis stream) keeps entries. Default `90`.',
  },
  TESTS_PROMPT_TOKENS: {
    schema: positiveInt(12000).default(12000),
    doc: 'Most tokens (about 4 characters each) of what drafting tests sends the model per file: long files are cut to their exported declarations. Default `12000`.',
  },
  TESTS_MAX_ATTEMPTS: {
    schema: positiveInt(2).default(2),
    doc: 'Commits a drafted tests PR gets in all: when its CI fails in the drafted file, the model revises it and Shipmate pushes again, up to this many rounds. Default `2`.',
  },
  LOG_DOWNLOAD_MAX_MB: {
    schema: positiveInt(300).default(300),
    doc: 'Largest log `/ops triage <url>` and the Triage this log shortcut download, in MB (counted as it streams, too). Default `300`.',
  },
  LOG_DOWNLOAD_TIMEOUT_SECONDS: {
    schema: positiveInt(60).default(60),
    doc: 'Time limit of downloading one such log, redirects included. Default `60`.',
  },
  DIGEST_GRACE_MINUTES: {
    schema: positiveInt(60).default(60),
    doc: 'A scheduled digest that fell due while no worker ran is posted (labelled late) if a worker takes it within this many minutes; later ones are skipped and logged. Default `60`.',
  },
  OPENAI_API_KEY: {
    schema: z.string().min(1).optional(),
    doc: 'Key for the LLM endpoint. With it (or `OPENAI_BASE_URL`) mentions are answered by the agent; without, by a command guide.',
  },
  OPENAI_BASE_URL: {
    schema: url('https://api.openai.com/v1').optional(),
    doc: 'Any OpenAI-compatible endpoint: Azure OpenAI, vLLM, Ollama (`http://127.0.0.1:11434/v1`), LiteLLM. Default OpenAI.',
  },
  OPENAI_MODEL: {
    schema: z.string().min(1).default('gpt-4.1-mini'),
    doc: 'Chat model with tool calling. Default `gpt-4.1-mini`.',
  },
  OPENAI_TIMEOUT_SECONDS: {
    schema: positiveInt(60).default(60),
    doc: 'Time limit of one model request. Default `60`.',
  },
  AGENT_TIMEOUT_SECONDS: {
    schema: positiveInt(120).default(120),
    doc: 'Time limit of one answer (all model and tool calls); past it the user gets what was found so far. Default `120`.',
  },
  AGENT_TURNS_PER_MINUTE: {
    schema: positiveInt(6).default(6),
    doc: 'Questions one person may ask the agent per minute. Default `6`.',
  },
  LOG_LEVEL: {
    schema: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    doc: 'pino log level. Logs go to stdout, or stderr in console mode. Default `info`.',
  },
} as const;

export type EnvName = keyof typeof ENV;

export type Role = 'all' | 'web' | 'worker';
export type Mode = 'http' | 'socket' | 'console';

export interface Config {
  mode: Mode;
  role: Role;
  port: number;
  /** Bearer token `/metrics` requires (METRICS_TOKEN); absent: open. */
  metricsToken?: string;
  /** The queue dashboard (`/admin/queues`, web role): off without a token; read-only unless `write`. */
  admin: { token?: string; write: boolean };
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  redis: { url: string; prefix: string };
  consoleUser: string;
  worker: { concurrency: number; jobTimeoutMs: number; lockMs: number };
  logLevel: string;
  kube: { kubeconfigPath?: string; requestTimeoutMs: number };
  deploy: { approvalTtlMs: number; rolloutTimeoutMs: number; auditRetentionMs: number };
  /** graceMs: DIGEST_GRACE_MINUTES; lateAfterMs: a run taken later than this after it was due says so (2 min). */
  digests: { graceMs: number; lateAfterMs: number };
  /**
   * Drafting tests; the watch timing is fixed but tests change it: first poll 20 s, doubling to 2 min,
   * 45 min limit — with GITHUB_WEBHOOK_SECRET set, `workflow_run` deliveries wake the watch and the
   * polls are only the fallback for a lost one: first after 1 min, doubling to 10 min.
   */
  tests: { promptTokens: number; maxRounds: number; firstPollMs: number; maxPollMs: number; limitMs: number };
  github: { token?: string; appId?: string; privateKey?: string; apiUrl?: string; webhookSecret?: string };
  /** Downloading a log by URL or from a Slack file: LOG_DOWNLOAD_MAX_MB, LOG_DOWNLOAD_TIMEOUT_SECONDS. */
  logDownload: { maxBytes: number; timeoutMs: number };
  /** The agent's model; absent without OPENAI_API_KEY or OPENAI_BASE_URL (mentions get a command guide). */
  llm?: {
    apiKey?: string;
    baseUrl?: string;
    model: string;
    requestTimeoutMs: number;
    turnTimeoutMs: number;
    turnsPerMinute: number;
  };
  teamConfigPath: string;
  /** Whether the team file existed; without it the bot runs with no catalog. */
  teamConfigFound: boolean;
  team: TeamConfig;
}

/**
 * Validates `env` (normally `process.env`) and the team file into a frozen Config.
 * `argv` may carry `--role <role>`, which overrides SHIPMATE_ROLE.
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(ENV)) {
    const raw = env[name] === '' ? undefined : env[name];
    const r = (spec.schema as z.ZodType).safeParse(raw);
    if (r.success) values[name] = r.data;
    else {
      const msg = r.error.issues[0]?.message ?? 'invalid';
      // Values are shown to help fix them, with any credentials inside (user:password@ in URLs) removed.
      const shown = SECRET_VARS.has(name) || raw === undefined ? '' : ` (got "${redact(raw)}")`;
      problems.push(`${name}: ${msg}${shown}`);
    }
  }

  const roleFlag = argv.indexOf('--role');
  if (roleFlag >= 0) {
    const r = argv[roleFlag + 1];
    if (r === 'all' || r === 'web' || r === 'worker') values.SHIPMATE_ROLE = r;
    else problems.push(`--role: must be one of all, web, worker${r ? ` (got "${r}")` : ''}`);
  }

  const botToken = values.SLACK_BOT_TOKEN as string | undefined;
  // Only when it is unset: a value that failed its own check above is already reported.
  if (botToken && !env.SLACK_SIGNING_SECRET && !values.SLACK_APP_TOKEN) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN set, no SLACK_APP_TOKEN)');
  }
  if (values.GITHUB_APP_ID && !values.GITHUB_APP_PRIVATE_KEY) {
    problems.push('GITHUB_APP_PRIVATE_KEY: required with GITHUB_APP_ID');
  }
  if (!botToken && values.SLACK_APP_TOKEN) {
    problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set (Socket Mode needs both)');
  }

  let team: TeamConfig = teamConfigSchema.parse({});
  let found = false;
  const teamPath = (values.SHIPMATE_CONFIG as string | undefined) ?? './shipmate.yml';
  try {
    ({ team, found } = loadTeamConfig(
      teamPath,
      env.SHIPMATE_CONFIG !== undefined && env.SHIPMATE_CONFIG !== '',
    ));
  } catch (e) {
    if (e instanceof ConfigError) problems.push(...e.problems);
    else throw e;
  }

  if (problems.length) throw new ConfigError(problems);

  const mode: Mode = !botToken ? 'console' : values.SLACK_APP_TOKEN ? 'socket' : 'http';
  const apiUrl = values.SLACK_API_URL as string | undefined;
  const config: Config = {
    mode,
    // Console mode is a single process: it must run the jobs it queues.
    role: mode === 'console' ? 'all' : (values.SHIPMATE_ROLE as Role),
    port: values.PORT as number,
    metricsToken: values.METRICS_TOKEN as string | undefined,
    admin: { token: values.ADMIN_TOKEN as string | undefined, write: values.ADMIN_WRITE === 'true' },
    slack: {
      botToken,
      signingSecret: values.SLACK_SIGNING_SECRET as string | undefined,
      appToken: values.SLACK_APP_TOKEN as string | undefined,
      apiUrl: apiUrl && !apiUrl.endsWith('/') ? `${apiUrl}/` : apiUrl,
    },
    redis: { url: values.REDIS_URL as string, prefix: values.SHIPMATE_QUEUE_PREFIX as string },
    consoleUser: values.SHIPMATE_CONSOLE_USER as string,
    worker: {
      concurrency: values.WORKER_CONCURRENCY as number,
      jobTimeoutMs: (values.JOB_TIMEOUT_SECONDS as number) * 1000,
      lockMs: (values.JOB_LOCK_SECONDS as number) * 1000,
    },
    logLevel: values.LOG_LEVEL as string,
    kube: {
      kubeconfigPath: values.KUBECONFIG as string | undefined,
      requestTimeoutMs: (values.KUBE_REQUEST_TIMEOUT_SECONDS as number) * 1000,
    },
    deploy: {
      approvalTtlMs: (values.APPROVAL_TTL_MINUTES as number) * 60_000,
      rolloutTimeoutMs: (values.ROLLOUT_TIMEOUT_MINUTES as number) * 60_000,
      auditRetentionMs: (values.AUDIT_RETENTION_DAYS as number) * 86_400_000,
    },
    tests: {
      promptTokens: values.TESTS_PROMPT_TOKENS as number,
      maxRounds: values.TESTS_MAX_ATTEMPTS as number,
      firstPollMs: values.GITHUB_WEBHOOK_SECRET ? 60_000 : 20_000,
      maxPollMs: values.GITHUB_WEBHOOK_SECRET ? 10 * 60_000 : 120_000,
      limitMs: 45 * 60_000,
    },
    digests: { graceMs: (values.DIGEST_GRACE_MINUTES as number) * 60_000, lateAfterMs: 2 * 60_000 },
    github: {
      token: values.GITHUB_TOKEN as string | undefined,
      appId: values.GITHUB_APP_ID as string | undefined,
      privateKey: values.GITHUB_APP_PRIVATE_KEY as string | undefined,
      apiUrl: values.GITHUB_API_URL as string | undefined,
      webhookSecret: values.GITHUB_WEBHOOK_SECRET as string | undefined,
    },
    logDownload: {
      maxBytes: (values.LOG_DOWNLOAD_MAX_MB as number) * 1048576,
      timeoutMs: (values.LOG_DOWNLOAD_TIMEOUT_SECONDS as number) * 1000,
    },
    llm:
      values.OPENAI_API_KEY || values.OPENAI_BASE_URL
        ? {
            apiKey: values.OPENAI_API_KEY as string | undefined,
            baseUrl: values.OPENAI_BASE_URL as string | undefined,
            model: values.OPENAI_MODEL as string,
            requestTimeoutMs: (values.OPENAI_TIMEOUT_SECONDS as number) * 1000,
            turnTimeoutMs: (values.AGENT_TIMEOUT_SECONDS as number) * 1000,
            turnsPerMinute: values.AGENT_TURNS_PER_MINUTE as number,
          }
        : undefined,
    teamConfigPath: teamPath,
    teamConfigFound: found,
    team,
  };
  return Object.freeze(config);
}
