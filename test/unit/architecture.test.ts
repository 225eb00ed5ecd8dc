import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/** Every .ts file under `dir`, relative to the repo root. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importsOf = (src: string) =>
  [...src.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
const code = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

describe('the layering ARCHITECTURE.md promises', () => {
  const srcFiles = files('src');
  const toolFiles = files('tools');

  it('tools/ never imports src/ (tools depend only on tools/shared ports)', () => {
    const offenders = toolFiles.filter((f) =>
      importsOf(readFileSync(f, 'utf8')).some((s) => s.includes('/src/') || s.startsWith('../src')),
    );
    expect(offenders).toEqual([]);
  });

  it('only src/config.ts and src/main.ts read process.env', () => {
    const offenders = [...srcFiles, ...toolFiles].filter(
      (f) =>
        !['src/config.ts', 'src/main.ts'].includes(f) && /process\.env/.test(code(readFileSync(f, 'utf8'))),
    );
    expect(offenders).toEqual([]);
  });

  it('only src/clients/ constructs SDK clients (Slack, Redis, Kubernetes, GitHub, LLM)', () => {
    const sdk = /new\s+(WebClient|App|Redis|KubeConfig|Octokit|ChatOpenAI)\s*\(/;
    const offenders = [...srcFiles, ...toolFiles].filter(
      (f) => !f.startsWith('src/clients/') && sdk.test(code(readFileSync(f, 'utf8'))),
    );
    expect(offenders).toEqual([]);
  });

  it('request handlers (Slack, HTTP, commands, console) never import job processors; they enqueue specs', () => {
    const handlers = ['src/slack', 'src/http', 'src/ops', 'src/console', 'src/deploys'].flatMap(files);
    const offenders = handlers.filter((f) =>
      importsOf(readFileSync(f, 'utf8')).some((s) => s.includes('processors/') && !s.includes('run-tool.ts')),
    );
    expect(offenders).toEqual([]);
    // run-tool.ts is imported for its ResultDecorator type only
    const valueImports = handlers.filter((f) =>
      /^import (?!type)[^;]*processors\//m.test(readFileSync(f, 'utf8')),
    );
    expect(valueImports).toEqual([]);
  });

  it('features never import each other: they meet only through ports (feature.ts) and index.ts lists them', () => {
    const offenders = files('src/features')
      .filter((f) => !f.endsWith('/index.ts'))
      .flatMap((f) =>
        importsOf(readFileSync(f, 'utf8'))
          .filter((s) => s.startsWith('./') && !['./feature.ts'].includes(s))
          .map((s) => `${f}: ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the web role never loads LangChain or the Kubernetes client: nothing main.ts reaches by static import does', () => {
    const heavy = /^(langchain|@langchain\/|@kubernetes\/client-node)/;
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string, via: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      // Static value imports only: `import type` is erased, `import()` loads on first use.
      for (const m of src.matchAll(
        /^import\s+(?!type\s)[^;]*?from\s+'([^']+)'|^export\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms,
      )) {
        const spec = m[1] ?? m[2] ?? '';
        if (heavy.test(spec)) reached.push([...via, file, spec].join(' → '));
        if (spec.startsWith('.')) visit(join(dirname(file), spec), [...via, file]);
      }
    };
    visit('src/main.ts', []);
    expect(reached).toEqual([]);
    expect(seen.size).toBeGreaterThan(30); // the walk did reach the app
  });

  it("the web role never loads BullMQ's or Bolt's index (src/jobs/bullmq.ts, src/clients/bolt.ts load what it uses), nor the log downloader", () => {
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string, via: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(
        /^import\s+(?!type\s)[^;]*?from\s+'([^']+)'|^export\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms,
      )) {
        const spec = m[1] ?? m[2] ?? '';
        // The packages' indexes: BullMQ's loads every class, Bolt's its Express receiver (express).
        if (spec === 'bullmq' || spec === '@slack/bolt') reached.push([...via, file, spec].join(' → '));
        if (spec.startsWith('.')) visit(join(dirname(file), spec), [...via, file]);
      }
    };
    visit('src/main.ts', []);
    expect(reached).toEqual([]);
    expect(seen.has('src/jobs/bullmq.ts')).toBe(true); // the walk reached the producer side
    expect(seen.has('src/clients/bolt.ts')).toBe(true); // and Bolt's App
    expect(seen.has('src/jobs/worker.ts')).toBe(false); // loaded by import() in roles that run jobs
    // Nor the log downloader (worker threads, zlib, DNS: ~3 MB), which only triage jobs use; the
    // team file's host list is checked with log-url/hosts.ts alone.
    const downloader = ['port.ts', 'fetch.ts', 'extract-url.ts', 'worker.ts'].map(
      (f) => `src/clients/log-url/${f}`,
    );
    expect(downloader.filter((f) => seen.has(f))).toEqual([]);
  });

  it('src/ loads sandbox/ (the sample world) only from src/demo.ts, lazily; tools/ never', () => {
    const sandbox = (s: string) => /(^|\/)sandbox\//.test(s);
    const offenders = [...srcFiles, ...toolFiles].flatMap((f) => {
      const src = readFileSync(f, 'utf8');
      const lazy = [...src.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? '');
      const typeOnly = [...src.matchAll(/\btypeof import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? '');
      return importsOf(src)
        .filter(sandbox)
        .filter((s) => !(f === 'src/demo.ts' && (lazy.includes(s) || typeOnly.includes(s))))
        .map((s) => `${f}: ${s}`)
        .concat(
          // A static import, even in demo.ts, would load the sandbox on every start.
          [...src.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)]
            .map((m) => m[1] ?? '')
            .filter(sandbox)
            .map((s) => `${f}: static ${s}`),
        );
    });
    expect(offenders).toEqual([]);
    expect(importsOf(readFileSync('src/demo.ts', 'utf8')).some(sandbox)).toBe(true); // the rule has a subject
  });

  it('relative imports name their .ts file (Node type stripping needs it)', () => {
    const offenders = [...srcFiles, ...toolFiles, ...files('sandbox'), ...files('test')].flatMap((f) =>
      importsOf(readFileSync(f, 'utf8'))
        .filter((s) => s.startsWith('.') && !s.endsWith('.ts') && !s.endsWith('.json'))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
