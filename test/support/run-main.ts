import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface MainResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node src/main.ts` as a user would (`printf … | npm start`), with only the given environment
 * (plus PATH), feeding `input` on stdin and closing it.
 */
export function runMain(
  env: Record<string, string>,
  input: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<MainResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/main.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

export interface RunningMain {
  readonly pid: number | undefined;
  write(text: string): void;
  end(): void;
  kill(signal: NodeJS.Signals): void;
  /**
   * Kills the process unless it has already exited (SIGKILL unless told otherwise) and resolves once
   * it has; never rejects. For `finally` blocks, so a failed test leaves no process behind.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the first capture group (or the whole match) once stdout matches, or rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The same for stderr (messages to the person outside the conversation, logs). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly stdout: string;
  done: Promise<MainResult>;
}

/**
 * Starts `node [nodeFlags] src/main.ts` (from the repository root) with stdin left open, to drive it
 * line by line like a person. `entry` (a path from the repository root) starts another script the
 * same way, e.g. a bench's baseline.
 */
export function startMain(
  env: Record<string, string>,
  args: string[] = [],
  nodeFlags: string[] = [],
  entry = 'src/main.ts',
): RunningMain {
  const child = spawn(process.execPath, [...nodeFlags, entry, ...args], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const l of listeners) l();
  });
  const done = new Promise<MainResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const waitFor = (which: () => string, name: string, pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(which());
        if (!m) return;
        cleanup();
        resolve(m[1] ?? m[0]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no ${name} matching ${pattern} in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr.slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return {
    pid: child.pid,
    get stdout() {
      return stdout;
    },
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    kill: (signal) => child.kill(signal),
    async stop(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await done.catch(() => undefined);
    },
    done,
    waitForOutput: (pattern, timeoutMs = 20_000) => waitFor(() => stdout, 'output', pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs = 20_000) => waitFor(() => stderr, 'stderr', pattern, timeoutMs),
  };
}
