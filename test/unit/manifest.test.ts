import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { FEATURE_SHORTCUTS, FEATURE_ACTIONS as SLACK_ACTIONS } from '../../src/features/index.ts';
import { SLACK_COMMANDS, SLACK_EVENTS } from '../../src/slack/register.ts';

interface Manifest {
  features: {
    slash_commands: Array<{ command: string }>;
    bot_user: unknown;
    shortcuts?: Array<{ callback_id: string; type: string; name: string; description: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(readFileSync('manifest.yml', 'utf8')) as Manifest;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('manifest.yml matches what the code registers', () => {
  it('declares exactly the slash commands the code handles', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual([...SLACK_COMMANDS].sort());
  });

  it('subscribes to exactly the events the code handles', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...SLACK_EVENTS].sort());
  });

  it("declares exactly the message shortcuts the features bring, within Slack's limits", () => {
    const declared = manifest.features.shortcuts ?? [];
    expect(declared.map((s) => s.callback_id).sort()).toEqual([...FEATURE_SHORTCUTS].sort());
    for (const s of declared) {
      expect(s.type).toBe('message');
      expect(s.name.length).toBeLessThanOrEqual(24);
      expect(s.description.length).toBeLessThanOrEqual(80);
    }
  });

  it('enables interactivity, which every registered button needs', () => {
    expect(SLACK_ACTIONS.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('every button the code renders uses a registered action id', () => {
    const used = new Set<string>();
    for (const f of [...files('src'), ...files('tools')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bbutton\(\s*'([a-z_]+)'/g)) used.add(m[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((id) => !(SLACK_ACTIONS as readonly string[]).includes(id))).toEqual([]);
  });

  it('requests exactly the scopes the code uses: every Web API method it calls, event and command it takes', () => {
    // Slack's documented scope for each method (https://api.slack.com/methods); a method missing
    // here fails the test until its scope is added.
    const byMethod: Record<string, readonly string[]> = {
      'chat.postMessage': ['chat:write', 'chat:write.public'], // .public: digests and CI posts to channels it was not invited to
      'chat.update': ['chat:write'],
      'chat.postEphemeral': ['chat:write'],
      'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
      'conversations.history': ['channels:history', 'groups:history', 'im:history'],
      'usergroups.users.list': ['usergroups:read'],
      'auth.test': [],
      'views.publish': [],
      'users.info': ['users:read'],
      'files.uploadV2': ['files:write'],
      // also what downloading its url_private_download with the bot token needs (src/slack/files.ts)
      'files.info': ['files:read'],
    };
    const byEvent: Record<string, readonly string[]> = {
      app_mention: ['app_mentions:read'],
      'message.im': ['im:history'],
      app_home_opened: [],
    };
    const called = new Set<string>();
    for (const f of files('src')) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(
        // Web API calls go through a WebClient named client (Bolt's) or web (ours); names may hold digits (files.uploadV2).
        /\b(?:client|web)\s*\.\s*(chat|conversations|usergroups|users|files|views|auth|reactions)\s*\.\s*([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z][a-zA-Z0-9]*)?)\(/g,
      ))
        called.add(`${m[1]}.${m[2]}`);
    }
    expect(called.has('chat.postMessage')).toBe(true); // the scan works
    const unknown = [...called].filter((m) => !(m in byMethod));
    expect(unknown).toEqual([]);
    const needed = new Set<string>([
      ...(manifest.features.slash_commands.length ? ['commands'] : []),
      ...[...called].flatMap((m) => byMethod[m] ?? []),
      ...manifest.settings.event_subscriptions.bot_events.flatMap(
        (e) => byEvent[e] ?? [`unknown event ${e}`],
      ),
    ]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('runs in Socket Mode with a bot user, and its usage hint names every subcommand', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.bot_user).toBeDefined();
    const hint = (manifest.features.slash_commands[0] as { usage_hint?: string }).usage_hint ?? '';
    for (const name of [
      'help',
      'status',
      'logs',
      'triage',
      'rerun',
      'deploy',
      'rollback',
      'approve',
      'history',
      'audit',
      'digest',
      'cancel',
    ])
      expect(hint).toContain(name);
    expect(hint.length).toBeLessThanOrEqual(1000);
  });
});
