/**
 * Why the extractor ran ~1.8× slower inside the bot than alone, and the remedy.
 *
 * Any object whose prototype is `String.prototype` — `class VerbatimString extends String` in
 * ioredis (built/resp/verbatim-string.js, loaded by `import 'ioredis'`), or `Object.create(String.prototype)`
 * — makes V8 optimise `String.prototype` "as a prototype", which first turns it into a dictionary
 * (slow-properties) object. From then on every `str.charCodeAt(i)`, `str.startsWith(…)`, … on a
 * primitive string looks its method up in a dictionary and is not inlined by the optimising compiler:
 * a `charCodeAt` loop runs ~5× slower, the extractor ~1.5–1.8× (measured with bench/triage.ts; a bare
 * process importing only ioredis reproduces it, importing 100 MB of other objects does not).
 * V8 turns such a prototype back into a fast one when a property load in a function sees an object
 * with it on its chain (`JSObject::MakePrototypesFast`) — which never happens for primitive strings,
 * whose loads start at the prototype itself. A few loads through a String wrapper object do it.
 *
 * The other half of that slowdown is not the extractor's: downloading the log allocates a buffer per
 * chunk outside the JS heap, which makes V8 run full (mark-compact) collections every few tens of
 * megabytes, and each one marks the whole live heap — ~80–120 MB in the bot (LangChain, the
 * Kubernetes client, Bolt…) against ~10 MB alone: the same download costs ~2× the CPU there
 * (`node --trace-gc`: "GC in old space requested", ~0.6 s of marking each with a 220 MB heap, ~3 ms
 * with 7 MB). Reading the log from its end by ranges (read-from-end.ts) downloads less of it.
 */

const wrapper = new String('');

/** A property load through `o`'s prototype chain, in a function so that it has an inline cache. */
function load(o: object): unknown {
  return (o as { charCodeAt?: unknown }).charCodeAt;
}

/**
 * Turns `String.prototype` back into a fast-properties object if a dependency made it a dictionary
 * (see above). Cheap (64 property loads) and harmless when it already is fast; called whenever an
 * extractor is made, since a module loaded later can slow it down again.
 */
export function keepStringPrototypeFast(): void {
  // V8 gives a function its inline caches only after a few calls (lazy feedback allocation): 16
  // loads were the least that worked on Node 24; 64 leave a margin and cost nothing.
  for (let i = 0; i < 64; i++) load(wrapper);
}
