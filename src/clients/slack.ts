import { App, type CustomRoute, LogLevel } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.ts';
import type { Route } from '../http/health.ts';
import type { Logger } from '../log.ts';
import { type Metrics, secondsSince } from '../metrics/metrics.ts';

/** Bolt and the Web API log through our pino logger, so tokens are redacted there too. */
export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const fmt = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
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
export function createBoltApp(config: Config, log: Logger, routes: readonly Route[]): App {
  // Bolt matches custom routes with path-to-regexp: a prefix route is its path plus a wildcard.
  const customRoutes: CustomRoute[] = routes.flatMap((r) => {
    const { prefix, ...route } = r;
    return prefix ? [route, { ...route, path: `${r.path}/*rest` }] : [route];
  });
  const common = {
    token: config.slack.botToken,
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
  return new App({ ...common, signingSecret: config.slack.signingSecret });
}
