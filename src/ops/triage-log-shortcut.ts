import { type Enqueue, safeJobId } from '../jobs/enqueue.ts';
import { ciTriageLogSpec } from '../jobs/specs/ci.ts';
import type { MessageShortcutHandler } from './shortcut.ts';

/** The message shortcut "Triage this log" (callback id `triage_log`). */
export const TRIAGE_LOG_SHORTCUT = 'triage_log';

/** Queues the triage of the message's log; the job answers in the message's thread. */
export function createTriageLogShortcut(deps: { enqueue: Enqueue }): MessageShortcutHandler {
  return {
    callbackId: TRIAGE_LOG_SHORTCUT,
    run: (req) =>
      deps.enqueue({
        spec: ciTriageLogSpec,
        payload: {
          channel: req.channel,
          messageTs: req.message.ts,
          text: req.message.text.slice(0, 50_000),
          ...(req.message.user ? { user: req.message.user } : {}),
          files: req.message.files.slice(0, 20),
        },
        jobId: safeJobId('triage_log', req.invocationId),
        requestedBy: req.requester.userId,
        target: req.target,
        traceId: req.traceId,
        title: 'Triage of this log',
      }),
  };
}
