import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.ts';
import { NOTHING_CONFIGURED, nothingConfigured } from '../../src/console/first-run.ts';
import { teamFile } from '../support/app-harness.ts';
import { testTempDir } from '../support/tmp.ts';

/** `npm start` with nothing configured says so in one paragraph and offers the demo. */
describe('the first-run paragraph', () => {
  const bare = { SHIPMATE_CONFIG: teamFile('{}\n') };
  const emptyHome = testTempDir('shipmate-home-');

  it('shows when the console has no cluster, no GitHub and no model', () => {
    expect(nothingConfigured(loadConfig(bare), { home: emptyHome, inCluster: false })).toBe(true);
  });

  it('does not show once anything is connected, or in Slack mode', () => {
    const hints = { home: emptyHome, inCluster: false };
    expect(nothingConfigured(loadConfig({ ...bare, KUBECONFIG: '/some/kubeconfig' }), hints)).toBe(false);
    expect(nothingConfigured(loadConfig({ ...bare, GITHUB_TOKEN: 'ghp_x' }), hints)).toBe(false);
    expect(nothingConfigured(loadConfig({ ...bare, OPENAI_API_KEY: 'sk-x' }), hints)).toBe(false);
    expect(nothingConfigured(loadConfig(bare), { home: emptyHome, inCluster: true })).toBe(false);
    const home = testTempDir('shipmate-home-');
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\n');
    expect(nothingConfigured(loadConfig(bare), { home, inCluster: false })).toBe(false);
    const slack = loadConfig({ ...bare, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12' });
    expect(nothingConfigured(slack, hints)).toBe(false);
  });

  it('is one paragraph that names what is missing and offers npm run demo', () => {
    expect(NOTHING_CONFIGURED).not.toMatch(/\n\s*\n/);
    for (const word of ['Slack', 'KUBECONFIG', 'GITHUB_TOKEN', 'OPENAI_API_KEY', '`npm run demo`', 'README'])
      expect(NOTHING_CONFIGURED).toContain(word);
  });
});
