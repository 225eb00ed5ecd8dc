import type { Language } from './layout.ts';

export interface ExportedName {
  name: string;
  /** Types and interfaces cannot be exercised by a test; functions, classes and values can. */
  kind: 'value' | 'type';
  /** 0-based line of its declaration. */
  line: number;
}

const JS_DECL =
  /^export\s+(?:declare\s+)?(default\s+)?(?:async\s+)?(function\*?|class|abstract\s+class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;
const JS_LIST = /^export\s+(type\s+)?\{([^}]*)\}/;

/** The names a source file exports (TypeScript/JavaScript, Python, Go); [] for other languages. */
export function exportedNames(text: string, lang: Language): ExportedName[] {
  const lines = text.split('\n');
  const out: ExportedName[] = [];
  const add = (name: string, kind: ExportedName['kind'], line: number) => {
    if (!out.some((e) => e.name === name)) out.push({ name, kind, line });
  };
  if (lang === 'typescript' || lang === 'javascript') {
    lines.forEach((l, i) => {
      const d = JS_DECL.exec(l);
      if (d) {
        add(d[3] ?? '', d[2] === 'interface' || d[2] === 'type' ? 'type' : 'value', i);
        return;
      }
      const list = JS_LIST.exec(l);
      if (list && !/from\s+['"]/.test(l.slice(list[0].length, list[0].length + 40))) {
        for (const part of (list[2] ?? '').split(',')) {
          const m = /^\s*(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
          if (m) add(m[3] ?? m[2] ?? '', list[1] || m[1] ? 'type' : 'value', i);
        }
      } else if (/^export\s+default\b/.test(l)) add('default', 'value', i);
    });
  } else if (lang === 'python') {
    const all = /^__all__\s*=\s*[[(]([^\])]*)[\])]/m.exec(text);
    const listed = all
      ? new Set([...(all[1] ?? '').matchAll(/['"](\w+)['"]/g)].map((m) => m[1] ?? ''))
      : undefined;
    lines.forEach((l, i) => {
      const m =
        /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/.exec(l) ??
        /^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)/.exec(l);
      const name = m?.[1];
      if (!name || (listed ? !listed.has(name) : name.startsWith('_')) || name === '__all__') return;
      add(name, 'value', i);
    });
  } else if (lang === 'go') {
    lines.forEach((l, i) => {
      const m = /^func\s+(?:\([^)]*\)\s*)?([A-Z]\w*)/.exec(l) ?? /^type\s+([A-Z]\w*)/.exec(l);
      if (m?.[1]) add(m[1], l.startsWith('type') ? 'type' : 'value', i);
    });
  }
  return out;
}

/** Whether a line starts a new top-level statement (a declaration boundary for cutting). */
function topLevel(line: string, lang: Language): boolean {
  if (!line || /^\s/.test(line)) return false;
  if (lang === 'python') return !/^[)\]}#]/.test(line);
  return !/^[)\]}]/.test(line) && !/^(\/\/|\/\*|\*)/.test(line);
}

/**
 * The file within `maxChars`: whole when it fits; otherwise its imports and the exported declarations
 * with their bodies, in file order, until the budget is spent, each gap marked with how many lines
 * were left out.
 */
export function cutToExports(text: string, lang: Language, maxChars: number): { text: string; cut: boolean } {
  if (text.length <= maxChars) return { text, cut: false };
  const lines = text.split('\n');
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (/^(import\b|from\s+\S+\s+import\b|package\b|use\b)/.test(l)) keep.add(i);
  });
  let used = [...keep].reduce((n, i) => n + (lines[i]?.length ?? 0) + 1, 0);
  for (const e of exportedNames(text, lang)) {
    let end = e.line + 1;
    while (end < lines.length && !topLevel(lines[end] ?? '', lang)) end++;
    // A closing brace at column 0 belongs to the declaration.
    if (end < lines.length && /^[}\])]/.test(lines[end] ?? '')) end++;
    const size = lines.slice(e.line, end).reduce((n, l) => n + l.length + 1, 0);
    if (used + size > maxChars) {
      // Too big whole: keep its signature line at least.
      if (used + (lines[e.line]?.length ?? 0) < maxChars) {
        keep.add(e.line);
        used += (lines[e.line]?.length ?? 0) + 1;
      }
      continue;
    }
    for (let i = e.line; i < end; i++) keep.add(i);
    used += size;
  }
  const out: string[] = [];
  let gap = 0;
  const comment = lang === 'python' ? '#' : '//';
  lines.forEach((l, i) => {
    if (keep.has(i)) {
      if (gap) out.push(`${comment} … ${gap} line${gap === 1 ? '' : 's'} left out`);
      gap = 0;
      out.push(l);
    } else gap++;
  });
  if (gap) out.push(`${comment} … ${gap} line${gap === 1 ? '' : 's'} left out`);
  return { text: out.join('\n'), cut: true };
}
