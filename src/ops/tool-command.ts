import type { Tool } from '../../tools/shared/define-tool.ts';
import type { AppError } from '../errors.ts';
import type { RunToolPayload } from '../jobs/processors/run-tool.ts';
import type { JobKind } from '../jobs/queues.ts';
import { type JobRuntime, safeJobId } from '../jobs/runtime.ts';
import type { OpsCommand } from './command.ts';

/**
 * An `/ops` subcommand that runs a read tool as a job: parse (throwing a usage error before anything
 * runs), enqueue under an id derived from the invocation (a repeat is a no-op), answer at once.
 */
export function createToolCommand<I>(o: {
  name: string;
  usage: string;
  summary: string;
  keywords?: readonly string[];
  tool: Tool<I, unknown>;
  parse: (argv: readonly string[]) => I;
  title: (input: I) => string;
  jobs: JobRuntime;
  runTool: JobKind<RunToolPayload>;
  /** Refuses at once (before queueing) when the integration the tool needs is not configured. */
  unavailable?: () => AppError | undefined;
}): OpsCommand {
  return {
    name: o.name,
    usage: o.usage,
    summary: o.summary,
    keywords: o.keywords,
    async run(argv, ctx) {
      const missing = o.unavailable?.();
      if (missing) throw missing;
      const input = o.parse(argv);
      // Validate with the tool's schema too, so a bad value is refused here and not in the worker.
      o.tool.input.parse(input);
      const r = await o.jobs.enqueue({
        kind: o.runTool,
        payload: { tool: o.tool.name, input },
        jobId: safeJobId(o.name, ctx.invocationId),
        requestedBy: ctx.requester.userId,
        target: ctx.target,
        traceId: ctx.traceId,
        title: o.title(input),
      });
      // Slack shows nothing for an empty ack; the progress message appears in the channel.
      return {
        message: { text: r.created ? '' : `Already running as job ${r.jobId}.` },
        visibility: 'ephemeral',
        jobIds: [r.jobId],
      };
    },
  };
}
