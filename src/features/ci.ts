import { recentCiFailures } from '../../tools/recent-ci-failures.ts';
import { CI_ACTION_IDS } from '../../tools/shared/ci/commands.ts';
import type { LogTriageResult } from '../../tools/shared/ci/log-triage.ts';
import type { TriageResult } from '../../tools/shared/ci/triage.ts';
import { triageBuild } from '../../tools/triage-build.ts';
import type { TriageExplainer } from '../agent/explain-failure.ts';
import type { LlmPort } from '../clients/llm.ts';
import { ciSection } from '../digests/sections/ci.ts';
import { ciTriageListener } from '../http/ci-triage-listener.ts';
import { processCiRerun } from '../jobs/processors/ci-rerun.ts';
import { handle, lazyHandler } from '../jobs/spec.ts';
import { ciRerunSpec, ciTriageLogSpec, ciTriageSpec } from '../jobs/specs/ci.ts';
import { createRerunCommand } from '../ops/commands/rerun.ts';
import { toolCommand } from '../ops/tool-command.ts';
import { createTriageLogShortcut, TRIAGE_LOG_SHORTCUT } from '../ops/triage-log-shortcut.ts';
import { defineFeature } from './feature.ts';

/** The LLM's explanation of a failed build, loaded (with LangChain) only when first asked for. */
function lazyExplainer(llm: LlmPort, redact: (text: string) => string): () => Promise<TriageExplainer> {
  let explainer: Promise<TriageExplainer> | undefined;
  return () => {
    explainer ??= Promise.all([import('../agent/explain-failure.ts'), llm.model()]).then(([m, model]) =>
      m.createTriageExplainer({ model, modelName: llm.modelName, redact }),
    );
    return explainer;
  };
}

/**
 * CI (#4): `/ops triage` (triage_build), `/ops rerun`, recent failures for the agent, automatic triage
 * of failed runs posted to `ci.channels` from GitHub's webhook, an LLM explanation when one is set, and
 * the digests' `ci` section; `/ops triage <url>` for any CI's raw log and the **Triage this log**
 * message shortcut (a log pasted or attached in Slack, answered in its thread).
 */
export const ci = defineFeature({
  name: 'ci',
  needs: ['config', 'queue', 'ports', 'policy', 'audit', 'redis', 'messenger', 'llm', 'slackFiles'],
  actions: Object.values(CI_ACTION_IDS),
  shortcuts: [TRIAGE_LOG_SHORTCUT],
  build: (d) => {
    const github = d.ports.github;
    const explainer = d.llm ? lazyExplainer(d.llm, d.ports.redact) : undefined;
    return {
      tools: [recentCiFailures, triageBuild] as never[],
      digestSections: [ciSection(d.ports, Object.keys(d.config.team.ci.channels))],
      commands: [
        toolCommand(triageBuild, { enqueue: d.queue.enqueue, ports: d.ports }),
        createRerunCommand({ enqueue: d.queue.enqueue, policy: d.policy, github }),
      ],
      shortcuts: [createTriageLogShortcut({ enqueue: d.queue.enqueue })],
      jobs: [
        // Re-runs use the full GitHub port; the agent's is read-only.
        handle(ciRerunSpec, (run) => processCiRerun(run, { github, audit: d.audit, team: d.config.team })),
        lazyHandler(ciTriageSpec, async () => {
          const { processCiTriage } = await import('../jobs/processors/ci-triage.ts');
          const deps = {
            github,
            redact: d.ports.redact,
            redis: d.redis,
            prefix: d.config.redis.prefix,
            messenger: d.messenger,
            explainer: explainer && (await explainer()),
          };
          return (run) => processCiTriage(run, deps);
        }),
        lazyHandler(ciTriageLogSpec, async () => {
          const { processCiTriageLog } = await import('../jobs/processors/ci-triage-log.ts');
          const deps = {
            redact: d.ports.redact,
            files: d.slackFiles,
            explainer: explainer && (await explainer()),
          };
          return (run) => processCiTriageLog(run, deps);
        }),
      ],
      // Served as POST /github/webhook only when GITHUB_WEBHOOK_SECRET is set (src/serve.ts).
      githubEvents: [ciTriageListener({ channels: d.config.team.ci.channels, enqueue: d.queue.enqueue })],
      decorate: explainer
        ? {
            [triageBuild.name]: async (result, message, run) =>
              (await explainer()).addTo(result as TriageResult | LogTriageResult, message, {
                log: run.log,
                signal: run.signal,
                progress: run.progress,
              }),
          }
        : {},
    };
  },
});
