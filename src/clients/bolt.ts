import { createRequire } from 'node:module';
import type * as Bolt from '@slack/bolt';

/**
 * Bolt's App, its HTTP receiver and LogLevel, loaded from the modules that define them rather than
 * from the package's index: the index also loads ExpressReceiver, so express, body-parser and their
 * dependencies (6 MB resident next to Bolt alone, 2–3 MB on the web role) come with every `import … from '@slack/bolt'`, though Shipmate serves
 * HTTP mode with HTTPReceiver (slack-receiver.ts) and Socket Mode through App itself. The same
 * CommonJS modules the index re-exports, so these are the very classes `import { App } from
 * '@slack/bolt'` gives (test/unit/bolt-deep.test.ts holds them equal); types come from the package's
 * declarations. @slack/bolt is pinned to an exact version. Type-only imports of '@slack/bolt' stay
 * as they are (erased).
 */
const require = createRequire(import.meta.url);

export const { default: App, LogLevel } = require('@slack/bolt/dist/App.js') as {
  default: typeof Bolt.App;
  LogLevel: typeof Bolt.LogLevel;
};
export const { default: HTTPReceiver } = require('@slack/bolt/dist/receivers/HTTPReceiver.js') as {
  default: typeof Bolt.HTTPReceiver;
};
export type App = Bolt.App;
export type HTTPReceiver = Bolt.HTTPReceiver;
export type LogLevel = Bolt.LogLevel;
