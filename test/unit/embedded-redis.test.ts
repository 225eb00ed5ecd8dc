import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { embeddedRedisIfNeeded, findRedisServer, redisAnswers } from '../../src/console/embedded-redis.ts';

/** redis-server must be installed (.ci/run installs Debian's package); a missing one fails here, loudly. */
const PATH = process.env.PATH;

describe('the private Redis of the console and the demo', () => {
  it('finds redis-server on PATH, and nothing on an empty PATH', () => {
    expect(findRedisServer(PATH)).toMatch(/\/redis-server$/);
    expect(findRedisServer('')).toBeUndefined();
    expect(findRedisServer(undefined)).toBeUndefined();
  });

  it('starts one when nothing answers at the URL, says so, and stops it (port closed, dir removed)', async () => {
    const said: string[] = [];
    const r = await embeddedRedisIfNeeded('redis://127.0.0.1:1', PATH, (t) => said.push(t));
    if (!r) throw new Error('no private Redis started');
    try {
      expect(await redisAnswers('127.0.0.1', r.port)).toBe(true);
      expect(r.url).toBe(`redis://127.0.0.1:${r.port}`);
      expect(existsSync(r.dir)).toBe(true);
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(
        /^No Redis at redis:\/\/127\.0\.0\.1:1: started a private one for this session/,
      );
      expect(said[0]).toContain(`127.0.0.1:${r.port}`);
    } finally {
      await r.stop();
    }
    expect(await redisAnswers('127.0.0.1', r.port)).toBe(false);
    expect(existsSync(r.dir)).toBe(false);
  });

  it('starts nothing when Redis answers, or when redis-server is not installed', async () => {
    const said: string[] = [];
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    expect(await embeddedRedisIfNeeded(url, PATH, (t) => said.push(t))).toBeUndefined();
    expect(await embeddedRedisIfNeeded('redis://127.0.0.1:1', '', (t) => said.push(t))).toBeUndefined();
    expect(said).toEqual([]);
  });
});
