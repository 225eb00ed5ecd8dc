import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { type FakeGitHub, start as startFakeGitHub } from '../../sandbox/fake-github.ts';
import { deploymentObjects, emptyObjects, type FakeKube, startFakeKube } from '../../sandbox/fake-kube.ts';
import { type FakeSlack, startFakeSlack } from '../../sandbox/fake-slack.ts';
import type { ShipmateApp } from '../../src/app.ts';
import { requestContext } from '../../src/context.ts';
import {
  captureLog,
  cleanRedis,
  SIGNING_SECRET,
  startApp,
  teamFile,
  uniquePrefix,
} from '../support/app-harness.ts';

/**
 * No command input may produce an internal error: whatever words follow `/ops`, from whoever, the
 * answer is an answer (a usage error, a refusal, a result), never "Something went wrong inside
 * Shipmate" nor a client library's internals — neither in the reply nor in what the jobs it queued
 * post later. fast-check generates the argument lists (fixed seed: the same lists every run; a
 * failure is shrunk to the smallest list that shows it).
 */

const TEAM = `
services:
  checkout:
    repo: acme/shop
    environments:
      staging: { namespace: staging, deployment: checkout, deployers: [U1ALICE] }
      prod: { namespace: prod, deployment: checkout, deployers: [U1ALICE], approvers: [U2BOB] }
ci:
  channels:
    acme/shop: C1OPS
admins: [U9ADMIN]
`;

/** Words that have broken parsers and lookups: prototype names, numbers out of range, markup, flags. */
const TRICKY = [
  'constructor',
  'toString',
  'hasOwnProperty',
  '__proto__',
  'prototype',
  'valueOf',
  'isPrototypeOf',
  '0',
  '-1',
  '1',
  '501',
  '99999999999999999999',
  '9007199254740993',
  '1e3',
  '0x1f',
  'NaN',
  'Infinity',
  '',
  'checkout',
  'staging',
  'prod',
  'acme/shop',
  'acme/constructor',
  'constructor/toString',
  'https://github.com/acme/shop/actions/runs/0',
  'https://github.com/acme/shop/actions/runs/99999999999999999999',
  'acme/shop#0',
  '1.5.0',
  'registry.example.com/checkout:1.5.0',
  '--cluster',
  '--cluster=constructor',
  '--namespace',
  '--namespace=toString',
  '--container=__proto__',
  '--tail',
  '--tail=0',
  '--tail=99999999999999999999',
  '--previous',
  '--revision',
  '--revision=0',
  '--revision=99999999999999999999',
  '-x',
  '--',
  '<!channel>',
  '"quoted words"',
  "'",
  'a'.repeat(300),
  '☃',
  '../../etc/passwd',
  'ns/name',
  'Deployment/checkout',
  'pod/checkout-0',
];

const INTERNALS =
  /Something went wrong inside Shipmate|Required parameter|undefined|\[object Object\]|TypeError|is not a function/;

