import type { WebClient } from '@slack/web-api';
import type { ThreadMessage } from '../agent/history.ts';
import type { ReplyTarget } from '../context.ts';

/** What the agent reads of Slack: a thread so far, and which messages in it are the bot's own. */
export interface SlackThreads {
  /** The thread's messages, oldest first (at most 1,000); [] where there is no thread. */
  replies(target: ReplyTarget): Promise<ThreadMessage[]>;
  /** The bot's user id (auth.test, asked once); undefined without Slack. */
  botUserId(): Promise<string | undefined>;
}

export function createSlackThreads(web: WebClient | undefined): SlackThreads {
  let botUserId: Promise<string | undefined> | undefined;
  return {
    botUserId() {
      if (!web) return Promise.resolve(undefined);
      botUserId ??= web.auth.test().then((r) => r.user_id);
      botUserId.catch(() => {
        botUserId = undefined;
      });
      return botUserId;
    },
    async replies(target) {
      if (!web || target.kind !== 'slack' || !target.threadTs) return [];
      // Slack returns a thread oldest first, a page at a time: read to the end (at most 1,000 messages)
      // so the newest turns are never the ones missing; history.ts trims oldest first to the budget.
      const out: ThreadMessage[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const r = await web.conversations.replies({
          channel: target.channel,
          ts: target.threadTs,
          limit: 200,
          cursor,
        });
        out.push(...((r.messages ?? []) as ThreadMessage[]));
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return out;
    },
  };
}
