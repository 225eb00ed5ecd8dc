import { createRunToolProcessor } from '../jobs/processors/run-tool.ts';
import { handle } from '../jobs/spec.ts';
import { runToolSpec } from '../jobs/specs/run-tool.ts';
import type { OpsCommand } from '../ops/command.ts';
import { createCancelCommand } from '../ops/commands/cancel.ts';
import { renderHelp } from '../ops/help.ts';
import { defineFeature } from './feature.ts';

const HELP = {
  name: 'help',
  usage: '/ops help',
  summary: 'this list',
  keywords: ['help', 'commands'],
} as const;

/**
 * What every Shipmate has: `/ops help` (every feature's commands, rendered once), `/ops cancel`, and
 * the run_tool job behind every tool's `/ops` alias. Listed after the features whose commands and
 * tools it serves.
 */
export const core = defineFeature({
  name: 'core',
  needs: ['queue', 'policy', 'ports', 'catalog'],
  actions: ['job_cancel'],
  build: ({ queue, policy, ports, catalog }) => {
    const cancel = createCancelCommand({ cancel: queue.cancel, policy });
    const help = renderHelp([...catalog.commands, HELP, cancel]);
    const helpCommand: OpsCommand = {
      ...HELP,
      run: async () => ({ message: help, visibility: 'ephemeral' }),
    };
    return {
      commands: [helpCommand, cancel],
      jobs: [
        handle(
          runToolSpec,
          createRunToolProcessor({ tools: catalog.tools, ports, decorate: catalog.decorate }),
        ),
      ],
    };
  },
});