describe('no command input yields an internal error', () => {
  const prefix = uniquePrefix('no-internal');
  const captured = captureLog();
  let slack: FakeSlack;
  let kube: FakeKube;
  let github: FakeGitHub;
  let app: ShipmateApp & { baseUrl: string };

  beforeAll(async () => {
    const objects = emptyObjects();
    deploymentObjects({ namespace: 'prod', name: 'checkout', replicas: 2 }, objects);
    deploymentObjects({ namespace: 'staging', name: 'checkout', replicas: 1 }, objects);
    [slack, kube, github] = await Promise.all([
      startFakeSlack(),
      startFakeKube({ objects }),
      startFakeGitHub({
        repos: [
          {
            owner: 'acme',
            name: 'shop',
            defaultBranch: 'main',
            runs: [{ id: 501, headBranch: 'main', conclusion: 'failure', jobs: [] }],
          },
        ],
      }),
    ]);
    app = await startApp(
      {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SHIPMATE_QUEUE_PREFIX: prefix,
        SHIPMATE_CONFIG: teamFile(TEAM),
        KUBECONFIG: kube.kubeconfigPath,
        GITHUB_TOKEN: 'ghp_fakeTestToken000000000000000000000000',
        GITHUB_API_URL: github.url,
      },
      { log: captured.log },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), kube?.close(), github?.close()]);
    await cleanRedis(prefix);
  });

  it('for any generated argument list, from an admin, a deployer or anyone', async () => {
    const names = app.router.commands.map((c) => c.name);
    const word = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    const line = fc.record({
      command: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: word }),
      args: fc.array(word, { maxLength: 5 }),
      user: fc.constantFrom('U9ADMIN', 'U1ALICE', 'U7MALLORY'),
    });
    const jobIds: string[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(line, async ({ command, args, user }) => {
        const text = [command, ...args.map((a) => (/\s/.test(a) || a === '' ? `"${a}"` : a))].join(' ');
        const ctx = requestContext(captured.log, {
          requester: { userId: user, channelId: 'C1OPS' },
          target: { kind: 'slack', channel: 'C1OPS' },
          invocationId: `prop-${n++}`,
          surface: 'slack',
        });
        const reply = await app.router.handle(text, ctx);
        jobIds.push(...(reply.jobIds ?? []));
        const shown = JSON.stringify(reply.message);
        expect({ text, shown: INTERNALS.test(shown) ? shown : 'ok' }).toEqual({ text, shown: 'ok' });
      }),
      {
        seed: 16,
        numRuns: 300,
        // The inputs the issue found, always tried first.
        examples: [
          [{ command: 'deploy', args: ['checkout', 'constructor', '1.5.0'], user: 'U9ADMIN' }],
          [{ command: 'deploy', args: ['toString', 'prod', '1.5.0'], user: 'U9ADMIN' }],
          [{ command: 'rollback', args: ['checkout', 'hasOwnProperty'], user: 'U9ADMIN' }],
          [{ command: 'history', args: ['constructor'], user: 'U1ALICE' }],
          [{ command: 'history', args: ['checkout', 'toString'], user: 'U1ALICE' }],
          [{ command: 'audit', args: ['__proto__'], user: 'U9ADMIN' }],
          [{ command: 'rerun', args: ['acme/shop', '0'], user: 'U9ADMIN' }],
          [{ command: 'rerun', args: ['acme/shop', '99999999999999999999'], user: 'U9ADMIN' }],
          [{ command: 'triage', args: ['acme/shop', '0'], user: 'U1ALICE' }],
          [{ command: 'triage', args: ['acme/shop', '99999999999999999999'], user: 'U1ALICE' }],
          [{ command: 'logs', args: ['constructor/toString'], user: 'U1ALICE' }],
          [{ command: 'status', args: ['--namespace', 'toString'], user: 'U1ALICE' }],
          [{ command: 'status', args: ['--cluster', 'constructor'], user: 'U1ALICE' }],
          [{ command: 'rollback', args: ['checkout', 'prod', 'to', '0'], user: 'U9ADMIN' }],
          [
            {
              command: 'rollback',
              args: ['checkout', 'prod', 'to', '99999999999999999999'],
              user: 'U9ADMIN',
            },
          ],
          [{ command: 'cancel', args: ['toString'], user: 'U9ADMIN' }],
          [{ command: 'digest', args: ['preview', 'constructor'], user: 'U9ADMIN' }],
        ],
      },
    );
    // What the queued jobs posted later holds no internal error either.
    await app.jobs.waitForJobs(jobIds, 60_000);
    const posted = slack.calls
      .filter((c) => c.method.startsWith('chat.'))
      .map((c) => JSON.stringify({ text: c.args.text, blocks: c.args.blocks }))
      .filter((s) => INTERNALS.test(s));
    expect(posted).toEqual([]);
    const internal = captured.lines.filter((l) => l.code === 'internal');
    expect(internal.map((l) => l.msg)).toEqual([]);
  });
});
