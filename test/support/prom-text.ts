/** One sample of Prometheus' text exposition format: `name{label="value",…} 12.5`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the text format (version 0.0.4) back into samples, and checks its shape as it goes: every
 * sample's family was declared by `# HELP` and `# TYPE` lines first, label values are properly
 * quoted and escaped. Throws on anything else, so a malformed exposition fails the test.
 */
export function parseProm(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1] ?? '';
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    let rest = body;
    while (rest) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/.exec(rest);
      if (!l) throw new Error(`bad labels in: ${line}`);
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
    const family = name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!types.has(name) && !types.has(family)) throw new Error(`sample before its # TYPE: ${line}`);
    // Go's ParseFloat (Prometheus' parser) takes NaN and ±Inf in any case; prom-client writes "Nan".
    const raw = m[3] ?? '';
    const value = /^nan$/i.test(raw)
      ? Number.NaN
      : /^([+-])inf$/i.test(raw)
        ? Number(`${raw[0]}Infinity`)
        : Number(raw);
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value in: ${line}`);
    samples.push({ name, labels, value });
  }
  return { samples, types };
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
