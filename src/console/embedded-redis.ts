import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A private, throw-away Redis for trying Shipmate on a laptop (console and demo only — Slack and
 * worker roles need the team's Redis, shared by every replica): `redis-server` on 127.0.0.1 on a port
 * of its own, no persistence, its working directory a temporary folder removed when it stops.
 */
export interface EmbeddedRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Whether something answers PING at host:port within `timeoutMs` (a password prompt counts). */
export function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

/** The `redis-server` executable on `path` (a PATH value), if any. */
export function findRedisServer(path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `binary` and resolves once it answers PING (within `timeoutMs`, default 5 s). The server is
 * also killed if this process exits without calling `stop()`.
 */
export async function startEmbeddedRedis(binary: string, timeoutMs = 5000): Promise<EmbeddedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await redisAnswers('127.0.0.1', port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      cleanup();
      throw new Error(
        `${binary} did not start on 127.0.0.1:${port}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}

/**
 * For the console and the demo only, when REDIS_URL was not set: if nothing answers at `url` (the
 * default) and `redis-server` is on `path`, starts a private one and says so through `say`. Otherwise
 * undefined — and connecting then fails with one line naming the URL and how to get Redis. Slack and
 * worker modes never call this: they need the team's Redis, shared by every replica.
 */
export async function embeddedRedisIfNeeded(
  url: string,
  path: string | undefined,
  say: (text: string) => void,
): Promise<EmbeddedRedis | undefined> {
  const u = new URL(url);
  if (await redisAnswers(u.hostname, Number(u.port || 6379))) return undefined;
  const binary = findRedisServer(path);
  if (!binary) return undefined;
  const r = await startEmbeddedRedis(binary);
  say(
    `No Redis at ${url}: started a private one for this session (${binary} on 127.0.0.1:${r.port}, nothing saved; stopped when Shipmate exits).`,
  );
  return r;
}
