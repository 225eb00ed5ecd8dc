import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SavedDraft } from '../../tools/shared/tests-port.ts';

/** A draft waits a day for its Open draft PR / Discard click. */
const DRAFT_TTL_S = 86_400;

/** Drafted test files between the preview and the click (Redis, one JSON value per draft). */
export function createDraftStore(redis: Redis, prefix: string) {
  const key = (id: string) => `${prefix}:tests-draft:${id}`;
  return {
    async save(d: SavedDraft): Promise<string> {
      const id = `td-${randomBytes(6).toString('hex')}`;
      await redis.set(key(id), JSON.stringify(d), 'EX', DRAFT_TTL_S);
      return id;
    },
    async get(id: string): Promise<SavedDraft | undefined> {
      if (!/^td-[0-9a-f]{12}$/.test(id)) return undefined;
      const raw = await redis.get(key(id));
      return raw ? (JSON.parse(raw) as SavedDraft) : undefined;
    },
    /** Marks the draft used (opened or discarded); false when it was already. */
    async take(id: string, how: 'opened' | 'discarded', by: string): Promise<boolean> {
      return (await redis.set(`${key(id)}:taken`, `${how}:${by}`, 'EX', DRAFT_TTL_S, 'NX')) === 'OK';
    },
    async takenBy(id: string): Promise<string | undefined> {
      return (await redis.get(`${key(id)}:taken`)) ?? undefined;
    },
    async release(id: string): Promise<void> {
      await redis.del(`${key(id)}:taken`);
    },
  };
}

export type DraftStore = ReturnType<typeof createDraftStore>;
