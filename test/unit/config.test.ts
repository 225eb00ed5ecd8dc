import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { loadTeamConfig } from '../../src/team-config.ts';
import { teamFile } from '../support/app-harness.ts';

const noTeam = { SHIPMATE_CONFIG: teamFile('{}\n') };

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig({ ...noTeam, ...env }, argv);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to console mode with every default filled in', () => {
    const c = loadConfig(noTeam);
    expect(c).toMatchObject({
      mode: 'console',
      role: 'all',
      port: 3000,
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'shipmate' },
      worker: { concurrency: 4, jobTimeoutMs: 600_000 },
      logLevel: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('picks HTTP mode with a bot token and signing secret, Socket Mode with an app token', () => {
    expect(
      loadConfig({ ...noTeam, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12' }).mode,
    ).toBe('http');
    expect(loadConfig({ ...noTeam, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).mode).toBe(
      'socket',
    );
  });

  it('lists every problem by variable name, without echoing secret values', () => {
    const p = problems({
      SLACK_BOT_TOKEN: 'xoxp-secret-user-token',
      PORT: 'eighty',
      WORKER_CONCURRENCY: '0',
      REDIS_URL: 'localhost:6379',
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token starting with xoxb-$/),
        expect.stringMatching(/^PORT: must be a port number/),
        expect.stringMatching(/^WORKER_CONCURRENCY: must be positive/),
        expect.stringMatching(
          /^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL.*\(got "localhost:6379"\)/,
        ),
      ]),
    );
    expect(p.join('\n')).not.toContain('xoxp-secret-user-token');
  });

  it('requires the signing secret in HTTP mode and the bot token with an app token', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })).toContain(
      'SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN set, no SLACK_APP_TOKEN)',
    );
    expect(problems({ SLACK_APP_TOKEN: 'xapp-1' })[0]).toMatch(
      /^SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set/,
    );
  });

  it('a too-short signing secret is one problem that states the minimum, not also "required"', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'x' })).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: must be the app's signing secret, at least 8 characters/),
    ]);
  });

  it('takes --role over SHIPMATE_ROLE and rejects unknown roles', () => {
    const env = {
      ...noTeam,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'abcdefgh12',
      SHIPMATE_ROLE: 'web',
    };
    expect(loadConfig(env).role).toBe('web');
    expect(loadConfig(env, ['--role', 'worker']).role).toBe('worker');
    expect(problems({ SHIPMATE_ROLE: 'both' })[0]).toMatch(/^SHIPMATE_ROLE: must be one of all, web, worker/);
    expect(problems({}, ['--role', 'api'])[0]).toBe('--role: must be one of all, web, worker (got "api")');
  });

  it('runs everything in one process in console mode whatever the role says', () => {
    expect(loadConfig({ ...noTeam, SHIPMATE_ROLE: 'web' }).role).toBe('all');
  });
});

describe('the team file', () => {
  it('accepts shipmate.example.yml as shipped', () => {
    const { team, found } = loadTeamConfig('shipmate.example.yml', true);
    expect(found).toBe(true);
    expect(team.services.checkout?.environments.prod?.approvers).toEqual(['U2BOB', 'U3CAROL']);
    expect(team.ci.channels['acme/shop']).toBe('C1OPS');
    expect(team.digests[0]).toMatchObject({ id: 'morning', timezone: 'Europe/Berlin' });
  });

  it('is optional at the default path but required where SHIPMATE_CONFIG names it', () => {
    expect(loadTeamConfig('/nonexistent/shipmate.yml', false)).toMatchObject({
      found: false,
      team: { services: {}, admins: [] },
    });
    expect(() => loadTeamConfig('/nonexistent/shipmate.yml', true)).toThrow(
      /cannot read \/nonexistent\/shipmate.yml/,
    );
  });

  it('reports each bad key with its path', () => {
    const path = teamFile(
      [
        'services:',
        '  checkout:',
        '    environments:',
        '      prod:',
        '        namespace: Prod',
        '        deployment: checkout',
        '        approvers: [bob]',
        'digests:',
        '  - id: morning',
        '    channel: ops',
        '    cron: daily',
        '    sections: [weather]',
        'admin: [U1]',
      ].join('\n'),
    );
    let p: string[] = [];
    try {
      loadTeamConfig(path, true);
    } catch (e) {
      p = (e as ConfigError).problems;
    }
    const keys = p.map((x) => x.replace(`${path}: `, '').split(': ')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'services.checkout.environments.prod.namespace',
        'services.checkout.environments.prod.approvers[0]',
        'digests[0].channel',
        'digests[0].cron',
        '(top level)',
      ]),
    );
    // Section names belong to features: an unknown one ("weather") is refused when the app is built
    // (test/integration/digests.test.ts), with the same key path.
    expect(p.find((x) => x.includes('approvers[0]'))).toContain(
      'must be a Slack user id (U…) or user-group id (S…)',
    );
  });

  it('reports YAML syntax errors with the file name', () => {
    const path = teamFile('services: [unclosed\n');
    expect(() => loadTeamConfig(path, true)).toThrow(/not valid YAML/);
  });
});
