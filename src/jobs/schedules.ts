import type { Queue } from 'bullmq';
import type { ReplyTarget } from '../context.ts';
import type { Logger } from '../log.ts';
import type { JobEnvelope } from './queues.ts';
import type { JobSpec } from './spec.ts';

/** A job run on a cron schedule: BullMQ job scheduler `id`, whose jobs are `repeat:<id>:<scheduled ms>`. */
export interface Schedule<P = unknown> {
  id: string;
  /** Cron, 5 fields or 6 with seconds first. */
  pattern: string;
  /** IANA time zone the pattern is read in. */
  tz: string;
  spec: JobSpec<P>;
  payload: P;
  title: string;
  target: ReplyTarget;
}

export interface ReconcileReport {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

export interface JobSchedules {
  /**
   * Makes the schedulers whose id starts with `<group>:` exactly `wanted`: adds new ones, updates
   * changed ones (pattern or time zone), removes the rest. An unchanged scheduler is left alone, so
   * a run that fell due while no worker was up is still waiting and runs when one comes back.
   */
  reconcile(group: string, wanted: readonly Schedule[]): Promise<ReconcileReport>;
  /** When the scheduler's next job is due (ms), if it exists. */
  next(id: string): Promise<number | undefined>;
}

/** The scheduled time of a job a scheduler made (`repeat:<scheduler>:<ms>`), if it is one. */
export function scheduledTimeOf(jobId: string): number | undefined {
  const m = /^repeat:.+:(\d{10,})$/.exec(jobId);
  return m ? Number(m[1]) : undefined;
}

export function createJobSchedules(queue: Queue, log: Logger): JobSchedules {
  return {
    async reconcile(group, wanted) {
      const report: ReconcileReport = { added: [], updated: [], removed: [], unchanged: [] };
      const existing = new Map(
        (await queue.getJobSchedulers(0, -1, true))
          .filter((s) => (s.key ?? '').startsWith(`${group}:`))
          .map((s) => [s.key, s]),
      );
      for (const w of wanted) {
        if (!w.id.startsWith(`${group}:`)) throw new Error(`schedule ${w.id} is not in group ${group}`);
        const found = existing.get(w.id);
        existing.delete(w.id);
        if (found && found.pattern === w.pattern && (found.tz ?? 'UTC') === w.tz) {
          report.unchanged.push(w.id);
          continue;
        }
        const env: JobEnvelope = {
          kind: w.spec.name,
          payload: w.payload,
          requestedBy: 'shipmate',
          target: w.target,
          traceId: `schedule-${w.id.replace(/[^A-Za-z0-9-]/g, '-')}`,
          title: w.title,
          ...(w.spec.cancellable === false ? { cancellable: false as const } : {}),
        };
        await queue.upsertJobScheduler(
          w.id,
          { pattern: w.pattern, tz: w.tz },
          {
            name: w.spec.name,
            data: env,
            opts: {
              attempts: w.spec.attempts ?? 3,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 7 * 86_400, count: 1000 },
              removeOnFail: { age: 7 * 86_400, count: 1000 },
            },
          },
        );
        (found ? report.updated : report.added).push(w.id);
      }
      for (const id of existing.keys()) {
        await queue.removeJobScheduler(id);
        report.removed.push(id);
      }
      log.info({ group, ...report }, 'job schedulers reconciled');
      return report;
    },
    async next(id) {
      return (await queue.getJobScheduler(id))?.next;
    },
  };
}
