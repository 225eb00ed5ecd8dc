import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Shipmate's Prometheus metrics: one registry per app (tests run several apps in one process), the
 * Node process defaults, and a small API the choke points call — the Slack receiver, the job
 * worker, the clients, the LLM model, the audit log, digests. Every label value is bounded: kinds
 * and outcomes from fixed sets, operations from the code's own call sites (a Kubernetes verb, a
 * GitHub route template, a Slack method), digest ids from the team file; never user text, ids or
 * repository names. Anything outside a fixed set is counted as `other`.
 */
export type SlackRequestKind = 'command' | 'event' | 'action' | 'options' | 'view' | 'shortcut' | 'other';
export type JobOutcome =
  | 'completed'
  | 'failed'
  | 'retried'
  | 'cancelled'
  | 'timeout'
  | 'delayed'
  | 'shutdown';
export type ExternalService = 'kubernetes' | 'github' | 'slack' | 'llm';
export type ApprovalOutcome = 'approved' | 'rejected' | 'expired';
export type DeployOutcome = 'succeeded' | 'failed';
export type DigestOutcome = 'posted' | 'failed';

/** BullMQ job states whose counts `shipmate_queue_jobs` reports at each scrape. */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface Metrics {
  /** The registry `/metrics` serializes. */
  readonly registry: Registry;
  /** One request from Slack, and (when it was acked) the seconds from its arrival to the ack. */
  slackRequest(kind: SlackRequestKind, ackSeconds?: number): void;
  /**
   * A job attempt ended: how it ended, how long it ran, how long it waited in the queue first.
   * `kind` is a job spec's name (the worker passes `other` for a kind it has no handler for).
   */
  job(kind: string, outcome: JobOutcome, seconds: number, waitSeconds?: number): void;
  /** One call to Kubernetes, GitHub, Slack's Web API or the LLM; `operation` comes from the code, never from input. */
  externalCall(service: ExternalService, operation: string, ok: boolean, seconds: number): void;
  /** Tokens one model call used, as the server reported them. */
  llmTokens(model: string, prompt: number, completion: number): void;
  approval(outcome: ApprovalOutcome): void;
  deploy(kind: 'deploy' | 'rollback', outcome: DeployOutcome): void;
  /** A digest run posted, or failed to post. `digestId` is the team file's `digests[].id`. */
  digest(digestId: string, outcome: DigestOutcome): void;
  /** Queue depth at scrape time comes from `counts` (BullMQ's getJobCounts). */
  watchQueue(counts: (...states: QueueState[]) => Promise<Record<string, number>>): void;
}

export interface MetricsOptions {
  /** Digest ids (the team file's) that may appear as labels; others become `other`. */
  digestIds?: readonly string[];
  /** Model names that may appear as labels (the configured OPENAI_MODEL). */
  models?: readonly string[];
  /** Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const JOB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SLACK_KINDS = new Set<string>(['command', 'event', 'action', 'options', 'view', 'shortcut']);
const JOB_OUTCOMES = new Set<string>([
  'completed',
  'failed',
  'retried',
  'cancelled',
  'timeout',
  'delayed',
  'shutdown',
]);
/** Operation labels: short code identifiers and route templates; anything else is `other`. */
const OPERATION = /^[A-Za-z0-9_.:/{} -]{1,80}$/;

const bounded = (value: string, allowed: ReadonlySet<string>) => (allowed.has(value) ? value : 'other');

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const digestIds = new Set(opts.digestIds ?? []);
  const models = new Set(opts.models ?? []);

  const slackRequests = new Counter({
    name: 'shipmate_slack_requests_total',
    help: 'Requests from Slack (commands, events, button clicks, …) by kind.',
    labelNames: ['kind'],
    registers,
  });
  const slackAck = new Histogram({
    name: 'shipmate_slack_ack_seconds',
    help: 'Seconds from a Slack request’s arrival to its ack (Slack gives up after 3).',
    labelNames: ['kind'],
    buckets: ACK_BUCKETS,
    registers,
  });
  const jobs = new Counter({
    name: 'shipmate_jobs_total',
    help: 'Job attempts by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const jobSeconds = new Histogram({
    name: 'shipmate_job_duration_seconds',
    help: 'Seconds a job attempt ran, by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    buckets: JOB_BUCKETS,
    registers,
  });
  const jobWait = new Histogram({
    name: 'shipmate_job_wait_seconds',
    help: 'Seconds a job waited in the queue before a worker took it, by kind.',
    labelNames: ['kind'],
    buckets: JOB_BUCKETS,
    registers,
  });
  const calls = new Histogram({
    name: 'shipmate_external_call_seconds',
    help: 'Calls to Kubernetes, GitHub, Slack and the LLM by service, operation and outcome (ok or error), with latency.',
    labelNames: ['service', 'operation', 'outcome'],
    buckets: CALL_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'shipmate_llm_tokens_total',
    help: 'LLM tokens by model and kind (prompt or completion), as the server reported them.',
    labelNames: ['model', 'kind'],
    registers,
  });
  const approvals = new Counter({
    name: 'shipmate_approvals_total',
    help: 'Deploy and rollback requests decided, by outcome (approved, rejected, expired).',
    labelNames: ['outcome'],
    registers,
  });
  const deploys = new Counter({
    name: 'shipmate_deploys_total',
    help: 'Deploys and rollbacks that ran to the end, by kind and outcome (succeeded, failed).',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const digests = new Counter({
    name: 'shipmate_digests_total',
    help: 'Digest runs by digest id (from the team file) and outcome (posted, failed).',
    labelNames: ['digest', 'outcome'],
    registers,
  });
  let counts: ((...states: QueueState[]) => Promise<Record<string, number>>) | undefined;
  new Gauge({
    name: 'shipmate_queue_jobs',
    help: 'Jobs in the queue by state, read from Redis at scrape time.',
    labelNames: ['state'],
    registers,
    async collect() {
      if (!counts) return;
      const c = await counts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) this.set({ state }, c[state] ?? 0);
    },
  });

  return {
    registry,
    slackRequest(kind, ackSeconds) {
      const k = bounded(kind, SLACK_KINDS);
      slackRequests.inc({ kind: k });
      if (ackSeconds !== undefined) slackAck.observe({ kind: k }, ackSeconds);
    },
    job(kind, outcome, seconds, waitSeconds) {
      const labels = { kind: OPERATION.test(kind) ? kind : 'other', outcome: bounded(outcome, JOB_OUTCOMES) };
      jobs.inc(labels);
      jobSeconds.observe(labels, seconds);
      if (waitSeconds !== undefined && waitSeconds >= 0) jobWait.observe({ kind: labels.kind }, waitSeconds);
    },
    externalCall(service, operation, ok, seconds) {
      calls.observe(
        { service, operation: OPERATION.test(operation) ? operation : 'other', outcome: ok ? 'ok' : 'error' },
        seconds,
      );
    },
    llmTokens(model, prompt, completion) {
      const m = bounded(model, models);
      if (prompt > 0) tokens.inc({ model: m, kind: 'prompt' }, prompt);
      if (completion > 0) tokens.inc({ model: m, kind: 'completion' }, completion);
    },
    approval(outcome) {
      approvals.inc({ outcome });
    },
    deploy(kind, outcome) {
      deploys.inc({ kind, outcome });
    },
    digest(digestId, outcome) {
      digests.inc({ digest: bounded(digestId, digestIds), outcome });
    },
    watchQueue(fn) {
      counts = fn;
    },
  };
}

/** Seconds since a `performance.now()` reading. */
export const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;
