import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { imageRepository, resolveImage, resolveTarget } from '../../src/deploys/catalog.ts';
import { type ChangeRequest, createRequestStore } from '../../src/deploys/requests.ts';
import { createPolicy } from '../../src/policy/policy.ts';
import { teamConfigSchema } from '../../src/team-config.ts';
import { cleanRedis, REDIS_URL, uniquePrefix } from '../support/app-harness.ts';

const team = teamConfigSchema.parse({
  services: {
    checkout: {
      repo: 'acme/shop',
      environments: {
        staging: { namespace: 'staging', deployment: 'checkout', deployers: ['S0DEVS'] },
        prod: {
          namespace: 'prod',
          deployment: 'checkout',
          deployers: ['U1ALICE', 'U2BOB'],
          approvers: ['U2BOB', 'U3CAROL'],
        },
      },
    },
  },
  admins: ['U9ADMIN'],
});

describe('the service catalog', () => {
  it('resolves a service environment, or names what exists', () => {
    expect(resolveTarget(team, 'checkout', 'prod').env.namespace).toBe('prod');
    expect(() => resolveTarget(team, 'chekout', 'prod')).toThrow(
      'Unknown service `chekout`. Did you mean `checkout`? Services: `checkout`.',
    );
    expect(() => resolveTarget(team, 'checkout', 'production')).toThrow(
      '`checkout` has no environment `production`; it has `staging`, `prod`.',
    );
  });

  it('applies a tag to the current image repository, keeping a registry port', () => {
    expect(resolveImage('1.5.0', 'registry.example.com:5000/shop/checkout:1.4.2')).toBe(
      'registry.example.com:5000/shop/checkout:1.5.0',
    );
    expect(resolveImage('v2', `checkout@sha256:${'a'.repeat(64)}`)).toBe('checkout:v2');
    expect(imageRepository('ghcr.io/acme/checkout')).toBe('ghcr.io/acme/checkout');
    expect(resolveImage('ghcr.io/acme/checkout:2.0.0', 'x:1')).toBe('ghcr.io/acme/checkout:2.0.0');
  });

  it('refuses versions that are neither a tag nor an image reference', () => {
    expect(() => resolveImage('1.5 beta', 'checkout:1')).toThrow(/not a valid image tag/);
    expect(() => resolveImage('ghcr.io/Acme/Checkout:1', 'checkout:1')).toThrow(
      /not a valid image reference/,
    );
  });
});

describe('the policy', () => {
  const groups: Record<string, string[]> = { S0DEVS: ['U5DEV'] };
  const policy = createPolicy(team, async (g) => groups[g] ?? []);
  const prod = team.services.checkout?.environments.prod;
  const staging = team.services.checkout?.environments.staging;
  if (!prod || !staging) throw new Error('fixture');

  it('lets deployers (also through a user group) and admins request', async () => {
    expect(await policy.canDeploy('U1ALICE', prod)).toBe(true);
    expect(await policy.canDeploy('U5DEV', staging)).toBe(true);
    expect(await policy.canDeploy('U9ADMIN', prod)).toBe(true);
    expect(await policy.canDeploy('U5DEV', prod)).toBe(false);
  });

  it('never lets the requester approve their own change where approval is required, admins included', async () => {
    expect(await policy.canApprove('U2BOB', prod, 'U1ALICE')).toEqual({ ok: true });
    expect(await policy.canApprove('U9ADMIN', prod, 'U1ALICE')).toEqual({ ok: true });
    expect((await policy.canApprove('U2BOB', prod, 'U2BOB')).ok).toBe(false);
    expect((await policy.canApprove('U9ADMIN', prod, 'U9ADMIN')).ok).toBe(false);
    const stranger = await policy.canApprove('U7EVE', prod, 'U1ALICE');
    expect(stranger).toEqual({ ok: false, why: 'Only <@U2BOB>, <@U3CAROL> (or an admin) can approve this.' });
  });

  it('without approvers, the requester confirms', async () => {
    expect(await policy.canApprove('U5DEV', staging, 'U5DEV')).toEqual({ ok: true });
    expect((await policy.canApprove('U7EVE', staging, 'U5DEV')).ok).toBe(false);
  });
});

describe('change requests in Redis', () => {
  const prefix = uniquePrefix('requests');
  const redis = new Redis(REDIS_URL);
  const store = createRequestStore(redis, prefix);
  afterAll(async () => {
    await cleanRedis(prefix);
    redis.disconnect();
  });
  const base: ChangeRequest = {
    id: 'req-test0001',
    kind: 'deploy',
    service: 'checkout',
    environment: 'prod',
    namespace: 'prod',
    deployment: 'checkout',
    container: 'checkout',
    fromImage: 'checkout:1',
    toImage: 'checkout:2',
    fromRevision: 4,
    replicas: 3,
    requestedBy: 'U1ALICE',
    createdAt: 1,
    expiresAt: 2,
    state: 'pending',
    traceId: 't',
  };

  it('decides a request exactly once, even when two people click at the same moment', async () => {
    await store.create(base);
    const results = await Promise.all([
      store.transition(base.id, ['pending'], 'approved', { decidedBy: 'U2BOB' }),
      store.transition(base.id, ['pending'], 'rejected', { decidedBy: 'U3CAROL' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    const stored = await store.get(base.id);
    expect(loser?.state).toBe(stored?.state);
    expect(stored?.fromRevision).toBe(4);
  });

  it('gives the environment lock to one request at a time, and back to its holder after a restart', async () => {
    expect(await store.lock('checkout', 'prod', 'req-a', 10_000)).toBeUndefined();
    expect(await store.lock('checkout', 'prod', 'req-b', 10_000)).toBe('req-a');
    expect(await store.lock('checkout', 'prod', 'req-a', 10_000)).toBeUndefined();
    await store.unlock('checkout', 'prod', 'req-b'); // not the holder: no effect
    expect(await store.holder('checkout', 'prod')).toBe('req-a');
    await store.unlock('checkout', 'prod', 'req-a');
    expect(await store.lock('checkout', 'prod', 'req-b', 10_000)).toBeUndefined();
  });
});
