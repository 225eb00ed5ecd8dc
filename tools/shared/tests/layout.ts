/**
 * How a repository tests, read from its file tree and manifests — no model involved: the language of
 * a source file, the test framework and runner, where tests live and how they are named, the path a
 * new test file for the source would take, and the nearest existing tests as style examples.
 */

export type Language = 'typescript' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'other';

export interface Framework {
  /** jest, vitest, mocha, node:test, pytest, unittest, go test, cargo test, JUnit, or unknown. */
  name: string;
  /** How the repository runs its tests (`npm test`, `pytest`, `go test ./...`). */
  runner: string;
  /** Where the framework was read from: "package.json devDependencies (jest)". */
  evidence: string;
}

/** Manifest files read from the repository (absent ones are undefined). */
export interface Manifests {
  'package.json'?: string;
  'pyproject.toml'?: string;
  'setup.cfg'?: string;
  'pytest.ini'?: string;
  'tox.ini'?: string;
  'requirements.txt'?: string;
  'requirements-dev.txt'?: string;
  'go.mod'?: string;
  'Cargo.toml'?: string;
  'pom.xml'?: string;
  'build.gradle'?: string;
  'build.gradle.kts'?: string;
  'tsconfig.json'?: string;
}

export const MANIFEST_FILES = [
  'package.json',
  'pyproject.toml',
  'setup.cfg',
  'pytest.ini',
  'tox.ini',
  'requirements.txt',
  'requirements-dev.txt',
  'go.mod',
  'Cargo.toml',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'tsconfig.json',
] as const satisfies readonly (keyof Manifests)[];

export function languageOf(path: string): Language {
  if (/\.(ts|tsx|mts|cts)$/.test(path)) return 'typescript';
  if (/\.(js|jsx|mjs|cjs)$/.test(path)) return 'javascript';
  if (/\.py$/.test(path)) return 'python';
  if (/\.go$/.test(path)) return 'go';
  if (/\.rs$/.test(path)) return 'rust';
  if (/\.java$/.test(path)) return 'java';
  return 'other';
}

const TEST_FILE: Record<Language, RegExp> = {
  typescript: /(\.(test|spec)\.[cm]?tsx?$)|((^|\/)__tests__\/.+\.[cm]?tsx?$)/,
  javascript: /(\.(test|spec)\.[cm]?jsx?$)|((^|\/)__tests__\/.+\.[cm]?jsx?$)/,
  python: /(^|\/)(test_[^/]+|[^/]+_test)\.py$/,
  go: /_test\.go$/,
  rust: /(^|\/)tests\/[^/]+\.rs$/,
  java: /(^|\/)src\/test\/java\/.+(Test|Tests|IT)\.java$/,
  other: /$^/,
};

export function isTestFile(path: string, lang: Language = languageOf(path)): boolean {
  // A JS repository's TypeScript tests (and the reverse) count for both.
  if (lang === 'typescript' || lang === 'javascript')
    return TEST_FILE.typescript.test(path) || TEST_FILE.javascript.test(path);
  return TEST_FILE[lang].test(path);
}

/** package.json's dependencies of every kind, by name. */
export function packageDependencies(pkgJson: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!pkgJson) return out;
  try {
    const p = JSON.parse(pkgJson) as Record<string, unknown>;
    for (const k of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = p[k];
      if (deps && typeof deps === 'object')
        for (const [name, v] of Object.entries(deps as Record<string, unknown>)) out.set(name, String(v));
    }
  } catch {
    // Not JSON: no dependencies known.
  }
  return out;
}

