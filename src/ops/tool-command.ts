import type { Tool } from '../../tools/shared/define-tool.ts';
import { type Ports, portNotConfigured } from '../../tools/shared/ports.ts';
import { type Enqueue, safeJobId } from '../jobs/enqueue.ts';
import { runToolSpec } from '../jobs/specs/run-tool.ts';
import type { OpsCommand } from './command.ts';

/**
 * The `/ops` subcommand of a tool that carries one (`tool.command`): parse the words (a usage error
 * before anything runs), refuse at once when a port it needs is not configured, then enqueue the
 * `run_tool` job under an id derived from the invocation (a repeat is a no-op) and answer at once.
 */
export function toolCommand<I>(
  tool: Tool<I, unknown>,
  deps: { enqueue: Enqueue; ports: Omit<Ports, 'redact'> },
): OpsCommand {
  const alias = tool.command;
  if (!alias) throw new Error(`tool ${tool.name} has no /ops alias`);
  return {
    name: alias.name,
    usage: alias.usage,
    summary: alias.summary,
    keywords: alias.keywords,
    async run(argv, ctx) {
      const input = alias.parse(argv);
      // Validate with the tool's schema too, so a bad value is refused here and not in the worker.
      tool.input.parse(input);
      const needed = typeof alias.requires === 'function' ? alias.requires(input) : (alias.requires ?? []);
      const missing = needed.find((p) => deps.ports[p] === undefined);
      if (missing) throw portNotConfigured(missing);
      const r = await deps.enqueue({
        spec: runToolSpec,
        payload: { tool: tool.name, input },
        jobId: safeJobId(alias.name, ctx.invocationId),
        requestedBy: ctx.requester.userId,
        target: ctx.target,
        traceId: ctx.traceId,
        title: alias.title(input),
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
