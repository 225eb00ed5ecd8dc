import { z } from 'zod';
import { context, escapeMrkdwn, section } from '../../../tools/shared/compact.ts';
import type { OpsCommand } from '../../ops/command.ts';
import { renderHelp } from '../../ops/router.ts';
import { defineJob, type JobKind, type JobOutcome, type JobRun } from '../queues.ts';

export const agentTurnPayload = z.object({
  text: z.string().max(40_000),
});
export type AgentTurnPayload = z.infer<typeof agentTurnPayload>;

/**
 * Without an LLM, a mention gets a deterministic answer: the `/ops` commands whose words match what
 * was asked (all of them when nothing matches) and how to turn on free-text understanding.
 */
export function processDeterministicTurn(
  run: JobRun<AgentTurnPayload>,
  commands: readonly OpsCommand[],
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
      text: `${lead}\n${lines.join('\n')}\n${enable}`,
      blocks: [section(`${lead}\n${lines.join('\n')}`), context(enable)],
    },
  };
}

/** The job that answers an @mention or DM in its thread. */
export function createAgentTurnJob(deps: {
  commands: () => readonly OpsCommand[];
}): JobKind<AgentTurnPayload> {
  return defineJob({
    name: 'agent_turn',
    payload: agentTurnPayload,
    attempts: 3,
    async process(run) {
      return processDeterministicTurn(run, deps.commands());
    },
  });
}