function testScript(pkgJson: string | undefined): string | undefined {
  try {
    const s = (JSON.parse(pkgJson ?? '{}') as { scripts?: Record<string, unknown> }).scripts?.test;
    return typeof s === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The framework and runner the repository uses for `lang`, from its manifests. */
export function detectFramework(lang: Language, m: Manifests): Framework {
  if (lang === 'typescript' || lang === 'javascript') {
    const deps = packageDependencies(m['package.json']);
    const script = testScript(m['package.json']);
    const runner = script ? 'npm test' : 'npx jest';
    for (const [dep, name] of [
      ['vitest', 'vitest'],
      ['jest', 'jest'],
      ['ts-jest', 'jest'],
      ['mocha', 'mocha'],
    ] as const) {
      if (deps.has(dep))
        return {
          name,
          runner: script ? 'npm test' : `npx ${name}`,
          evidence: `package.json dependency ${dep}`,
        };
    }
    if (script && /node\s+(--[\w-]+\s+)*--test\b/.test(script))
      return { name: 'node:test', runner: 'npm test', evidence: `package.json scripts.test: ${script}` };
    return {
      name: 'unknown',
      runner,
      evidence: m['package.json'] ? 'package.json names no test framework' : 'no package.json',
    };
  }
  if (lang === 'python') {
    const texts = [
      'pyproject.toml',
      'setup.cfg',
      'pytest.ini',
      'tox.ini',
      'requirements.txt',
      'requirements-dev.txt',
    ] as const;
    for (const f of texts) {
      const t = m[f];
      if (t !== undefined && (f === 'pytest.ini' || /\bpytest\b/.test(t)))
        return { name: 'pytest', runner: 'pytest', evidence: `${f} mentions pytest` };
    }
    return { name: 'unittest', runner: 'python -m unittest', evidence: 'no pytest configuration found' };
  }
  if (lang === 'go')
    return { name: 'go test', runner: 'go test ./...', evidence: m['go.mod'] ? 'go.mod' : 'Go sources' };
  if (lang === 'rust')
    return {
      name: 'cargo test',
      runner: 'cargo test',
      evidence: m['Cargo.toml'] ? 'Cargo.toml' : 'Rust sources',
    };
  if (lang === 'java') {
    if (m['pom.xml']) return { name: 'JUnit', runner: 'mvn test', evidence: 'pom.xml' };
    if (m['build.gradle'] || m['build.gradle.kts'])
      return { name: 'JUnit', runner: 'gradle test', evidence: 'build.gradle' };
    return { name: 'JUnit', runner: 'unknown', evidence: 'Java sources' };
  }
  return { name: 'unknown', runner: 'unknown', evidence: 'no test framework is known for this file type' };
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const stem = (p: string) => baseOf(p).replace(/\.[^.]+$/, '');

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Shared leading path segments of two paths. */
function closeness(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length - 1 && n < y.length - 1 && x[n] === y[n]) n++;
  return n;
}

export interface TestLayout {
  /** Test files of the source's language in the tree. */
  tests: string[];
  /** Where the new test file goes (never an existing file). */
  proposedPath: string;
  /** How tests are laid out here, in words ("next to the source, *.test.ts"). */
  convention: string;
  /** The nearest existing tests, closest first (style examples). */
  nearest: string[];
}

/** Where a test for `source` goes in this repository, and the tests nearest to it. */
export function planTestLayout(source: string, paths: readonly string[]): TestLayout {
  const lang = languageOf(source);
  const files = new Set(paths);
  const tests = paths.filter((p) => isTestFile(p, lang));
  const ext = source.slice(source.lastIndexOf('.'));
  const name = stem(source);
  let proposed: string;
  let convention: string;
  if (lang === 'typescript' || lang === 'javascript') {
    const suffix = mostCommon(tests.map((t) => (/\.spec\./.test(t) ? 'spec' : 'test'))) ?? 'test';
    const colocated = tests.filter((t) => {
      const s = stem(t).replace(/\.(test|spec)$/, '');
      return [...files].some((f) => f !== t && dirOf(f) === dirOf(t) && stem(f) === s);
    }).length;
    if (tests.length === 0 || colocated * 2 >= tests.length) {
      proposed = `${dirOf(source) ? `${dirOf(source)}/` : ''}${name}.${suffix}${ext}`;
      convention = `next to the source, *.${suffix}${ext}`;
    } else {
      const dir = mostCommon(tests.map(dirOf)) ?? 'test';
      proposed = `${dir}/${name}.${suffix}${ext}`;
      convention = `in ${dir}/, *.${suffix}${ext}`;
    }
  } else if (lang === 'python') {
    const inTestsDir = tests.filter((t) => /(^|\/)tests?\//.test(t));
    const dir =
      inTestsDir.length * 2 >= tests.length && tests.length > 0
        ? mostCommon(inTestsDir.map(dirOf))
        : undefined;
    proposed = dir
      ? `${dir}/test_${name}.py`
      : `${dirOf(source) ? `${dirOf(source)}/` : 'tests/'}test_${name}.py`;
    convention = dir
      ? `in ${dir}/, test_*.py`
      : tests.length
        ? 'next to the source, test_*.py'
        : 'tests/test_*.py (no tests yet)';
  } else if (lang === 'go') {
    proposed = `${dirOf(source) ? `${dirOf(source)}/` : ''}${name}_test.go`;
    convention = 'next to the source, *_test.go';
  } else if (lang === 'java') {
    proposed = source.replace(/(^|\/)src\/main\/java\//, '$1src/test/java/').replace(/\.java$/, 'Test.java');
    convention = 'src/test/java, *Test.java';
  } else if (lang === 'rust') {
    proposed = `tests/${name}.rs`;
    convention = 'tests/*.rs';
  } else {
    proposed = `${dirOf(source) ? `${dirOf(source)}/` : ''}${name}.test${ext}`;
    convention = 'unknown';
  }
  // Never replace a file: a second test file for the same source gets a distinct name.
  const first = proposed;
  for (let i = 2; files.has(proposed); i++)
    proposed = first.replace(/^((?:.*\/)?)([^/.]+)/, (_m, dir: string, n: string) => `${dir}${n}_${i}`);
  const nearest = [...tests]
    .sort((a, b) => {
      const named = Number(stem(b).startsWith(name)) - Number(stem(a).startsWith(name));
      return (
        named || closeness(source, b) - closeness(source, a) || a.length - b.length || a.localeCompare(b)
      );
    })
    .slice(0, 2);
  return { tests, proposedPath: proposed, convention, nearest };
}
