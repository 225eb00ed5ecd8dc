import { createHmac } from 'node:crypto';

/** Slack's v0 request signature over `v0:{timestamp}:{body}`. */
export function signSlack(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sig };
}

export interface SignedRequest {
  body: string;
  contentType: string;
}

export function slashCommand(
  text: string,
  o: { user?: string; channel?: string; responseUrl?: string; triggerId?: string } = {},
): SignedRequest {
  const p = new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: o.channel ?? 'C1OPS',
    channel_name: 'ops',
    user_id: o.user ?? 'U1ALICE',
    user_name: 'alice',
    command: '/ops',
    text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: o.responseUrl ?? 'http://127.0.0.1:9/response/unused',
    trigger_id: o.triggerId ?? `trig.${Math.random().toString(36).slice(2)}`,
  });
  return { body: p.toString(), contentType: 'application/x-www-form-urlencoded' };
}

export function eventCallback(event: Record<string, unknown>, eventId: string): SignedRequest {
  return {
    body: JSON.stringify({
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
      event,
    }),
    contentType: 'application/json',
  };
}

export function blockAction(o: {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  messageTs?: string;
  responseUrl?: string;
}): SignedRequest {
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: o.user ?? 'U1ALICE', username: 'alice', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    container: {
      type: 'message',
      message_ts: o.messageTs ?? '1700000000.000100',
      channel_id: o.channel ?? 'C1OPS',
      is_ephemeral: false,
    },
    trigger_id: `trig.${Math.random().toString(36).slice(2)}`,
    channel: { id: o.channel ?? 'C1OPS', name: 'ops' },
    message: { type: 'message', ts: o.messageTs ?? '1700000000.000100', text: 'progress' },
    response_url: o.responseUrl ?? 'http://127.0.0.1:9/response/unused',
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Button' },
        value: o.value,
        action_ts: `${Math.floor(Date.now() / 1000)}.000200`,
      },
    ],
  };
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

/** Posts a signed request to the app's /slack/events. */
export async function postSigned(
  baseUrl: string,
  req: SignedRequest,
  secret: string,
  o: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: () => unknown }> {
  const headers: Record<string, string> = {
    'content-type': req.contentType,
    ...signSlack(req.body, secret, o.timestamp),
    ...o.headers,
  };
  if (o.signature) headers['x-slack-signature'] = o.signature;
  const res = await fetch(`${baseUrl}/slack/events`, { method: 'POST', headers, body: req.body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** A message shortcut used on `message` (Slack's `message_action` payload). */
export function messageShortcut(o: {
  callbackId: string;
  message: Record<string, unknown> & { ts: string };
  user?: string;
  channel?: string;
  responseUrl?: string;
}): SignedRequest {
  const payload = {
    type: 'message_action',
    token: 'legacy',
    action_ts: `${Math.floor(Date.now() / 1000)}.000300`,
    team: { id: 'T1', domain: 'acme' },
    user: { id: o.user ?? 'U1ALICE', name: 'alice', team_id: 'T1' },
    channel: { id: o.channel ?? 'C1OPS', name: 'ops' },
    is_enterprise_install: false,
    callback_id: o.callbackId,
    trigger_id: `trig.${Math.random().toString(36).slice(2)}`,
    response_url: o.responseUrl ?? 'http://127.0.0.1:9/response/unused',
    message_ts: o.message.ts,
    message: { type: 'message', ...o.message },
  };
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}
