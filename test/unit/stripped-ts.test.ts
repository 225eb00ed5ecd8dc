import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';

/** src/stripped-ts.js is plain JavaScript (src/start.js loads it before any TypeScript); loaded by URL. */
const { fillStrippedTypeScriptCache, STRIPPED_TS_DIR, strippedEntryName, strippedSource } = (await import(
  new URL('../../src/stripped-ts.js', import.meta.url).href
)) as {
  fillStrippedTypeScriptCache: (roots: readonly string[], dir?: string) => number;
  STRIPPED_TS_DIR: string;
  strippedEntryName: (source: string) => string;
  strippedSource: (source: string, dir: string) => string;
};

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'shipmate-stripped-ts-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SOURCE =
  "import type { A } from './a.ts';\nexport const n: number = 1 as number;\nexport type B = A;\n";

/**
 * Loads src/config.ts (and everything it imports) in a fresh `node` through the cache in `dir`, the
 * way src/start.js loads main.ts; reports whether Node's TypeScript parser (amaro) was loaded and
 * whether the module works.
 */
async function loadThroughCache(dir: string): Promise<{ parserLoaded: boolean; works: boolean }> {
  const script = `
    const { useStrippedTypeScriptCache } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/stripped-ts.js')).href)});
    useStrippedTypeScriptCache(${JSON.stringify(dir)});
    const { loadConfig } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/config.ts')).href)});
    process.stdout.write(JSON.stringify({
      parserLoaded: process.moduleLoadList.some((m) => m.includes('amaro')),
      works: typeof loadConfig === 'function',
    }));`;
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    { cwd: ROOT },
  );
  expect(stderr).toBe('');
  return JSON.parse(stdout) as { parserLoaded: boolean; works: boolean };
}

describe('the stripped-TypeScript cache src/start.js loads the sources through', () => {
  it("gives exactly what Node's own stripping gives, and reads it back from the entry next time", () => {
    const dir = freshDir();
    const stripped = strippedSource(SOURCE, dir);
    expect(stripped).toBe(stripTypeScriptTypes(SOURCE, { mode: 'strip' }));
    // Types became blanks: every line keeps its place, so stack traces point into the .ts file.
    expect(stripped.split('\n')).toHaveLength(SOURCE.split('\n').length);
    expect(readdirSync(dir)).toEqual([strippedEntryName(SOURCE)]);
    // The second call reads the entry rather than stripping again (an entry carries its text's digest).
    const entry = join(dir, strippedEntryName(SOURCE));
    const other = 'export const n = 2;\n';
    writeFileSync(
      entry,
      `${other}\n// stripped-ts sha256:${createHash('sha256').update(other).digest('hex')}\n`,
    );
    expect(strippedSource(SOURCE, dir)).toBe(other);
  });

  it('never runs a damaged entry: an empty, cut or altered one is stripped again and rewritten', () => {
    const dir = freshDir();
    const expected = stripTypeScriptTypes(SOURCE, { mode: 'strip' });
    const entry = join(dir, strippedEntryName(SOURCE));
    strippedSource(SOURCE, dir);
    const good = readFileSync(entry, 'utf8');
    // A crash or power cut after the rename leaves an empty file; a full disk, a cut one; bit rot, a changed one.
    for (const damaged of ['', good.slice(0, 40), good.replace('= 1', '= 7'), expected]) {
      writeFileSync(entry, damaged);
      expect(strippedSource(SOURCE, dir)).toBe(expected);
      expect(readFileSync(entry, 'utf8')).toBe(good);
    }
    expect(readdirSync(dir)).toEqual([strippedEntryName(SOURCE)]);
  });

  it('writes each entry under a temporary name of its own, so two writers never share one', () => {
    const dir = freshDir();
    const entry = join(dir, strippedEntryName(SOURCE));
    // Another writer with this pid (a container's PID 1 sharing the folder) is midway through its temporary file.
    writeFileSync(`${entry}.${process.pid}.tmp`, 'export const half');
    expect(strippedSource(SOURCE, dir)).toBe(stripTypeScriptTypes(SOURCE, { mode: 'strip' }));
    expect(readFileSync(`${entry}.${process.pid}.tmp`, 'utf8')).toBe('export const half');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.tmp'))).toEqual([strippedEntryName(SOURCE)]);
  });

  it('is never stale: an edited source is a different entry', () => {
    const dir = freshDir();
    strippedSource(SOURCE, dir);
    const edited = SOURCE.replace('1 as number', '2 as number');
    expect(strippedEntryName(edited)).not.toBe(strippedEntryName(SOURCE));
    expect(strippedSource(edited, dir)).toContain('= 2');
    expect(readdirSync(dir).sort()).toEqual([strippedEntryName(SOURCE), strippedEntryName(edited)].sort());
  });

  it('still strips when the cache cannot be written (a read-only image), and refuses what Node refuses', () => {
    // A folder that cannot be made even by root: its parent is a file.
    const file = join(freshDir(), 'not-a-folder');
    writeFileSync(file, '');
    expect(strippedSource(SOURCE, join(file, 'cache'))).toBe(stripTypeScriptTypes(SOURCE, { mode: 'strip' }));
    expect(() => strippedSource('enum Color { Red }\n', freshDir())).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' }),
    );
  });

  it('once filled (as the image is at build time), a start loads no TypeScript parser', async () => {
    const dir = freshDir();
    // A cold cache: Node's parser is loaded to strip the misses, which are written for next time.
    expect(await loadThroughCache(dir)).toEqual({ parserLoaded: true, works: true });
    expect(readdirSync(dir).length).toBeGreaterThan(3);
    const filled = freshDir();
    const n = fillStrippedTypeScriptCache(['src', 'tools'], filled);
    expect(n).toBeGreaterThan(100);
    expect(readdirSync(filled)).toHaveLength(n);
    expect(await loadThroughCache(filled)).toEqual({ parserLoaded: false, works: true });
    // Without the cache, Node strips the same files itself and loads the parser.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/config.ts')).href)}); process.stdout.write(String(process.moduleLoadList.some((m) => m.includes('amaro'))))`,
      ],
      { cwd: ROOT },
    );
    expect(stdout).toBe('true');
  });

  it('lives under node_modules/.cache (ignored by git, never in the build context)', () => {
    expect(STRIPPED_TS_DIR).toBe(join(ROOT, 'node_modules/.cache/shipmate/stripped-ts'));
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8')).not.toMatch(/^!node_modules/m);
  });
});
