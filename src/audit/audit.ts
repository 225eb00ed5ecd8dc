import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';

export type AuditType =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'rerun';

/** One thing that was done: who, when, what, and the trace id that ties it to the logs. */
export interface AuditEntry {
  type: AuditType;
  /** Slack user id of who did it (the requester, approver, …). */
  actor: string;
  service?: string;
  environment?: string;
  requestId?: string;
  /** deploy | rollback | rerun */
  kind?: string;
  /** Human-readable: "registry/checkout:1.4.2 → 1.5.0". */
  detail?: string;
  traceId: string;
}

export interface StoredAuditEntry extends AuditEntry {
  id: string;
  at: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first; at most `limit` entries matching the filter among the last `scan` written. */
  recent(
    filter?: { service?: string; environment?: string; types?: readonly AuditType[] },
    limit?: number,
  ): Promise<StoredAuditEntry[]>;
}

/**
 * The append-only record of what Shipmate did, in a Redis stream trimmed by age (`retentionMs`), and
 * mirrored to the structured log. Stream ids are times, so entries are ordered and dated by Redis.
 */
export function createAuditLog(o: {
  redis: Redis;
  prefix: string;
  retentionMs: number;
  log: Logger;
  /** Every approval decision and every finished deploy or rollback passes through here: counted once. */
  metrics?: Metrics;
  /** Called after each entry is stored (the App Home refreshes the people a request concerns). */
  onRecord?: (entry: AuditEntry) => void;
}): AuditLog {
  const key = `${o.prefix}:audit`;
  return {
    async record(entry) {
      const minId = `${Date.now() - o.retentionMs}-0`;
      const fields = Object.entries(entry).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
      await o.redis.xadd(key, 'MINID', '~', minId, '*', ...fields);
      o.log.info({ audit: entry, traceId: entry.traceId }, `audit: ${entry.type}`);
      count(o.metrics, entry);
      o.onRecord?.(entry);
    },
    async recent(filter = {}, limit = 20) {
      // Newest first, a page at a time, until enough entries match or the stream ends: a quiet
      // service's last deploy is found however much else happened since.
      const out: StoredAuditEntry[] = [];
      let end = '+';
      for (let page = 0; page < 50 && out.length < limit; page++) {
        const rows = await o.redis.xrevrange(key, end, '-', 'COUNT', 500);
        for (const [id, flat] of rows) {
          const e: Record<string, string> = {};
          for (let i = 0; i < flat.length; i += 2) e[flat[i] ?? ''] = flat[i + 1] ?? '';
          if (filter.service && e.service !== filter.service) continue;
          if (filter.environment && e.environment !== filter.environment) continue;
          if (filter.types && !filter.types.includes(e.type as AuditType)) continue;
          out.push({
            ...(e as unknown as AuditEntry),
            id,
            at: new Date(Number(id.split('-')[0])).toISOString(),
          });
          if (out.length >= limit) break;
        }
        const last = rows.at(-1)?.[0];
        if (rows.length < 500 || !last) break;
        end = `(${last}`;
      }
      return out;
    },
  };
}

function count(metrics: Metrics | undefined, e: AuditEntry): void {
  if (!metrics) return;
  if (e.type === 'approved' || e.type === 'rejected' || e.type === 'expired') metrics.approval(e.type);
  else if ((e.type === 'succeeded' || e.type === 'failed') && (e.kind === 'deploy' || e.kind === 'rollback'))
    metrics.deploy(e.kind, e.type);
}
