/**
 * The subset of Slack Block Kit that Shipmate renders. Keeping to a small, closed set means every
 * message can also be rendered as plain text for the console and for notification fallbacks, and the
 * shapes stay structurally compatible with `@slack/types`' `KnownBlock` so they go to Slack as they are.
 */

/** Slack's limits, from https://docs.slack.dev/reference/block-kit/blocks */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionElements: 25,
  contextElements: 10,
  /** `text` of chat.postMessage is truncated by Slack past 40,000; we stay well below. */
  messageText: 3900,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

/**
 * A button. `value` always holds the `/ops …` command that does the same thing, so the console can show
 * it and the action handler can run it through the same parser and authorization as a typed command.
 */
export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}
export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}
export interface DividerBlock {
  type: 'divider';
}
export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: ButtonElement[];
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** A text file that goes with a message: uploaded into its thread in Slack, printed by the console. */
export interface MessageFile {
  /** The file's name, e.g. `cart.test.ts` (Slack picks the syntax highlighting from it). */
  filename: string;
  /** Shown above the file, e.g. the path it would have in the repository. */
  title: string;
  content: string;
}

/**
 * Files to upload into the thread of the message that carries them, and the message to show instead
 * when they cannot be (no `files:write` scope, not in the channel, no thread): e.g. the code cut to
 * fit. The sender adds why to `otherwise`; nothing is lost when the upload fails.
 */
export interface Attachments {
  files: MessageFile[];
  otherwise: Message;
}

/** A message as Shipmate sends it: `text` is the notification/accessibility fallback Slack requires. */
export interface Message {
  text: string;
  blocks?: Block[];
  /** Files for the message's thread (job results; elsewhere `attach.otherwise` is what is sent). */
  attach?: Attachments;
}
