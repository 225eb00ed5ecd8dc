import type { CustomRoute } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import { redact } from '../../tools/shared/redact.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Route } from '../http/health.ts';
import type { Logger } from '../log.ts';
import { type Metrics, secondsSince } from '../metrics/metrics.ts';
import { App, LogLevel } from './bolt.ts';
import { createSlackReceiver } from './slack-receiver.ts';

/**
 * Bolt and the Web API log through our pino logger, and every line goes through the redactor first:
 * at debug the Web API logs whole request bodies and results (`http request result: {…}` holds
 * thread text, which may quote a token), which the logger's key-based redaction cannot see into.
 */
export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const fmt = (msg: unknown[]) =>
    redact(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
  return {
    debug: (...m) => log.debug(fmt(m)),
    info: (...m) => log.info(fmt(m)),
    warn: (...m) => log.warn(fmt(m)),
    error: (...m) => log.error(fmt(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Few quick retries: jobs have their own retries with backoff, and a Slack handler must not hang
 * for the SDK's default of ten retries over half an hour.
 */
const RETRY = { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000 };

/**
 * A WebClient that times every call by method and outcome (retries included). Each Web API method
 * is bound to `apiCall` when the client is built, so the override must be a subclass method.
 */
class MeteredWebClient extends WebClient {
  readonly #metrics: Metrics;
  constructor(token: string | undefined, options: WebClientOptions, metrics: Metrics) {
    super(token, options);
    this.#metrics = metrics;
  }
  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    const t0 = performance.now();
    try {
      const r = await super.apiCall(method, options);
      this.#metrics.externalCall('slack', method, true, secondsSince(t0));
      return r;
    } catch (e) {
      this.#metrics.externalCall('slack', method, false, secondsSince(t0));
      throw e;
    }
  }
}

export interface SlackWebClientOptions {
  /**
   * The caller retries (the messenger, src/slack/slack-retry.ts): no retries here, and a rate limit
   * is an error carrying its wait instead of a pause inside the call. A retried post that had timed
   * out would otherwise appear twice.
   */
  ownRetries?: boolean;
  /** One request's time limit, in ms (default 10 s). */
  timeoutMs?: number;
}

/** The Web API client the messenger and features use; with `metrics`, every call is timed. */
export function createSlackWebClient(
  config: Config,
  log: Logger,
  metrics?: Metrics,
  o: SlackWebClientOptions = {},
): WebClient {
  const options: WebClientOptions = {
    slackApiUrl: config.slack.apiUrl,
    logger: slackLogger(log),
    retryConfig: o.ownRetries ? { retries: 0 } : RETRY,
    rejectRateLimitedCalls: o.ownRetries === true,
    timeout: o.timeoutMs ?? 10_000,
  };
  return metrics
    ? new MeteredWebClient(config.slack.botToken, options, metrics)
    : new WebClient(config.slack.botToken, options);
}

/**
 * The Bolt app: HTTP receiver (`POST /slack/events` plus `routes`) or Socket Mode (the caller serves
 * `routes` itself), depending on the config's mode.
 */
export function createBoltApp(
  config: Config,
  log: Logger,
  routes: readonly Route[],
  identity?: SlackIdentity,
): App {
  // Bolt matches custom routes with path-to-regexp: a prefix route is its path plus a wildcard.
  const customRoutes: CustomRoute[] = routes.flatMap((r) => {
    const { prefix, ...route } = r;
    return prefix ? [route, { ...route, path: `${r.path}/*rest` }] : [route];
  });
  const common = {
    token: config.slack.botToken,
    // verifySlackToken already ran auth.test: Bolt need not call it again (and cannot fail on it later).
    ...(identity?.botId && identity.botUserId
      ? { botId: identity.botId, botUserId: identity.botUserId, tokenVerificationEnabled: false }
      : {}),
    logger: slackLogger(log),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: RETRY, timeout: 10_000 },
    customRoutes,
    ignoreSelf: true,
    // Shipmate keeps no per-conversation state in Bolt; the default store costs ~50 µs a request
    // (it builds an Error for every miss), measured by bench/ack.ts.
    convoStore: false as const,
    // Ack first, then run the handler: every command is answered inside Slack's 3 s.
    processBeforeResponse: false,
  };
  if (config.mode === 'socket') {
    return new App({
      ...common,
      appToken: config.slack.appToken,
      socketMode: true,
      // Health routes are served by our own server in Socket Mode (src/http/health.ts): with no
      // custom routes and no OAuth installer, Bolt opens no HTTP server of its own on PORT.
      customRoutes: [],
      // The Socket Mode client opens its connection through apps.connections.open: same API base URL.
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
  }
  const { customRoutes: _routes, processBeforeResponse: _ack, ...rest } = common;
  const receiver = createSlackReceiver({
    // Required in HTTP mode (config.ts); Bolt refuses an empty one, as App would.
    signingSecret: config.slack.signingSecret ?? '',
    customRoutes,
    logger: rest.logger,
  });
  return new App({ ...rest, receiver });
}

/** Who the bot token belongs to, from `auth.test`. */
export interface SlackIdentity {
  botUserId?: string;
  botId?: string;
}

/** Slack's answers to auth.test that mean the token itself was refused. */
const REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/**
 * Calls Slack's `auth.test` once at start (a couple of quick retries, 5 s each), so nothing says
 * ready before Slack answered and accepted the token. Throws AppError `slack_auth_failed` whose
 * message is one line naming auth.test, the URL and the cause.
 */
export async function verifySlackToken(config: Config, log: Logger): Promise<SlackIdentity> {
  const url = config.slack.apiUrl ?? 'https://slack.com/api/';
  const web = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logger: slackLogger(log),
    retryConfig: { retries: 2, factor: 1, minTimeout: 200, maxTimeout: 500 },
    timeout: 5000,
  });
  try {
    const r = await web.auth.test();
    return { botUserId: r.user_id, botId: r.bot_id };
  } catch (e) {
    const err = e as {
      data?: { error?: string };
      original?: { message?: string; code?: string; cause?: { code?: string; message?: string } };
      message?: string;
    };
    const slackError = err.data?.error;
    // web-api wraps fetch's TypeError ("fetch failed"), whose cause holds the network code.
    const o = err.original;
    const cause =
      slackError ?? o?.cause?.code ?? o?.code ?? o?.cause?.message ?? o?.message ?? err.message ?? String(e);
    const hint =
      slackError && REFUSED.has(slackError)
        ? 'SLACK_BOT_TOKEN was refused: use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.'
        : slackError
          ? 'Slack refused the token; check SLACK_BOT_TOKEN.'
          : 'Slack did not answer; check the network, a proxy, or SLACK_API_URL.';
    throw new AppError({
      code: 'slack_auth_failed',
      userMessage: `Slack's auth.test at ${url} failed (${cause}). ${hint}`,
      cause: e,
    });
  }
}
