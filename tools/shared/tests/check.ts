import { builtinModules } from 'node:module';
import { parser as jsParser } from '@lezer/javascript';
import { parser as pyParser } from '@lezer/python';
import type { ExportedName } from './exports.ts';
import { type Language, packageDependencies } from './layout.ts';

/** Python's standard library (sys.stdlib_module_names of CPython 3.11, public names). */
const PY_STDLIB = new Set(
  'abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo'.split(
    ' ',
  ),
);

const TS = jsParser.configure({ dialect: 'ts jsx' });
const JS = jsParser.configure({ dialect: 'jsx' });

export interface DraftCheckInput {
  code: string;
  lang: Language;
  /** Where the draft would be created. */
  testPath: string;
  /** The source file it must exercise. */
  sourcePath: string;
  exports: readonly ExportedName[];
  /** Every file path in the repository's tree. */
  paths: ReadonlySet<string>;
  /** package.json / pyproject.toml / requirements text, for declared dependencies. */
  manifests: { packageJson?: string; python?: string; tsconfig?: string };
  /** Existing test files read as examples (a draft must not copy one). */
  examples: readonly { path: string; text: string }[];
}

export interface DraftCheck {
  ok: boolean;
  /** Each failed check in one line, for the person and for the model's second try. */
  problems: string[];
  /** Checks that could not be made (no parser for the language). */
  notes: string[];
}

/** Where the first syntax error is, as "line L", or undefined when the code parses. */
function syntaxError(code: string, lang: Language): string | undefined {
  const parser = lang === 'python' ? pyParser : lang === 'typescript' ? TS : JS;
  let at: number | undefined;
  parser.parse(code).iterate({
    enter(n) {
      if (at === undefined && n.type.isError) at = n.from;
      return at === undefined;
    },
  });
  if (at === undefined) return undefined;
  const line = code.slice(0, at).split('\n').length;
  return `line ${line}: ${code.split('\n')[line - 1]?.trim().slice(0, 120) ?? ''}`;
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** `a/b/../c` → `a/c`; undefined when it climbs out of the repository. */
function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

const JS_EXTS = [
  '',
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '/index.ts',
  '/index.tsx',
  '/index.js',
];

/** The file a relative JS/TS import names, if the tree has it (`./cart.js` may be `cart.ts`). */
function resolveJs(spec: string, from: string, paths: ReadonlySet<string>): string | undefined {
  const base = normalize(`${dirOf(from)}/${spec}`);
  if (base === undefined) return undefined;
  const stems = [base, base.replace(/\.(m|c)?js$/, ''), base.replace(/\.jsx$/, '')];
  for (const s of stems) for (const e of JS_EXTS) if (paths.has(s + e)) return s + e;
  return undefined;
}

function jsImports(code: string): string[] {
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g))
    specs.push(m[1] ?? '');
  for (const m of code.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) specs.push(m[1] ?? '');
  for (const m of code.matchAll(
    /\b(?:require|import|jest\.mock|vi\.mock|jest\.requireActual|vi\.importActual)\(\s*['"]([^'"]+)['"]/g,
  ))
    specs.push(m[1] ?? '');
  return [...new Set(specs)];
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** `src/shop/cart.py` → the module names it can be imported as (`shop.cart`, `src.shop.cart`). */
function pythonModules(path: string): string[] {
  const mod = path
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .split('/');
  const out = [mod.join('.')];
  if (mod[0] === 'src' || mod[0] === 'lib') out.push(mod.slice(1).join('.'));
  return out;
}

function pyImports(code: string): { module: string; level: number; names: string[] }[] {
  const out: { module: string; level: number; names: string[] }[] = [];
  for (const m of code.matchAll(/^[ \t]*from\s+(\.*)([\w.]*)\s+import\s+\(?([^)\n]+)/gm))
    out.push({
      level: (m[1] ?? '').length,
      module: m[2] ?? '',
      names: (m[3] ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0] ?? ''),
    });
  for (const m of code.matchAll(/^[ \t]*import\s+([\w., \t]+)$/gm))
    for (const part of (m[1] ?? '').split(','))
      out.push({ level: 0, module: (part.trim().split(/\s+as\s+/)[0] ?? '').trim(), names: [] });
  return out;
}

