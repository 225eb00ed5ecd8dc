import { draftTests } from '../../tools/draft-tests.ts';
import type { TestsPort } from '../../tools/shared/tests-port.ts';
import { processOpenPr } from '../jobs/processors/tests-pr.ts';
import { processTestsWatch } from '../jobs/processors/tests-watch.ts';
import { handle } from '../jobs/spec.ts';
import { testsOpenSpec, testsWatchSpec } from '../jobs/specs/tests.ts';
import { createTestsCommand } from '../ops/commands/tests.ts';
import { createDraftStore } from '../tests/store.ts';
import { createWatchIndex } from '../tests/watch-index.ts';
import { workflowRunListener } from '../tests/workflow-run-listener.ts';
import { defineFeature } from './feature.ts';

/**
 * Drafting tests (#12): `/ops tests` and the agent's `draft_tests` — the repository read through the
 * GitHub API, a draft in its own framework and style from the model, checked before anyone sees it,
 * and an Open draft PR button for admins and the service's deployers; then the PR's CI watched
 * (polls, woken early by `workflow_run` deliveries when the webhook is set). Provides the `tests` port
 * (the model and the draft store) to the tool. Without an LLM the tool answers from rules alone.
 */
export const tests = defineFeature({
  name: 'tests',
  needs: ['config', 'redis', 'queue', 'ports', 'policy', 'llm'],
  actions: ['tests_open', 'tests_discard'],
  build: (d) => {
    const store = createDraftStore(d.redis, d.config.redis.prefix);
    const llm = d.llm;
    const port: TestsPort = {
      promptTokens: d.config.tests.promptTokens,
      save: (draft) => store.save(draft),
      ...(llm
        ? {
            modelName: llm.modelName,
            complete: async (prompt, signal) =>
              (await import('../tests/model.ts')).completeWith(llm, prompt, signal),
          }
        : {}),
    };
    const ports = { ...d.ports, tests: port };
    const index = createWatchIndex(d.redis, d.config.redis.prefix);
    const watch = { enqueue: d.queue.enqueue, timing: d.config.tests, index };
    return {
      tools: [draftTests] as never[],
      commands: [createTestsCommand({ enqueue: d.queue.enqueue, ports, policy: d.policy, store })],
      jobs: [
        handle(testsOpenSpec, (run) => processOpenPr(run, { store, repo: d.ports.repo, watch })),
        handle(testsWatchSpec, (run) =>
          processTestsWatch(run, { ...watch, github: d.ports.github, repo: d.ports.repo, ports, store }),
        ),
      ],
      // A completed run of a watched commit wakes its watch (with GITHUB_WEBHOOK_SECRET; else polls only).
      githubEvents: [
        workflowRunListener({ index, promote: d.queue.promote, nudgeTtlMs: d.config.tests.maxPollMs * 2 }),
      ],
      provides: { tests: port },
    };
  },
});
