/**
 * Mentions: which pings are Shipmate's own, and the neutralising of every other one.
 *
 * Text from users, pod and CI logs, test names and the model can carry Slack's special mentions —
 * `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^S…>` — which ping whole channels and teams. Only
 * the mentions Shipmate writes on purpose (the approvers or deployers it names) may stay live. Those
 * are written with `groupMention()`, which produces a marker no outside text can forge (it carries a
 * random per-process nonce); `neutralizeMentions()`, applied once where messages are prepared for
 * Slack (src/slack/prepare.ts), escapes every special mention and then turns the markers into live
 * mentions. User mentions (`<@U…>`) and channel links (`<#C…>`) ping no crowd and are left alone.
 */
import { randomBytes } from 'node:crypto';

const OPEN = '\uE010';
const CLOSE = '\uE011';
/**
 * Unguessable by text that did not come from this process. Hex, not base64: the marker is redacted
 * (prepareForSlack) before it becomes a mention, and a base64 nonce can spell a secret's name
 * (`…dSn…:` reads as `dsn: <value>`) — then every own mention of that process was [REDACTED].
 */
const NONCE = randomBytes(9).toString('hex');
const OWN = new RegExp(`${OPEN}${NONCE}:(subteam\\^S[A-Z0-9]{1,20})${CLOSE}`, 'g');
/** A marker cut by truncation, or one from another process: never live. */
const STRAY = /\uE010(?:[0-9a-f]{18}:)?|\uE011/g;

/** A live mention of a Slack user group (`S…`), written by Shipmate itself; `<@U…>` for a user. */
export function ownMention(id: string): string {
  return /^S[A-Z0-9]{1,20}$/.test(id) ? `${OPEN}${NONCE}:subteam^${id}${CLOSE}` : `<@${id}>`;
}

/** Special mentions in any form Slack parses: `<!channel>`, `<!here|here>`, `<!subteam^S1|@ops>`, `<!date^…>`. */
const SPECIAL = /<!([^<>]*)>/g;
/** Bare words Slack links when a message is sent with `link_names`/`parse: full`. */
const BARE = /(^|[^\w@])@(channel|here|everyone)\b/gi;

/**
 * Makes mrkdwn text safe to post: every special mention is escaped (it shows as typed and pings
 * nobody), bare `@channel` words get a word joiner, then Shipmate's own group mentions become live.
 */
export function neutralizeMentions(text: string): string {
  if (!text) return text;
  return text
    .replace(SPECIAL, '&lt;!$1&gt;')
    .replace(BARE, '$1@\u2060$2')
    .replace(OWN, '<!$1>')
    .replace(STRAY, '');
}

/** For plain text (headers, button labels, the console): Shipmate's own mentions as `@S…`. */
export function ownMentionsAsText(text: string): string {
  if (!text) return text;
  return text.replace(OWN, (_m, body: string) => `@${body.slice('subteam^'.length)}`).replace(STRAY, '');
}
