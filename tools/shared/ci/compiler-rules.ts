/**
 * Code that does not compile: tsc, rustc (and Cargo's dependency resolution, which fails in the same
 * `error: …` form), go build, javac/kotlinc through Maven, Gradle, C compilers, webpack and esbuild
 * bundles (and a bundle's missing package), Hugo sites.
 */

import type { Rule } from './rule.ts';

/** Compiler errors (kind `compile`; `dependency` for Cargo's resolution and a bundle's missing package). */
export const COMPILER_RULES: readonly Rule[] = [
  {
    // tsc: `src/a.ts(12,5): error TS2322: …` or `src/a.ts:12:5 - error TS2322: …`
    id: 'tsc',
    kind: 'compile',
    role: 'primary',
    contains: 'error TS',
    gate: '(?<=T)S\\d',
    re: /(?:^|[\s):-])error TS\d+: /,
    before: 0,
    after: 6,
    keep: /error TS\d+: |^Found \d+ errors?/,
  },
  {
    id: 'cargo-deps',
    kind: 'dependency',
    role: 'primary',
    starts: [
      'error: failed to select',
      'error: no matching package',
      'error: failed to get',
      'error: failed to download',
    ],
    re: /^error: (?:failed to select a version|no matching package named|failed to get .* as a dependency|failed to download)/,
    after: 6,
  },
  {
    id: 'rustc',
    kind: 'compile',
    role: 'primary',
    starts: ['error['],
    re: /^error\[E\d{4}\]: (.+)$/,
    before: 0,
    after: 12,
    stopBefore: /^(?:error|warning)(?:\[|:)|^For more information/,
  },
  {
    id: 'rustc',
    kind: 'compile',
    role: 'primary',
    starts: ['error: could not compile'],
    re: /^error: could not compile/,
    before: 0,
  },
  {
    id: 'golangci-lint',
    kind: 'lint',
    role: 'primary',
    contains: '.go:',
    gate: '(?<=\\.)go:\\d',
    re: /^\s*\S+\.go:\d+:\d+: .+ \((?:[a-z]+)\)$/,
    before: 0,
    after: 6,
    keep: /\.go:\d+:\d+: /,
  },
  {
    id: 'go-build',
    kind: 'compile',
    role: 'primary',
    contains: '.go:',
    gate: '(?<=\\.)go:\\d',
    re: /^\s*(?:\.\/)?[\w./-]+\.go:\d+:\d+: \S/,
    before: 1,
    beforeStop: /^# \S/,
    after: 6,
    keep: /\.go:\d+:\d+: /,
  },
  {
    id: 'maven-compile',
    kind: 'compile',
    role: 'primary',
    starts: ['[ERROR] '],
    re: /^\[ERROR\] .*\.(?:java|kt|scala):\[\d+,\d+\]/,
    after: 6,
    keep: /^\[ERROR\] .*\.(?:java|kt|scala):\[\d+,\d+\]/,
  },
  {
    id: 'gradle',
    kind: 'compile',
    role: 'primary',
    starts: ['> Task :'],
    re: /^> Task :\S*compile\S* FAILED$/i,
    before: 4,
  },
  {
    // gcc, clang, nvcc, swiftc: `src/a.c:12:5: error: …`, `fatal error: x.h: No such file`
    id: 'cc',
    kind: 'compile',
    role: 'primary',
    contains: 'error: ',
    gate: 'rror: ',
    re: /^\s*(?:In file included from .*)?[\w./+-]+\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|m|mm|cu|swift|f90|f|zig|ino):\d+(?::\d+)?: (?:fatal )?error: /,
    before: 2,
    beforeStop: /: In (?:function|member function|instantiation)|^In file included from/,
    after: 6,
    keep: /:\d+(?::\d+)?: (?:fatal )?error: |^\s+\d* *\|/,
  },
  {
    // ts-loader: `[tsl] ERROR in /app/src/a.ts(12,5)` with `      TS2322: …` on the next line
    // (indented inside webpack 4's `Child` compilations, like the webpack errors below)
    id: 'tsc',
    kind: 'compile',
    role: 'primary',
    starts: ['[tsl] ERROR in '],
    re: /^\s*\[tsl\] ERROR in \S+\(\d+,\d+\)/,
    before: 0,
    after: 2,
    keep: /^\s+TS\d+: /,
  },
  {
    // webpack: `ERROR in ./src/index.ts 12:5` then the message
    id: 'webpack',
    kind: 'compile',
    role: 'primary',
    starts: ['ERROR in '],
    re: /^\s*ERROR in \S+/,
    before: 0,
    after: 6,
    stopBefore: /^\s*(?:ERROR|WARNING) in |^\s*webpack \d/,
  },
  {
    // webpack and Next.js: `Module not found: Error: Can't resolve './cart' in '/app/src'`, the module
    // that imports it on the line above. A relative or aliased path that does not resolve is the code's
    // own mistake; a package that does not is a dependency missing (the next rule).
    id: 'module-not-found',
    kind: 'compile',
    role: 'primary',
    starts: ['Module not found: ', 'ModuleNotFoundError: Module not found: '],
    re: /^\s*(?:ModuleNotFoundError: )?Module not found: (?:Error: )?Can't resolve '(?:\.{1,2}\/|\/|[@~#]\/)/,
    before: 1,
    after: 6,
    stopBefore: /^\s*(?:ERROR|WARNING) in |^> Build (?:error occurred|failed)/,
  },
  {
    id: 'module-not-found',
    kind: 'dependency',
    role: 'primary',
    starts: ['Module not found: ', 'ModuleNotFoundError: Module not found: '],
    re: /^\s*(?:ModuleNotFoundError: )?Module not found: (?:Error: )?Can't resolve '/,
    before: 1,
    after: 6,
    stopBefore: /^\s*(?:ERROR|WARNING) in |^> Build (?:error occurred|failed)/,
  },
  {
    // esbuild (and Vite): `✘ [ERROR] Could not resolve "x"` — after wrangler's deploy errors (deploy-rules.ts)
    id: 'esbuild',
    kind: 'compile',
    role: 'primary',
    starts: ['✘ [ERROR] ', 'X [ERROR] '],
    re: /^\s*[✘X] \[ERROR\] \S/,
    before: 0,
    after: 6,
  },
  {
    // Hugo (on Cloudflare Pages, Netlify, …): a template or content error fails the site's build:
    // `Error: Error building site: failed to render pages: …`, `Error: "/repo/layouts/x.html:71:1":
    // parse failed: …`, `ERROR 2022/04/10 09:59:32 render of "page" failed: …`
    id: 'hugo',
    kind: 'compile',
    role: 'primary',
    starts: ['Error: Error building site', 'Error: error building site', 'Error: "', 'ERROR '],
    re: /^\s*(?:Error: (?:[Ee]rror building site: |"[^"]+:\d+:\d+": (?:parse|execute of template) failed)|ERROR (?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )?(?:render of "[^"]+" failed|.*execute of template failed))/,
    before: 1,
    after: 4,
  },
  {
    // Gradle's failure block: the task and the reason; the kind is refined from them (extraction.ts).
    id: 'gradle',
    kind: 'unknown',
    role: 'primary',
    starts: ['* What went wrong:'],
    re: /^\* What went wrong:/,
    before: 0,
    after: 6,
    stopBefore: /^\* (?:Try|Exception is|Get more help):/,
  },
  {
    // `[ERROR] Failed to execute goal org.apache.maven.plugins:maven-checkstyle-plugin:3.3.1:check …`;
    // the kind follows the plugin (extraction.ts).
    id: 'maven',
    kind: 'unknown',
    role: 'primary',
    starts: ['[ERROR] Failed to execute goal'],
    re: /^\[ERROR\] Failed to execute goal (\S+)/,
    before: 0,
    after: 1,
  },
];
