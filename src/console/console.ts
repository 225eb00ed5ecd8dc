import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { newTraceId, requestContext } from '../context.ts';
import type { JobRuntime } from '../jobs/runtime.ts';
import type { Logger } from '../log.ts';
import type { MentionHandler } from '../ops/mention.ts';
import type { OpsRouter } from '../ops/router.ts';
import { messageToText } from './render.ts';

export interface ConsoleOptions {
  input: Readable;
  write: (text: string) => void;
  router: OpsRouter;
  onMention?: MentionHandler;
  jobs: JobRuntime;
  userId: string;
  log: Logger;
  /** Shows a prompt (when stdin is a terminal). */
  interactive: boolean;
  /** How long to wait at end of input for queued jobs. */
  drainTimeoutMs: number;
}

/**
 * The no-Slack front door: each input line is an `/ops` command or free text addressed to the bot.
 * Lines are handled in order. At end of input it waits for the jobs it started, then resolves —
 * so `printf '/ops help\n' | npm start` works in scripts.
 */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: o.input, terminal: false });
  const session = newTraceId().slice(0, 6);
  const jobIds: string[] = [];
  let lineNo = 0;
  if (o.interactive) {
    o.write('Shipmate console. Type /ops help, or ask in your own words. Ctrl-D to quit.');
  }
  for await (const raw of rl) {
    let line = raw.trim();
    lineNo++;
    if (!line) continue;
    if (line === 'exit' || line === 'quit') break;
    // `/as U2BOB /ops approve req-…` — act as another person, to try flows that need a second pair of eyes.
    let userId = o.userId;
    const as = /^\/as\s+([UW][A-Z0-9]+)\s+(.+)$/.exec(line);
    if (as) {
      userId = as[1] ?? userId;
      line = (as[2] ?? '').trim();
    } else if (line.startsWith('/as')) {
      o.write('Usage: /as <user-id> <line>, e.g. /as U2BOB /ops approve req-3f9a2c10');
      continue;
    }
    const ctx = requestContext(o.log, {
      requester: { userId, channelId: 'CONSOLE' },
      target: { kind: 'console' },
      invocationId: `console-${session}-${lineNo}`,
      surface: 'console',
      logFields: { line: lineNo },
    });
    const log = ctx.log;
    try {
      if (line === '/ops' || line.startsWith('/ops ')) {
        const reply = await o.router.handle(line.slice(4), ctx);
        if (reply.message.text || reply.message.blocks) o.write(messageToText(reply.message));
        jobIds.push(...(reply.jobIds ?? []));
      } else if (line.startsWith('/')) {
        o.write(`Unknown command ${line.split(/\s/)[0]}. Commands start with /ops — try /ops help.`);
      } else {
        if (!o.onMention) {
          o.write('Free text needs the agent feature; commands start with /ops — try /ops help.');
          continue;
        }
        const r = await o.onMention({
          text: line,
          requester: ctx.requester,
          target: ctx.target,
          traceId: ctx.traceId,
          eventId: ctx.invocationId,
        });
        jobIds.push(r.jobId);
      }
    } catch (err) {
      log.error({ err }, 'console line failed');
      o.write(`Error: ${(err as Error).message}`);
    }
  }
  await o.jobs.waitForJobs(jobIds, o.drainTimeoutMs);
}
