// Node strips the types of Shipmate's .ts files itself, but doing so loads its TypeScript parser
// (amaro, a WebAssembly build of swc) into every process: ~17 MB of resident memory for the whole
// life of a web pod, paid again on every start. This keeps the stripped JavaScript of each file in
// a content-addressed cache instead, so a start whose files are all cached never loads the parser.
//
// Always correct, never stale: an entry is named by the SHA-256 of the exact source text (and the
// parser's version), so an edited file simply misses, is stripped by Node's own
// `stripTypeScriptTypes` — the same parser and mode Node's loader uses — and its entry is written
// for the next start. Nothing else changes: URLs, `import.meta`, line and column numbers (stripping
// replaces types with blanks) stay those of the .ts file. A cache that cannot be written (a
// read-only image filled at build time, see the Dockerfile) only means a miss is stripped again. An
// entry ends with the SHA-256 of its JavaScript: one that is not whole (empty after a crash, cut by
// a full disk, altered) is a miss too, stripped again and rewritten — never run.
//
// Not Node's compile cache (module.enableCompileCache): that caches the stripped text too, but also
// V8 code for every module, which is held in memory: measured with bench/start.ts, a web role was
// 9 MB larger with it than with this cache, a worker 30 MB.
//
// Plain JavaScript, like src/start.js, which registers it before loading src/main.ts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm start` keeps the cache: under node_modules, like other tools' caches (and the image's). */
export const STRIPPED_TS_DIR = fileURLToPath(
  new URL('../node_modules/.cache/shipmate/stripped-ts', import.meta.url),
);

/** The cache entry's file name for a source text: its hash, with the parser's version. */
export function strippedEntryName(source) {
  const hash = createHash('sha256').update(`${process.versions.amaro}\0${source}`).digest('hex');
  return `${hash}.js`;
}

/**
 * Runs `strip` without Node's one-time "stripTypeScriptTypes is an experimental feature" warning:
 * it is the very parser and mode Node's loader runs silently on the same file, so the notice would
 * only alarm whoever reads the log after a file changed. Every other warning passes through.
 */
function withoutExperimentalNotice(strip) {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (String(warning).startsWith('stripTypeScriptTypes is an experimental feature')) return;
    emitWarning.call(process, warning, ...rest);
  };
  try {
    return strip();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The last line of an entry: the SHA-256 of the JavaScript above it, so a damaged entry is never run. */
const TRAILER = '// stripped-ts sha256:';
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** The JavaScript an entry holds, or undefined when it is not whole (empty, cut, altered: a miss). */
function entryCode(entry) {
  const at = entry.lastIndexOf(`\n${TRAILER}`);
  if (at < 0) return undefined;
  const code = entry.slice(0, at);
  return entry.slice(at + 1 + TRAILER.length) === `${sha256(code)}\n` ? code : undefined;
}

/**
 * The JavaScript of a TypeScript source: the cached entry when there is a whole one, else stripped
 * now and written to `dir` (best effort). Throws what Node's loader throws on syntax it cannot strip.
 */
export function strippedSource(source, dir) {
  const file = join(dir, strippedEntryName(source));
  let cached;
  try {
    cached = entryCode(readFileSync(file, 'utf8'));
  } catch {
    // A miss: strip below.
  }
  if (cached !== undefined) return cached;
  const code = withoutExperimentalNotice(() => stripTypeScriptTypes(source, { mode: 'strip' }));
  // Written whole under a temporary name no other writer has (pids repeat across containers sharing
  // the folder), then renamed: a concurrent start never reads half an entry, and the digest line
  // catches what a crash or a full disk could still leave.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, `${code}\n${TRAILER}${sha256(code)}\n`, { flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    // Read-only or full: this start stripped it; the next one will too.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written, or nothing can be removed: either way nothing is read from it.
    }
  }
  return code;
}

/**
 * From now on, ES modules written in TypeScript load through the cache (a module.registerHooks
 * load hook: synchronous, in this thread). Files Node would not strip (anything else, .ts under
 * node_modules) are left to Node.
 */
export function useStrippedTypeScriptCache(dir = STRIPPED_TS_DIR) {
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (loaded.format !== 'module-typescript' || loaded.source == null) return loaded;
      const source =
        typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
      return { ...loaded, format: 'module', source: strippedSource(source, dir) };
    },
  });
}

/** Fills the cache with every .ts file under `roots` but declaration files (the image does this at build time). Returns how many. */
export function fillStrippedTypeScriptCache(roots, dir = STRIPPED_TS_DIR) {
  let n = 0;
  for (const root of roots) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      strippedSource(readFileSync(join(entry.parentPath, entry.name), 'utf8'), dir);
      n++;
    }
  }
  return n;
}

// `node src/stripped-ts.js <dir>…`: fill the cache from those folders (the Dockerfile's build stage).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const roots = process.argv.slice(2);
  if (roots.length === 0) {
    process.stderr.write('usage: node src/stripped-ts.js <folder>… (e.g. src tools)\n');
    process.exit(2);
  }
  const n = fillStrippedTypeScriptCache(roots);
  process.stdout.write(`stripped ${n} TypeScript files into ${STRIPPED_TS_DIR}\n`);
}
