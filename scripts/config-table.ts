/**
 * Prints README.md's configuration table from the schema in src/config.ts, or with `--write`
 * replaces the table in README.md. `test/unit/readme.test.ts` fails when they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ENV } from '../src/config.ts';

export function configTable(): string {
  const rows = Object.entries(ENV).map(([name, spec]) => `| \`${name}\` | ${spec.doc} |`);
  return ['| variable | meaning |', '| --- | --- |', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('config-table.ts')) {
  const table = configTable();
  if (process.argv.includes('--write')) {
    const readme = readFileSync('README.md', 'utf8');
    const next = readme.replace(/\|\s*variable\s*\|\s*meaning\s*\|\n(?:\|.*\|\n)+/, `${table}\n`);
    writeFileSync('README.md', next);
  } else {
    process.stdout.write(`${table}\n`);
  }
}
