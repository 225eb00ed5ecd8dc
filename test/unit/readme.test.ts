import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { opsCommands, readmeCommandRows } from '../../scripts/commands-table.ts';
import { ENV } from '../../src/config.ts';

const readme = readFileSync('README.md', 'utf8');

describe('README.md stays true', () => {
  it('its configuration table lists exactly the variables the config schema reads, with their docs', () => {
    // Cells are compared trimmed, so a Markdown formatter's column padding does not matter.
    const rows = [...readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(.+?)\s*\|$/gm)].map(
      (m) => [m[1], m[2]] as const,
    );
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(ENV).sort());
    for (const [name, doc] of rows) expect(doc).toBe(ENV[name as keyof typeof ENV].doc);
  });

  it("its commands table lists every subcommand by the command's own usage line, flags included", async () => {
    const usages = (await opsCommands()).map((c) => c.usage);
    expect(usages.length).toBeGreaterThan(10);
    expect(readmeCommandRows(readme).map(([usage]) => usage)).toEqual(usages);
  });

  it('every README section a message points to exists', () => {
    const headings = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => (m[1] ?? '').trim()));
    const sources = ['src/cli.ts', 'src/console/first-run.ts', 'src/demo.ts'].map((f) =>
      readFileSync(f, 'utf8'),
    );
    const named = sources.flatMap((s) =>
      [...s.matchAll(/README(?:\.md)?[^"\n]{0,12}((?:"[^"]+",? ?)+)|((?:"[^"]+",? ?)+) in README/g)].flatMap(
        (m) => [...(m[1] ?? m[2] ?? '').matchAll(/"([^"]+)"/g)].map((q) => q[1] ?? ''),
      ),
    );
    expect(named.length).toBeGreaterThanOrEqual(3);
    expect(named.filter((n) => !headings.has(n))).toEqual([]);
  });

  it('quotes the command npm start runs, V8 flags included (deployments that start Node themselves copy it)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    expect(readme).toContain(`\`npm start\` runs \`${pkg.scripts.start}\``);
  });

  it('gives the two commands to try it and the one to test it', () => {
    expect(readme).toContain('npm ci\nnpm run demo');
    expect(readme).toContain('npm test');
  });

  it("shows a recorded demo session whose commands are the demo's own", () => {
    const session = /```text\n\$ printf '([^']+)' \| npm run -s demo\n([\s\S]*?)```/.exec(readme);
    expect(session).not.toBeNull();
    const lines = (session?.[1] ?? '').split('\\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^(\/ops |\/as U[A-Z0-9]+ \/ops |[a-z])/);
    expect(session?.[2]).toContain('Shipmate demo: a SAMPLE world');
  });
});
