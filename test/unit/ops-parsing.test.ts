import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { resolveTarget } from '../../src/deploys/catalog.ts';
import { closest, tokenize } from '../../src/ops/args.ts';
import { type OpsCommand, usageError } from '../../src/ops/command.ts';
import { createOpsRouter } from '../../src/ops/router.ts';
import { teamConfigSchema } from '../../src/team-config.ts';
import { parseRerunArgs, parseTriageArgs } from '../../tools/shared/ci/commands.ts';
import { AppError } from '../../tools/shared/errors.ts';

describe('tokenize and closest', () => {
  it('honours quotes', () => {
    expect(tokenize(`deploy checkout "v1.2 beta" to 'prod eu'`)).toEqual([
      'deploy',
      'checkout',
      'v1.2 beta',
      'to',
      'prod eu',
    ]);
  });

  it('suggests close subcommand names', () => {
    expect(closest('stauts', ['status', 'deploy', 'digest'])).toEqual(['status']);
    expect(closest('dep', ['status', 'deploy', 'digest'])).toEqual(['deploy']);
    expect(closest('xyzzy', ['status', 'deploy'])).toEqual([]);
  });
});

describe('the /ops router', () => {
  const ran: string[][] = [];
  const echo: OpsCommand = {
    name: 'echo',
    usage: '/ops echo <word>',
    summary: 'echo a word',
    async run(argv) {
      if (argv.length !== 1) throw usageError(echo, 'Give exactly one word.', '/ops echo hello');
      ran.push(argv);
      return { message: { text: argv[0] ?? '' }, visibility: 'in_channel' };
    },
  };
  const boom: OpsCommand = {
    name: 'boom',
    usage: '/ops boom',
    summary: 'fails',
    async run() {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    },
  };
  const denied: OpsCommand = {
    name: 'denied',
    usage: '/ops denied',
    summary: 'refuses',
    async run() {
      throw new AppError({ code: 'forbidden', userMessage: 'Only U2BOB may do that.' });
    },
  };
  const router = createOpsRouter([echo, boom, denied]);
  const ctx = {
    requester: { userId: 'U1' },
    target: { kind: 'console' as const },
    traceId: 't',
    log: pino({ level: 'silent' }),
    invocationId: 'i',
    surface: 'console' as const,
  };

  it('routes words to the subcommand', async () => {
    expect((await router.handle('echo hi', ctx)).message.text).toBe('hi');
    expect(ran).toEqual([['hi']]);
  });

  it('answers bad arguments with the problem, usage and an example, and runs nothing', async () => {
    const r = await router.handle('echo a b', ctx);
    expect(r.visibility).toBe('ephemeral');
    expect(r.message.text).toBe(
      'Give exactly one word.\nUsage: `/ops echo &lt;word&gt;`\nExample: `/ops echo hello`',
    );
    expect(ran).toHaveLength(1);
  });

  it('shows a permission refusal as it is, and hides a bug behind a reference id', async () => {
    expect((await router.handle('denied', ctx)).message.text).toBe('Only U2BOB may do that.');
    const r = await router.handle('boom', ctx);
    expect(r.message.text).toMatch(/^Something went wrong inside Shipmate\. \(ref [0-9A-F]{8}\)$/);
    expect(r.message.text).not.toContain('Cannot read properties');
  });

  it('treats an empty command as help', async () => {
    const r = await router.handle('   ', ctx);
    expect(r.message.text).toContain('/ops echo <word> — echo a word');
  });
});

/** The code of the AppError `f` throws, or what happened instead. */
function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
  return 'accepted';
}

describe('numbers are range-checked where they are parsed (a usage error, never a payload error)', () => {
  it.each(['0', '99999999999999999999', '9007199254740993', '00'])('run id %s', (id) => {
    expect(usage(() => parseRerunArgs(['acme/shop', id]))).toBe('usage');
    expect(usage(() => parseTriageArgs(['acme/shop', id]))).toBe('usage');
    expect(usage(() => parseRerunArgs([`https://github.com/acme/shop/actions/runs/${id}`]))).toBe('usage');
  });

  it('accepts the ids GitHub gives', () => {
    expect(parseRerunArgs(['acme/shop', '12345678901'])).toEqual({
      owner: 'acme',
      repo: 'shop',
      runId: 12345678901,
    });
    expect(
      usage(() => parseTriageArgs(['acme/shop', 'https://github.com/acme/shop/actions/runs/7/attempts/0'])),
    ).toBe('usage');
  });
});

describe('lookups keyed by user text', () => {
  const team = teamConfigSchema.parse({
    services: { checkout: { environments: { prod: { namespace: 'prod', deployment: 'checkout' } } } },
  });
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])(
    'a service or environment named %s is unknown, not Object.prototype’s',
    (name) => {
      expect(usage(() => resolveTarget(team, name, 'prod'))).toBe('unknown_service');
      expect(usage(() => resolveTarget(team, 'checkout', name))).toBe('unknown_environment');
    },
  );
});