const STUB =
  /\b(?:it|test|describe)\.(?:todo|skip)\(|\bx(?:it|describe|test)\(|pytest\.skip\(|@pytest\.mark\.skip|@unittest\.skip|\bt\.Skip\(|#\[ignore\]|@Disabled\b|not implemented|TODO: write/i;
const ASSERTION =
  /\bexpect\s*\(|\bassert\b|assert\.\w+\(|\bassert(?:Equal|True|False|Raises|In|Is|Equals|That|Throws)\w*\s*\(|\bt\.(?:Error|Fatal|Errorf|Fatalf)\(|assert(?:_eq|_ne)?!\(|\bshould\b|\bpytest\.raises\(/;

/**
 * Checks a drafted test before anyone sees it: it parses (TypeScript/JavaScript and Python, with
 * the Lezer parsers), every relative import resolves to a file in the tree and every package import
 * is a declared dependency (or the standard library), it imports the source and uses its exports,
 * it asserts something and skips nothing, and it is not an existing test file.
 */
export function checkDraft(i: DraftCheckInput): DraftCheck {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!i.code.trim()) return { ok: false, problems: ['the draft is empty'], notes };
  if (i.lang === 'typescript' || i.lang === 'javascript' || i.lang === 'python') {
    const err = syntaxError(i.code, i.lang);
    if (err) problems.push(`it does not parse as ${i.lang}: syntax error at ${err}`);
  } else notes.push(`not parsed: Shipmate has no ${i.lang} parser; the repository's CI will tell`);

  const valueExports = i.exports.filter((e) => e.kind === 'value').map((e) => e.name);
  let importsSource = false;
  if (i.lang === 'typescript' || i.lang === 'javascript') {
    const deps = packageDependencies(i.manifests.packageJson);
    const aliases = /"paths"\s*:/.test(i.manifests.tsconfig ?? '');
    for (const spec of jsImports(i.code)) {
      if (spec.startsWith('.')) {
        const file = resolveJs(spec, i.testPath, i.paths);
        if (!file) problems.push(`the import "${spec}" names no file in the repository (from ${i.testPath})`);
        else if (file === i.sourcePath) importsSource = true;
      } else if (
        spec.startsWith('node:') ||
        builtinModules.includes(spec) ||
        builtinModules.includes(packageName(spec))
      ) {
        // Node's own modules.
      } else if (!deps.has(packageName(spec)) && !(aliases && /^[@~#]\//.test(spec))) {
        problems.push(`the package "${packageName(spec)}" is not a dependency in package.json`);
      }
    }
  } else if (i.lang === 'python') {
    const own = new Set(pythonModules(i.sourcePath));
    const declared = (i.manifests.python ?? '').toLowerCase().replace(/[-.]/g, '_');
    const local = (top: string) =>
      [...i.paths].some(
        (p) =>
          p === `${top}.py` ||
          p.startsWith(`${top}/`) ||
          p.startsWith(`src/${top}/`) ||
          p === `src/${top}.py`,
      );
    for (const imp of pyImports(i.code)) {
      if (imp.level > 0) {
        const pkg = dirOf(i.testPath)
          .split('/')
          .slice(0, Math.max(0, dirOf(i.testPath).split('/').length - (imp.level - 1)));
        const target = [...pkg, ...imp.module.split('.').filter(Boolean)].join('/');
        const hit =
          [`${target}.py`, `${target}/__init__.py`].some((p) => i.paths.has(p)) ||
          imp.names.some((n) => i.paths.has(`${target}/${n}.py`));
        if (!hit)
          problems.push(
            `the relative import "${'.'.repeat(imp.level)}${imp.module}" names no module in the repository`,
          );
        if (
          [`${target}.py`].includes(i.sourcePath) ||
          imp.names.some((n) => `${target}/${n}.py` === i.sourcePath)
        )
          importsSource = true;
        continue;
      }
      const top = imp.module.split('.')[0] ?? '';
      if (own.has(imp.module) || imp.names.some((n) => own.has(`${imp.module}.${n}`))) importsSource = true;
      if (PY_STDLIB.has(top) || top === 'pytest' || local(top)) continue;
      if (!declared.includes(top.toLowerCase()))
        problems.push(
          `the module "${top}" is neither in the repository, the standard library nor a declared dependency`,
        );
    }
  } else {
    importsSource = true;
    notes.push('imports not checked for this language');
  }
  if (!importsSource) problems.push(`it does not import the file it is for (${i.sourcePath})`);
  if (
    valueExports.length &&
    !valueExports.some((n) => new RegExp(`\\b${n.replace(/[$]/g, '\\$')}\\b`).test(i.code))
  )
    problems.push(`it uses none of the file's exports (${valueExports.slice(0, 8).join(', ')})`);
  if (STUB.test(i.code))
    problems.push('it skips or leaves tests to do (todo, skip, xit, pytest.skip…): every test must run');
  if (!ASSERTION.test(i.code)) problems.push('it asserts nothing');
  if (i.paths.has(i.testPath)) problems.push(`${i.testPath} already exists`);
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const copied = i.examples.find((e) => norm(e.text) === norm(i.code));
  if (copied) problems.push(`it is a copy of ${copied.path}`);
  return { ok: problems.length === 0, problems, notes };
}
