import { context, escapeMrkdwn, section } from '../../tools/shared/block-kit.ts';
import type { JobOutcome, JobRun } from '../jobs/queues.ts';
import type { AgentTurnPayload } from '../jobs/specs/agent-turn.ts';
import type { CommandInfo } from '../ops/command.ts';
import { renderHelp } from '../ops/help.ts';

/**
 * Without an LLM, a mention gets a deterministic answer: the `/ops` commands whose words match what
 * was asked (all of them when nothing matches) and how to turn on free-text understanding.
 */
export function processDeterministicTurn(
  run: JobRun<AgentTurnPayload>,
  commands: readonly CommandInfo[],
): JobOutcome {
  const words = new Set(run.payload.text.toLowerCase().match(/[a-z]+/g) ?? []);
  const matches = commands.filter((c) => [c.name, ...(c.keywords ?? [])].some((k) => words.has(k)));
  const enable =
    'I can answer in your own words once an LLM is configured (OPENAI_API_KEY, and OPENAI_BASE_URL / OPENAI_MODEL for other OpenAI-compatible servers).';
  if (!matches.length) {
    const help = renderHelp(commands);
    return {
      message: { text: `${help.text}\n${enable}`, blocks: [...(help.blocks ?? []), context(enable)] },
    };
  }
  const lines = matches.map((c) => `\`${escapeMrkdwn(c.usage)}\` — ${escapeMrkdwn(c.summary)}`);
  const lead = matches.length === 1 ? 'This command should help:' : 'These commands should help:';
  return {
    message: {
      text: `${lead}\n${matches.map((c) => `${c.usage} — ${c.summary}`).join('\n')}\n${enable}`,
      blocks: [section(`${lead}\n${lines.join('\n')}`), context(enable)],
    },
  };
}
