import type { App, ReceiverEvent } from '@slack/bolt';
import type { Metrics, SlackRequestKind } from '../metrics/metrics.ts';
import { secondsSince } from '../metrics/metrics.ts';

/** What kind of Slack request a receiver event is, from its body's shape. */
export function slackRequestKind(body: Record<string, unknown>): SlackRequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'event_callback':
      return 'event';
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'block_suggestion':
      return 'options';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    default:
      return 'other';
  }
}

/**
 * Counts every request the receiver (HTTP or Socket Mode) hands to Bolt, and times its ack from the
 * moment Bolt gets it. `processEvent` is the one method every Bolt receiver calls; wrapping it keeps
 * the measurement out of the handlers and costs two clock reads a request.
 */
export function instrumentBolt(app: App, metrics: Metrics): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const t0 = performance.now();
    const kind = slackRequestKind(event.body);
    let acked = false;
    const ack = event.ack;
    return processEvent({
      ...event,
      ack: async (response) => {
        await ack(response);
        if (!acked) metrics.slackRequest(kind, secondsSince(t0));
        acked = true;
      },
    }).finally(() => {
      if (!acked) metrics.slackRequest(kind);
    });
  };
}
