import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RequestState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'running'
  | 'succeeded'
  | 'failed';

/** A deploy or rollback waiting for, or past, a person's decision. Stored as a Redis hash. */
export interface ChangeRequest {
  id: string;
  kind: 'deploy' | 'rollback';
  service: string;
  environment: string;
  cluster?: string;
  namespace: string;
  deployment: string;
  container: string;
  fromImage: string;
  toImage: string;
  fromRevision: number;
  /** rollback: the revision to return to. */
  toRevision?: number;
  replicas: number;
  requestedBy: string;
  createdAt: number;
  expiresAt: number;
  state: RequestState;
  decidedBy?: string;
  /** The request message (preview with buttons), to edit on decision. */
  channel?: string;
  messageTs?: string;
  traceId: string;
  /**
   * The final message of the change (JSON of a Message), stored with its last state: a re-run of
   * the finished job (one whose completion Redis lost) repeats it instead of saying something else.
   */
  finalMessage?: string;
}

const NUMERIC = new Set(['fromRevision', 'toRevision', 'replicas', 'createdAt', 'expiresAt']);

/** Compare-and-set of `state`: applies only from one of the allowed states; returns the state found. */
const TRANSITION = `
local s = redis.call('HGET', KEYS[1], 'state')
if not s then return '' end
for allowed in string.gmatch(ARGV[2], '[^,]+') do
  if s == allowed then
    redis.call('HSET', KEYS[1], 'state', ARGV[1])
    for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return 'OK:' .. s
  end
end
return s`;

export interface RequestStore {
  newId(seed?: string): string;
  create(r: ChangeRequest): Promise<void>;
  get(id: string): Promise<ChangeRequest | undefined>;
  update(id: string, fields: Partial<ChangeRequest>): Promise<void>;
  /** Moves `id` to `to` if its state is one of `from`; `{ ok: false, state }` says what it was instead. */
  transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    fields?: Partial<ChangeRequest>,
  ): Promise<{ ok: boolean; state?: RequestState }>;
  /** The exclusive lock of a service environment: one change at a time. Returns the holder's request id when taken by another. */
  lock(service: string, environment: string, requestId: string, ttlMs: number): Promise<string | undefined>;
  unlock(service: string, environment: string, requestId: string): Promise<void>;
  holder(service: string, environment: string): Promise<string | undefined>;
}

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Requests live a week after creation, long past any approval window, for /ops history lookups. */
const KEEP_SECONDS = 7 * 86_400;

export function createRequestStore(redis: Redis, prefix: string): RequestStore {
  const key = (id: string) => `${prefix}:change-request:${id}`;
  const lockKey = (s: string, e: string) => `${prefix}:change-lock:${s}:${e}`;
  const flat = (fields: Partial<ChangeRequest>) =>
    Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
  return {
    newId: (seed) =>
      `req-${seed ? createHash('sha256').update(seed).digest('hex').slice(0, 12) : randomBytes(6).toString('hex')}`,
    async create(r) {
      await redis
        .multi()
        .hset(key(r.id), ...flat(r))
        .expire(key(r.id), KEEP_SECONDS)
        .exec();
    },
    async get(id) {
      const h = await redis.hgetall(key(id));
      if (!h.state) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(h)) out[k] = NUMERIC.has(k) ? Number(v) : v;
      return out as unknown as ChangeRequest;
    },
    async update(id, fields) {
      const f = flat(fields);
      if (f.length) await redis.hset(key(id), ...f);
    },
    async transition(id, from, to, fields = {}) {
      const r = (await redis.eval(TRANSITION, 1, key(id), to, from.join(','), ...flat(fields))) as string;
      if (r.startsWith('OK:')) return { ok: true, state: r.slice(3) as RequestState };
      return { ok: false, state: (r || undefined) as RequestState | undefined };
    },
    async lock(service, environment, requestId, ttlMs) {
      const k = lockKey(service, environment);
      const set = await redis.set(k, requestId, 'PX', ttlMs, 'NX');
      if (set === 'OK') return undefined;
      const holder = await redis.get(k);
      // Released between our SET and GET: try again.
      if (holder === null) return this.lock(service, environment, requestId, ttlMs);
      if (holder === requestId) {
        await redis.pexpire(k, ttlMs); // our own lock, from before a restart: keep it
        return undefined;
      }
      return holder ?? undefined;
    },
    async unlock(service, environment, requestId) {
      await redis.eval(UNLOCK, 1, lockKey(service, environment), requestId);
    },
    holder: async (service, environment) => (await redis.get(lockKey(service, environment))) ?? undefined,
  };
}
