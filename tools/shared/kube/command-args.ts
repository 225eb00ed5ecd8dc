/**
 * `/ops status` and `/ops logs` argument parsing into the tools' inputs, and the button action ids
 * their Slack messages use (register them with the Slack adapter: `KUBE_ACTION_IDS`).
 *
 *   /ops status [namespace] [--cluster <context>]
 *   /ops logs <workload-or-pod> [namespace] [--previous | --current] [--container <name>] [--cluster <context>] [--lines <n>]
 *
 * Without --previous/--current, workload_details picks the previous instance for a crash-looping container.
 * Both take already tokenized words (quotes resolved). Errors are AppError `usage` (tools/shared/args.ts) whose
 * userMessage includes the usage line.
 */

import { type ParsedArgs, parseArgs, usageError } from '../args.ts';

export const STATUS_USAGE = '/ops status [namespace] [--cluster <context>]';
/** The most log lines `/ops logs --lines` fetches (workload_details' `tailLines` limit). */
export const MAX_LOG_LINES = 200;

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

const bad = (message: string, usage: string) => usageError(usage, message);

function split(
  words: readonly string[],
  valued: readonly string[],
  booleans: readonly string[],
  usage: string,
): ParsedArgs {
  return parseArgs(words, { usage, valued, booleans });
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
    if (n > MAX_LOG_LINES) throw bad(`--lines is at most ${MAX_LOG_LINES}, not ${lines}.`, LOGS_USAGE);
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
