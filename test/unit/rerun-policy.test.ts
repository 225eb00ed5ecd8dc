import { describe, expect, it } from '@jest/globals';
import { createPolicy } from '../../src/policy/policy.ts';
import { prepareForSlack } from '../../src/slack/prepare.ts';
import { teamConfigSchema } from '../../src/team-config.ts';

const team = teamConfigSchema.parse({
  services: {
    checkout: {
      repo: 'acme/shop',
      environments: {
        staging: { namespace: 'staging', deployment: 'checkout', deployers: ['S0DEVS'] },
        prod: { namespace: 'prod', deployment: 'checkout', deployers: ['U1ALICE'] },
      },
    },
    search: { repo: 'acme/search', environments: { prod: { namespace: 'prod', deployment: 'search' } } },
  },
  admins: ['U9ADMIN'],
});
const groups: Record<string, string[]> = { S0DEVS: ['U5DEV'] };

describe('who may re-run failed CI jobs', () => {
  const policy = createPolicy(team, async (g) => groups[g] ?? []);

  it('lets the deployers of any environment of a service with that repo (also through a group), case-insensitively', async () => {
    expect(await policy.canRerun('U1ALICE', 'acme/shop')).toEqual({ ok: true });
    expect(await policy.canRerun('U5DEV', 'Acme/Shop')).toEqual({ ok: true });
  });

  it('lets admins re-run anything', async () => {
    expect(await policy.canRerun('U9ADMIN', 'acme/shop')).toEqual({ ok: true });
    expect(await policy.canRerun('U9ADMIN', 'acme/unknown')).toEqual({ ok: true });
  });

  it('refuses others, naming who can', async () => {
    const r = await policy.canRerun('U7MALLORY', 'acme/shop');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.why).toContain('`checkout`');
    // Shipmate's own mention of the group is live once prepared for Slack.
    expect(prepareForSlack({ text: r.why }).text).toContain('<!subteam^S0DEVS>');
    expect(r.why).toContain('<@U1ALICE>');
    expect(r.why).toContain('<@U9ADMIN>');
    // A service without deployers: admins only.
    expect(await policy.canRerun('U1ALICE', 'acme/search')).toMatchObject({ ok: false });
  });

  it('keeps a repository no service names to admins, when there are admins', async () => {
    const r = await policy.canRerun('U1ALICE', 'acme/unknown');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.why).toContain('only an admin');
  });

  it('lets anyone re-run a repository no service names when the team file names no admins', async () => {
    const open = createPolicy(teamConfigSchema.parse({ services: team.services }));
    expect(await open.canRerun('U7MALLORY', 'acme/unknown')).toEqual({ ok: true });
    expect(await open.canRerun('U7MALLORY', 'acme/shop')).toMatchObject({ ok: false });
    const empty = await open.canRerun('U7MALLORY', 'acme/search');
    expect(empty).toMatchObject({ ok: false });
    if (!empty.ok) expect(empty.why).toContain('Nobody may re-run');
  });
});
