import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { newTraceId, requestContext } from '../context.ts';
import { isAppError } from '../errors.ts';
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
  /**
   * The id of the change request shown last on this terminal, so that `/ops approve` (or `reject`)
   * with no id means that one — the console's "the request above" (it names the id it used).
   */
  lastRequestId?: () => string | undefined;
}

/**
 * The no-Slack front door: each input line is an `/ops` command or free text addressed to the bot.
 * Lines are handled in order. Read from a pipe or file (not a terminal), each line's jobs finish
 * before the next line is read, so a script's output is in its order and a later line can act on
 * an earlier one's result (`/ops deploy …` then `/ops approve`). At end of input it waits for the
 * jobs it started, then resolves — so `printf '/ops help\n' | npm start` works in scripts.
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
    const bare = /^\/ops\s+(approve|reject)$/.exec(line);
    const recalled = bare ? o.lastRequestId?.() : undefined;
    if (bare && recalled) {
      line = `/ops ${bare[1]} ${recalled}`;
      o.write(`(${line} — the request shown last)`);
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
        if (!o.interactive) await o.jobs.waitForJobs(reply.jobIds ?? [], o.drainTimeoutMs);
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
        if (!o.interactive) await o.jobs.waitForJobs([r.jobId], o.drainTimeoutMs);
      }
    } catch (err) {
      // A refusal the person can act on is an answer, not a failure (mentions refuse this way).
      if (isAppError(err) && err.code !== 'internal' && !err.retryable) {
        log.info({ code: err.code }, 'console line refused');
        o.write(`⚠️ ${err.userMessage}`);
      } else {
        log.error({ err }, 'console line failed');
        o.write(`Error: ${isAppError(err) ? err.userMessage : (err as Error).message}`);
      }
    }
  }
  await o.jobs.waitForJobs(jobIds, o.drainTimeoutMs);
}
