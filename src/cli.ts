import { parseArgs } from 'node:util';

/** What `node src/main.ts [options]` was asked for. */
export interface CliOptions {
  demo: boolean;
  help: boolean;
  role?: string;
}

export const CLI_USAGE = `Usage: npm start [-- options]   (node src/main.ts [options])
  --role web|worker|all   In Slack mode: serve Slack and HTTP (web), run jobs (worker), or both (all, the default).
  --demo                  The console against a built-in sample world (same as npm run demo).
  --help                  This text.
With SLACK_BOT_TOKEN set Shipmate serves Slack; without it, a console on this terminal. README: "Connect it to Slack", "Configuration".`;

/**
 * Parses the command line strictly: an unknown option (`--rle web`) or a stray word is a usage
 * error naming it, never silently ignored. Throws an Error whose message is one line for the user.
 */
export function parseCli(argv: readonly string[]): CliOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        role: { type: 'string' },
        demo: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { demo: values.demo ?? false, help: values.help ?? false, role: values.role };
  } catch (e) {
    const m =
      /Unknown option '([^']+)'|Unexpected argument '([^']+)'|Option '([^']+)[^']*' argument missing/.exec(
        (e as Error).message,
      );
    const what = m?.[1]
      ? `unknown option ${m[1]}`
      : m?.[2]
        ? `unexpected argument "${m[2]}"`
        : m?.[3]
          ? `${m[3].split(' ')[0]} needs a value`
          : (e as Error).message;
    throw new Error(`${what}. Options: --role web|worker|all, --demo, --help.`);
  }
}
