// `node --import ./bench/with-stripped-ts.js some.ts`: loads a TypeScript script the way src/start.js
// loads main.ts, through the stripped-TypeScript cache (src/stripped-ts.js) — so a bench's baseline
// (bench/bare-bolt.ts) does not carry Node's TypeScript parser when Shipmate no longer does.
import { useStrippedTypeScriptCache } from '../src/stripped-ts.js';

useStrippedTypeScriptCache();
