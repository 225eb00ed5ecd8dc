// Types for src/stripped-ts.js (plain JavaScript: src/start.js loads it before any TypeScript).

/** Where `npm start` keeps the cache: node_modules/.cache/shipmate/stripped-ts. */
export const STRIPPED_TS_DIR: string;
/** The cache entry's file name for a source text: the SHA-256 of the parser's version and the text. */
export function strippedEntryName(source: string): string;
/** The JavaScript of a TypeScript source: the cached entry, else stripped now and written to `dir`. */
export function strippedSource(source: string, dir: string): string;
/** From now on, ES modules written in TypeScript load through the cache in `dir`. */
export function useStrippedTypeScriptCache(dir?: string): void;
/** Fills the cache with every .ts file under `roots`; returns how many. */
export function fillStrippedTypeScriptCache(roots: readonly string[], dir?: string): number;
