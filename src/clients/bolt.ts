import { createRequire, Module } from 'node:module';
import type * as Bolt from '@slack/bolt';

/**
 * Bolt's App, its HTTP receiver and LogLevel, loaded from the modules that define them rather than
 * from the package's index: the index also loads ExpressReceiver, so express, body-parser and their
 * dependencies (6 MB resident next to Bolt alone, 2–3 MB on the web role) come with every
 * `import … from '@slack/bolt'`, though Shipmate serves HTTP mode with HTTPReceiver
 * (slack-receiver.ts) and Socket Mode through App itself. The same
 * CommonJS modules the index re-exports, so these are the very classes `import { App } from
 * '@slack/bolt'` gives (test/unit/bolt-deep.test.ts holds them equal); types come from the package's
 * declarations. @slack/bolt is pinned to an exact version. Type-only imports of '@slack/bolt' stay
 * as they are (erased).
 */
const require = createRequire(import.meta.url);

/**
 * Bolt's App module loads its Socket Mode receiver, and that loads @slack/socket-mode — with undici,
 * ~8 MB resident (5 MB on the web role) — in HTTP mode too, where nothing uses it. Its only use is `new
 * SocketModeClient(…)` when a Socket Mode receiver is constructed, so until then Bolt is handed a
 * stand-in whose `SocketModeClient` loads the real package (from Node's module cache thereafter).
 * Socket Mode works as before (test/integration/socket-mode.test.ts); HTTP mode never loads it
 * (test/unit/bolt-deep.test.ts). Returns whether the stand-in was installed (not if already loaded).
 */
export function deferSocketMode(): boolean {
  const fromBolt = createRequire(require.resolve('@slack/bolt/dist/receivers/SocketModeReceiver.js'));
  const path = fromBolt.resolve('@slack/socket-mode');
  if (require.cache[path]) return false;
  let real: { SocketModeClient: unknown } | undefined;
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = {
    get SocketModeClient() {
      if (!real) {
        delete require.cache[path];
        real = fromBolt('@slack/socket-mode') as { SocketModeClient: unknown };
      }
      return real.SocketModeClient;
    },
  };
  require.cache[path] = standIn;
  return true;
}
deferSocketMode();

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
