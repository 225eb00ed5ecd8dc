import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { FEATURE_ACTIONS as SLACK_ACTIONS } from '../../src/features/index.ts';
import { SLACK_COMMANDS, SLACK_EVENTS } from '../../src/slack/register.ts';

interface Manifest {
  features: { slash_commands: Array<{ command: string }>; bot_user: unknown };
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

  it('asks for the scopes the features need, with Socket Mode on', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'app_mentions:read',
        'im:history',
        'channels:history',
        'groups:history',
        'files:write',
        'users:read',
        'usergroups:read',
      ]),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.bot_user).toBeDefined();
  });
});
