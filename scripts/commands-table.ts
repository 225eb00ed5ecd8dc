/**
 * README.md's commands table from the commands themselves: the first column is each `/ops`
 * subcommand's own usage line (flags included), the second the README's description of it (kept
 * from the current table), or the command's summary for a new one. `node scripts/commands-table.ts`
 * prints it; `--write` replaces the table in README.md. `test/unit/readme.test.ts` fails when the
 * usages differ. Builds the app fully configured (shipmate.example.yml, GitHub, an LLM) to list every
 * command, so it needs Redis at REDIS_URL (default redis://127.0.0.1:6379); nothing is started.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export interface CommandRow {
  name: string;
  usage: string;
  summary: string;
}

/** Every subcommand help lists, in help's order, from a fully configured app. */
export async function opsCommands(
  redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<CommandRow[]> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    SHIPMATE_QUEUE_PREFIX: 'shipmate-commands-table',
    SHIPMATE_CONFIG: new URL('../shipmate.example.yml', import.meta.url).pathname,
    GITHUB_TOKEN: 'unused',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  });
  const app = await createApp(config, { log: pino({ level: 'silent' }) });
  try {
    const visible = app.router.commands.filter((c) => !c.hidden);
    const order = [...visible.filter((c) => c.name === 'help'), ...visible.filter((c) => c.name !== 'help')];
    return order.map((c) => ({ name: c.name, usage: c.usage, summary: c.summary }));
  } finally {
    await app.stop();
  }
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');
const unescapeCell = (s: string) => s.replace(/\\\|/g, '|');

/** The rows of README's commands table: [usage, description], cells unescaped. */
export function readmeCommandRows(readme: string): Array<[string, string]> {
  const at = readme.indexOf('| command');
  if (at < 0) return [];
  const rows: Array<[string, string]> = [];
  for (const line of readme.slice(at).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const m = /^\|\s*`((?:[^`])+)`\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (m) rows.push([unescapeCell(m[1] ?? ''), m[2] ?? '']);
  }
  return rows;
}

export function commandsTable(commands: readonly CommandRow[], readme: string): string {
  const described = new Map(
    readmeCommandRows(readme).map(([usage, doc]) => [usage.split(/\s/)[1] ?? '', doc]),
  );
  const rows = commands.map((c) => `| \`${escapeCell(c.usage)}\` | ${described.get(c.name) ?? c.summary} |`);
  return ['| command | what it does |', '| --- | --- |', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('commands-table.ts')) {
  const readme = readFileSync('README.md', 'utf8');
  const table = commandsTable(await opsCommands(), readme);
  if (process.argv.includes('--write')) {
    writeFileSync(
      'README.md',
      readme.replace(/\|\s*command\s*\|\s*what it does\s*\|\n(?:\|.*\|\n)+/, `${table}\n`),
    );
  } else {
    process.stdout.write(`${table}\n`);
  }
  process.exit(0);
}
