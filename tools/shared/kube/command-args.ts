/**
 * `/ops status` and `/ops logs` argument parsing into the tools' inputs, and the button action ids
 * their Slack messages use (register them with the Slack adapter: `KUBE_ACTION_IDS`).
 *
 *   /ops status [namespace] [--cluster <context>]
 *   /ops logs <workload-or-pod> [namespace] [--previous | --current] [--container <name>] [--cluster <context>] [--lines <n>]
 *
 * Without --previous/--current, workload_details picks the previous instance for a crash-looping container.
 * Both take already tokenized words (quotes resolved). Errors are AppError `bad_arguments` whose
 * userMessage includes the usage line.
 */

import { AppError } from '../errors.ts';

export const STATUS_USAGE = '/ops status [namespace] [--cluster <context>]';
export const LOGS_USAGE =
  '/ops logs <workload-or-pod> [namespace] [--previous | --current] [--container <name>] [--cluster <context>] [--lines <n>]';

/** Action ids of the buttons these tools render; each button's value is the `/ops …` command to run. */
export const KUBE_ACTION_IDS = { status: 'kube_status', logs: 'kube_logs' } as const;

export interface StatusArgs {
  namespace?: string;
  cluster?: string;
}

export interface LogsArgs {
  name: string;
  namespace?: string;
  cluster?: string;
  previous?: boolean;
  container?: string;
  tailLines?: number;
}

function bad(message: string, usage: string): AppError {
  return new AppError({ code: 'bad_arguments', userMessage: `${message} Usage: \`${usage}\`` });
}

function split(
  words: readonly string[],
  valued: readonly string[],
  booleans: readonly string[],
  usage: string,
): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!w.startsWith('-') || w === '-') {
      positional.push(w);
      continue;
    }
    const body = w.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (booleans.includes(name)) {
      if (eq >= 0) throw bad(`--${name} takes no value.`, usage);
      flags.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? body.slice(eq + 1) : words[++i];
      if (value === undefined || value === '' || value.startsWith('--'))
        throw bad(`--${name} needs a value.`, usage);
      flags.set(name, value);
    } else {
      throw bad(`Unknown option ${w}.`, usage);
    }
  }
  return { positional, flags };
}

/** `/ops status` words → the cluster_status input. */
export function parseStatusArgs(words: readonly string[]): StatusArgs {
  const { positional, flags } = split(words, ['cluster', 'context', 'namespace', 'n'], [], STATUS_USAGE);
  const ns = flags.get('namespace') ?? flags.get('n');
  if (positional.length > 1 || (positional.length === 1 && typeof ns === 'string')) {
    throw bad(
      `Expected at most one namespace, got "${[...positional, ...(typeof ns === 'string' ? [ns] : [])].join(' ')}".`,
      STATUS_USAGE,
    );
  }
  const out: StatusArgs = {};
  const namespace = positional[0] ?? (typeof ns === 'string' ? ns : undefined);
  if (namespace) out.namespace = namespace;
  const cluster = flags.get('cluster') ?? flags.get('context');
  if (typeof cluster === 'string') out.cluster = cluster;
  return out;
}

/** `/ops logs` words → the workload_details input. */
export function parseLogsArgs(words: readonly string[]): LogsArgs {
  const { positional, flags } = split(
    words,
    ['cluster', 'context', 'namespace', 'n', 'container', 'c', 'lines', 'tail'],
    ['previous', 'p', 'current'],
    LOGS_USAGE,
  );
  const ns = flags.get('namespace') ?? flags.get('n');
  const [name, nsPositional, ...rest] = positional;
  if (!name) throw bad('Name a workload or pod.', LOGS_USAGE);
  if (rest.length > 0 || (nsPositional && typeof ns === 'string'))
    throw bad(`Unexpected "${[...rest].join(' ') || nsPositional}".`, LOGS_USAGE);
  const out: LogsArgs = { name };
  const namespace = nsPositional ?? (typeof ns === 'string' ? ns : undefined);
  if (namespace) out.namespace = namespace;
  const cluster = flags.get('cluster') ?? flags.get('context');
  if (typeof cluster === 'string') out.cluster = cluster;
  const previous = flags.has('previous') || flags.has('p');
  if (previous && flags.has('current')) throw bad('Use --previous or --current, not both.', LOGS_USAGE);
  if (previous) out.previous = true;
  if (flags.has('current')) out.previous = false;
  const container = flags.get('container') ?? flags.get('c');
  if (typeof container === 'string') out.container = container;
  const lines = flags.get('lines') ?? flags.get('tail');
  if (typeof lines === 'string') {
    const n = Number(lines);
    if (!Number.isInteger(n) || n < 1)
      throw bad(`--lines must be a positive whole number, not "${lines}".`, LOGS_USAGE);
    out.tailLines = n;
  }
  return out;
}

/** The `/ops` command a button runs, with the same arguments the parsers accept. */
export function statusCommand(args: StatusArgs): string {
  return ['/ops status', args.namespace, args.cluster ? `--cluster ${args.cluster}` : undefined]
    .filter(Boolean)
    .join(' ');
}

export function logsCommand(args: LogsArgs): string {
  return [
    '/ops logs',
    args.name,
    args.namespace,
    args.container ? `--container ${args.container}` : undefined,
    args.previous === true ? '--previous' : args.previous === false ? '--current' : undefined,
    args.cluster ? `--cluster ${args.cluster}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}
