// `npm start`, `npm run demo` and the image's command run this file, not main.ts: it is plain
// JavaScript, so any Node can read it and say in one line that it is too old — instead of failing on
// the `.ts` extension (ERR_UNKNOWN_FILE_EXTENSION) or, later, deep inside a dependency. The minimum is
// package.json's `engines.node` (the README and .ci/run state the same; test/unit/node-version.test.ts
// keeps them equal).
import { readFileSync } from 'node:fs';
import { nodeTooOld } from './node-version.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const command = process.argv.includes('--demo') ? 'npm run demo' : 'npm start';
const problem = nodeTooOld(process.versions.node, pkg.engines.node, command);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
// Only now: the cache needs a Node that has module.registerHooks (an import above the check would
// fail on an old Node before it could say so).
const { useStrippedTypeScriptCache } = await import('./stripped-ts.js');
useStrippedTypeScriptCache();
await import('./main.ts');
