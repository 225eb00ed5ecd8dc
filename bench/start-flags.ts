/**
 * Benches measure Shipmate as `npm start` runs it: under the Node flags of package.json's `start`
 * script (`node <flags> src/main.ts`), read from there so the two cannot drift apart.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../package.json', import.meta.url);

/** The `--flags` between `node` and `src/start.js` (which checks the Node version, then loads src/main.ts) in package.json's start script. */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts?: { start?: string } };
  const m = /^node((?:\s+--\S+)*)\s+src\/(?:main\.ts|start\.js)$/.exec(pkg.scripts?.start?.trim() ?? '');
  if (!m)
    throw new Error(
      `package.json's start script is not "node [--flags] src/start.js": ${pkg.scripts?.start}`,
    );
  return (m[1] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Re-runs this script under the start flags when it is not already (output and exit code passed
 * through); returns only in a process that has them.
 */
export function runUnderStartFlags(): void {
  const flags = startFlags();
  if (flags.every((f) => process.execArgv.includes(f))) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
