import { processDeterministicTurn } from '../agent/guide.ts';
import { readOnlyGitHub } from '../clients/github.ts';
import { readOnlyRepo } from '../clients/github-repo.ts';
import { handle, lazyHandler } from '../jobs/spec.ts';
import { agentTurnSpec } from '../jobs/specs/agent-turn.ts';
import { createMentionHandler } from '../ops/mention.ts';
import { defineFeature } from './feature.ts';

/**
 * The agent (#6): @mentions, DMs and console free text become an agent_turn job that answers in the
 * thread with the tools of every feature listed before it. Its tools get read-only ports: nothing
 * the model asks for can change a cluster or a repository — it can only propose a change (the
 * `changes` port), which a person approves by clicking. Without an LLM, a mention gets the `/ops`
 * commands that match its words; LangChain is loaded only by workers, and only with an LLM.
 */
export const agent = defineFeature({
  name: 'agent',
  needs: ['config', 'redis', 'queue', 'ports', 'llm', 'threads', 'catalog'],
  build: ({ config, redis, queue, ports, llm, threads, catalog }) => {
    const mention = createMentionHandler({ enqueue: queue.enqueue });
    if (!llm || !config.llm) {
      return {
        mention,
        jobs: [handle(agentTurnSpec, async (run) => processDeterministicTurn(run, catalog.commands))],
      };
    }
    const llmConfig = config.llm;
    const agentPorts = {
      ...ports,
      github: ports.github && readOnlyGitHub(ports.github),
      repo: ports.repo && readOnlyRepo(ports.repo),
    };
    return {
      mention,
      jobs: [
        lazyHandler(agentTurnSpec, async () => {
          const [{ processAgentTurn }, { DEFAULT_LIMITS }, model] = await Promise.all([
            import('../jobs/processors/agent-turn.ts'),
            import('../agent/run-turn.ts'),
            llm.model(),
          ]);
          const deps = {
            model,
            modelName: llm.modelName,
            tools: catalog.tools,
            ports: agentPorts,
            threads,
            redis,
            prefix: config.redis.prefix,
            limits: { ...DEFAULT_LIMITS, timeoutMs: llmConfig.turnTimeoutMs },
            turnsPerMinute: llmConfig.turnsPerMinute,
          };
          return (run) => processAgentTurn(run, deps);
        }),
      ],
    };
  },
});
