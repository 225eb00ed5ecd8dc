import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

/** src/node-version.js is plain JavaScript (any Node must read it); loaded by URL, untyped. */
const { minimumOf, nodeTooOld } = (await import(
  new URL('../../src/node-version.js', import.meta.url).href
)) as {
  minimumOf: (range: string) => [number, number, number];
  nodeTooOld: (version: string, range: string, command: string) => string | undefined;
};

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const min = minimumOf(pkg.engines.node).join('.').replace(/\.0$/, '');

describe('the Node minimum, stated once and checked before anything loads', () => {
  it('refuses an older Node in one line that says what to run instead', () => {
    expect(nodeTooOld('20.19.2', '>=22.19', 'npm start')).toBe(
      'Shipmate needs Node ≥ 22.19.0; you have 20.19.2; try `npx -p node@24 -- npm start`',
    );
    expect(nodeTooOld('v22.18.0', '>=22.19', 'npm run demo')).toContain('you have 22.18.0');
    expect(nodeTooOld('22.19.0', '>=22.19', 'npm start')).toBeUndefined();
    expect(nodeTooOld('24.1.0', '>=22.19', 'npm start')).toBeUndefined();
    expect(nodeTooOld('23.0.0', '>=22.19.1', 'npm start')).toBeUndefined();
    expect(() => minimumOf('^22')).toThrow('engines.node must be ">=X.Y[.Z]"');
  });

  it('is the same in package.json engines, the README and .ci/run (which reads engines itself)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(`Node.js ≥ ${min}`);
    const ci = readFileSync('.ci/run', 'utf8');
    expect(ci).toContain(`>=${min}`);
    expect(ci).toMatch(/node_min=\$\(sed .*package\.json/);
  });

  it('npm start and npm run demo go through the check (src/start.js), which then starts main.ts', () => {
    expect(pkg.scripts.start).toMatch(/^node (--\S+ )*src\/start\.js$/);
    expect(pkg.scripts.demo).toBe(`${pkg.scripts.start} --demo`);
    const r = spawnSync(process.execPath, ['src/start.js', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: npm start');
  });
});
