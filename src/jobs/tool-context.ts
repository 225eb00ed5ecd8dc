import type { ToolContext } from '../../tools/shared/define-tool.ts';
import type { JobRun } from './queues.ts';

/**
 * The one place a ToolContext is built: from the job, whose requester and target came from the Slack
 * event or console line that queued it — never from arguments a model supplied.
 */
export function toolContext(run: JobRun<unknown>): ToolContext {
  return {
    userId: run.requestedBy,
    channelId: run.target.kind === 'slack' ? run.target.channel : undefined,
    traceId: run.traceId,
    signal: run.signal,
    progress: run.progress,
  };
}
