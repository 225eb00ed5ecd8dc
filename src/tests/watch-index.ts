import type { Redis } from 'ioredis';

/**
 * Which tests_watch job waits for the CI of a commit, so a `workflow_run` delivery for that commit can
 * wake it (Redis; `owner/repo` and head SHA → job id, kept as long as the watch may last). And the
 * nudge a delivery leaves for a watch that was running when it came: that poll then looks again soon
 * instead of after its backoff.
 */
export function createWatchIndex(redis: Redis, prefix: string) {
  const shaKey = (repo: string, sha: string) => `${prefix}:tests-watch:sha:${repo.toLowerCase()}:${sha}`;
  const nudgeKey = (jobId: string) => `${prefix}:tests-watch:nudge:${jobId}`;
  return {
    /** Written when a watch is queued, before its first poll. */
    async watching(repo: string, sha: string, jobId: string, ttlMs: number): Promise<void> {
      await redis.set(shaKey(repo, sha), jobId, 'PX', ttlMs);
    },
    async watcherOf(repo: string, sha: string): Promise<string | undefined> {
      return (await redis.get(shaKey(repo, sha))) ?? undefined;
    },
    async nudge(jobId: string, ttlMs: number): Promise<void> {
      await redis.set(nudgeKey(jobId), '1', 'PX', ttlMs);
    },
    /** True (once) when a delivery came since the last look. */
    async takeNudge(jobId: string): Promise<boolean> {
      return (await redis.getdel(nudgeKey(jobId))) !== null;
    },
  };
}

export type WatchIndex = ReturnType<typeof createWatchIndex>;
