import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

  it('Slack handlers never call job processors; they enqueue', () => {
    const offenders = files('src/slack').filter((f) =>
      importsOf(readFileSync(f, 'utf8')).some((s) => s.includes('processors/')),
    );
    expect(offenders).toEqual([]);
  });

  it('relative imports name their .ts file (Node type stripping needs it)', () => {
    const offenders = [...srcFiles, ...toolFiles, ...files('test')].flatMap((f) =>
      importsOf(readFileSync(f, 'utf8'))
        .filter((s) => s.startsWith('.') && !s.endsWith('.ts') && !s.endsWith('.json'))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
