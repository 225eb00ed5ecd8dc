import type { Redis } from 'ioredis';
import type { KnownFinding } from './diff.ts';
import { DIGEST_SEVERITY_RANK } from './section.ts';

/** How the last run of a digest ended, for `/ops digest`. */
export interface DigestOutcome {
  /** ISO time it ran. */
  at: string;
  result: 'posted' | 'quiet' | 'skipped' | 'failed';
  /** One line: "3 new, 1 resolved", "missed by 3 h (over DIGEST_GRACE_MINUTES)", "not_in_channel". */
  detail: string;
}

export interface DigestState {
  /** ISO time of the last scheduled digest that was posted (or quietly skipped). */
  lastRunAt?: string;
  /** Findings the last digest posted, by fingerprint. */
  findings: Record<string, KnownFinding>;
  last?: DigestOutcome;
}

/** Deletes the lock only if `owner` still holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Findings remembered per digest, at most this many (the worst are kept). */
const MAX_FINDINGS = 2000;
/** A digest that stopped running is forgotten after 90 days. */
const STATE_TTL_S = 90 * 86_400;

/**
 * What each digest remembers between runs (Redis, one JSON value per digest id): the findings it
 * posted, when it last ran and how. Runs of one digest never overlap (one job per occurrence, see
 * run.ts), so a plain read and write suffices.
 */
export function createDigestStore(redis: Redis, prefix: string) {
  const key = (id: string) => `${prefix}:digest:${id}:state`;
  const claimKey = (id: string, scheduledAt: number) => `${prefix}:digest:${id}:run:${scheduledAt}`;
  return {
    async get(id: string): Promise<DigestState> {
      const raw = await redis.get(key(id));
      if (!raw) return { findings: Object.create(null) };
      try {
        const s = JSON.parse(raw) as DigestState;
        return { ...s, findings: Object.assign(Object.create(null), s.findings ?? {}) };
      } catch {
        return { findings: Object.create(null) };
      }
    },
    async save(id: string, state: DigestState): Promise<void> {
      const entries = Object.entries(state.findings);
      const findings =
        entries.length > MAX_FINDINGS
          ? Object.fromEntries(
              entries
                .sort((a, b) => DIGEST_SEVERITY_RANK[a[1].severity] - DIGEST_SEVERITY_RANK[b[1].severity])
                .slice(0, MAX_FINDINGS),
            )
          : state.findings;
      await redis.set(key(id), JSON.stringify({ ...state, findings }), 'EX', STATE_TTL_S);
    },
    /** Records the last outcome without touching what the digest remembers. */
    async recordOutcome(id: string, last: DigestOutcome): Promise<void> {
      const s = await this.get(id);
      await this.save(id, { ...s, last });
    },
    /**
     * Holds the digest for one run (read, compare, post, remember), so two occurrences that overlap
     * (a slow run, several workers) never both post from the same memory. Returns a release function,
     * or undefined when another run holds it. Expires by itself after `ttlMs` if a worker dies.
     */
    async lock(id: string, owner: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
      const k = `${prefix}:digest:${id}:lock`;
      if ((await redis.set(k, owner, 'PX', ttlMs, 'NX')) !== 'OK' && (await redis.get(k)) !== owner)
        return undefined;
      return async () => {
        await redis.eval(RELEASE, 1, k, owner);
      };
    },
    /**
     * Claims one occurrence (digest id + scheduled time) for one job: true for the first job to ask
     * and for that same job's retries; false for any other job of the same occurrence.
     */
    async claim(id: string, scheduledAt: number, jobId: string): Promise<boolean> {
      const k = claimKey(id, scheduledAt);
      if ((await redis.set(k, jobId, 'EX', 7 * 86_400, 'NX')) === 'OK') return true;
      return (await redis.get(k)) === jobId;
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
