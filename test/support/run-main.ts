import { spawn } from 'node:child_process';

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
