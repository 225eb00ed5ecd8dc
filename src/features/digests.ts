import type { LlmPort } from '../clients/llm.ts';
import { ConfigError } from '../config-error.ts';
import { createDigestStore } from '../digests/state.ts';
import { processDigest } from '../jobs/processors/digest.ts';
import { handle } from '../jobs/spec.ts';
import { digestRunSpec } from '../jobs/specs/digest.ts';
import { createDigestCommand } from '../ops/commands/digest.ts';
import { defineFeature } from './feature.ts';

/** The optional two-sentence lead, from the digest's own redacted text; LangChain loads on first use. */
function leadWriter(llm: LlmPort) {
  return async (digestText: string, signal: AbortSignal) => {
    const { writeDigestLead } = await import('../digests/lead.ts');
    const text = await writeDigestLead(await llm.model(), digestText, signal);
    return text ? { text, model: llm.modelName } : undefined;
  };
}

/**
 * Scheduled digests (#11): each `digests:` entry of the team file is a BullMQ job scheduler (cron and
 * time zone), reconciled when a worker starts; a run posts what is new, still failing and resolved
 * in the sections the earlier features bring (cluster, ci, deploys). `/ops digest` lists, previews
 * and posts them.
 */
export const digests = defineFeature({
  name: 'digests',
  needs: [
    'config',
    'log',
    'redis',
    'messenger',
    'queue',
    'policy',
    'llm',
    'ports',
    'digestSections',
    'metrics',
  ],
  build: (d) => {
    const team = d.config.team;
    const problems = team.digests.flatMap((g, i) =>
      g.sections.flatMap((s, j) =>
        d.digestSections.has(s)
          ? []
          : [
              `digests[${i}].sections[${j}]: there is no section "${s}"; known sections: ${[...d.digestSections.keys()].join(', ')}`,
            ],
      ),
    );
    if (problems.length) throw new ConfigError(problems);
    const store = createDigestStore(d.redis, d.config.redis.prefix);
    // A scheduled run ends in save (posted, or quiet: "all quiet" is posted too) or recordOutcome
    // (failed, skipped): count the posted and failed ones there, for /metrics.
    const count = (id: string, result: string | undefined) => {
      if (result === 'posted' || result === 'quiet') d.metrics.digest(id, 'posted');
      else if (result === 'failed') d.metrics.digest(id, 'failed');
    };
    const counted: typeof store = {
      ...store,
      async save(id, state) {
        await store.save(id, state);
        count(id, state.last?.result);
      },
      async recordOutcome(id, last) {
        await store.recordOutcome(id, last);
        count(id, last.result);
      },
    };
    const byId = new Map(team.digests.map((g) => [g.id, g]));
    const console = d.config.mode === 'console';
    return {
      commands: [
        createDigestCommand({
          digests: team.digests,
          store,
          enqueue: d.queue.enqueue,
          policy: d.policy,
          scheduled: !console,
        }),
      ],
      jobs: [
        handle(digestRunSpec, (run) =>
          processDigest(run, {
            digests: byId,
            sections: d.digestSections,
            store: counted,
            messenger: d.messenger,
            targetOf: (channel) => (console ? { kind: 'console' } : { kind: 'slack', channel }),
            admins: team.admins,
            graceMs: d.config.digests.graceMs,
            lateAfterMs: Math.min(d.config.digests.lateAfterMs, d.config.digests.graceMs),
            redact: d.ports.redact,
            ...(d.llm ? { lead: leadWriter(d.llm) } : {}),
          }),
        ),
      ],
      // The console keeps no schedules: its queue is its own and ends with it.
      onWorkerStart: console
        ? undefined
        : async () => {
            await d.queue.schedules.reconcile(
              'digest',
              team.digests.map((g) => ({
                id: `digest:${g.id}`,
                pattern: g.cron,
                tz: g.timezone,
                spec: digestRunSpec,
                payload: { digestId: g.id, mode: 'scheduled' as const },
                title: `Digest ${g.id}`,
                target: { kind: 'slack' as const, channel: g.channel },
              })),
            );
          },
    };
  },
});
