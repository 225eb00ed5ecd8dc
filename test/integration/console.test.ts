import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { cleanRedis, REDIS_URL, teamFile, uniquePrefix } from '../support/app-harness.ts';
import { startLogServer } from '../support/log-server.ts';
import { runMain } from '../support/run-main.ts';

const GITLAB_LOG = join(import.meta.dirname, '../fixtures/ci-logs/gitlab-mypy.txt');

describe('console mode (no Slack token)', () => {
  const prefix = uniquePrefix('console');
  const env = {
    REDIS_URL,
    SHIPMATE_QUEUE_PREFIX: prefix,
    SHIPMATE_CONFIG: teamFile('admins: [U9ADMIN]\n'),
    LOG_LEVEL: 'info',
  };
  afterAll(() => cleanRedis(prefix));

  it('answers /ops lines and free text in order, waits for queued work, exits 0', async () => {
    const r = await runMain(env, '/ops help\n/ops hepl\n/ops cancel\nhow do I cancel a job?\n');
    expect(r.code).toBe(0);
    const out = r.stdout;
    // help as readable text, <placeholders> intact
    expect(out).toContain('/ops cancel <job-id> — stop a queued or running job');
    expect(out).toContain('Unknown subcommand hepl. Did you mean /ops help?');
    expect(out).toContain('Which job? The id is under its progress message.\nUsage: /ops cancel <job-id>');
    // the mention became a job whose answer printed before exit; its Cancel button shows as a command
    expect(out).toMatch(/\[Cancel\] → \/ops cancel turn-console-\w+-4/);
    expect(out).toContain('This command should help:');
    expect(out.indexOf('help — this list')).toBeLessThan(out.indexOf('This command should help:'));
    // stdout is the conversation; logs are JSON on stderr
    expect(out).not.toContain('"level"');
    const logs = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.some((l) => l.msg === 'job completed')).toBe(true);
  });

  it("checks a command's words before saying an integration is not configured", async () => {
    const r = await runMain(env, '/ops triage\n/ops rerun\n/ops triage acme/shop\n');
    expect(r.code).toBe(0);
    const [triage, rerun, configured] = r.stdout.trim().split(/\n(?=⚠️)/);
    expect(triage).toBe(
      '⚠️ Name a repository, or give a log URL.\nUsage: /ops triage <owner/repo> [run-id | run URL | branch]  or  /ops triage <log URL>',
    );
    expect(rerun).toBe('⚠️ Name a repository and a run.\nUsage: /ops rerun <owner/repo> <run-id>');
    expect(r.stdout.match(/GitHub is not configured/g)).toHaveLength(1);
    expect(configured).toContain('GitHub is not configured. Set GITHUB_TOKEN');
  });

  it('triages a raw log by URL from a host the team file lists, with no GitHub configured', async () => {
    const logs = await startLogServer();
    logs.route('/-/jobs/9/raw', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync(GITLAB_LOG)),
    );
    try {
      const r = await runMain(
        { ...env, SHIPMATE_CONFIG: teamFile(`ci:\n  log_hosts: ["127.0.0.1:${logs.port}"]\n`) },
        `/ops triage ${logs.base}/-/jobs/9/raw\n`,
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`CI failure: 127.0.0.1:${logs.port}/-/jobs/9/raw`);
      expect(r.stdout).toContain('app/orders.py:41: error: Incompatible return value type');
      expect(r.stdout).toContain('ERROR: Job failed: exit code 1');
      expect(logs.requests).toEqual(['/-/jobs/9/raw']);
    } finally {
      await logs.close();
    }
  });

  it('first-run messages: what a command needs, the limit a flag has, the names a typo could mean', async () => {
    const long = 'why '.repeat(11_000);
    const r = await runMain(
      env,
      ['/ops deploy checkout 1.5.0 to prod', '/ops xyzzy', '/ops logs web --lines 999999999', long, ''].join(
        '\n',
      ),
    );
    expect(r.code).toBe(0);
    const [deploy, unknown, lines, usage, mention] = r.stdout.trim().split('\n');
    expect(deploy).toMatch(
      /^⚠️ \/ops deploy works on the services of the team file, and .+ lists none\. Add a services: section/,
    );
    expect(unknown).toBe(
      'Unknown subcommand xyzzy. Subcommands: status, logs, triage, rerun, audit, tests, digest, help, cancel — /ops help says what each does.',
    );
    expect(lines).toBe('⚠️ --lines is at most 200, not 999999999.');
    expect(usage).toMatch(/^Usage: \/ops logs /);
    expect(mention).toMatch(
      /^⚠️ That message is 43,999 characters; Shipmate reads questions of up to 40,000\./,
    );
    expect(r.stdout).not.toContain('too_big');
    expect(r.stdout).not.toContain('Shipmate — /ops <subcommand>'); // no help dump
  });

  it('works as `printf "/ops help\\n" | npm start` with no other input', async () => {
    const r = await runMain(env, '/ops help\n');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')[0]).toBe('Shipmate — /ops <subcommand>');
  });

  it('says clearly when Redis does not answer, naming the URL and how to start one', async () => {
    const r = await runMain({ ...env, REDIS_URL: 'redis://:s3cret@127.0.0.1:1' }, '/ops help\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach Redis at redis://:***@127.0.0.1:1');
    expect(r.stderr).toContain('redis-server');
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('exits 2 on bad configuration with one line per problem', async () => {
    const r = await runMain(
      { ...env, PORT: 'x', SLACK_BOT_TOKEN: 'xoxp-leaky', WORKER_CONCURRENCY: '-1' },
      '',
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines.map((l) => l.slice(4).split(':')[0]).sort()).toEqual([
      'PORT',
      'SLACK_BOT_TOKEN',
      'WORKER_CONCURRENCY',
    ]);
    expect(r.stderr).not.toContain('xoxp-leaky');
  });
});
