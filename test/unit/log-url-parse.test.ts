import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { hostAndPort, matchLogHost, parseLogHost } from '../../src/clients/log-url/hosts.ts';
import { ConfigError } from '../../src/config.ts';
import { loadTeamConfig } from '../../src/team-config.ts';
import { parseTriageArgs } from '../../tools/shared/ci/commands.ts';
import { unwrapSlackLink } from '../../tools/shared/ci/log-url.ts';
import { AppError } from '../../tools/shared/errors.ts';
import { triageBuild } from '../../tools/triage-build.ts';
import { teamFile } from '../support/app-harness.ts';

describe('/ops triage <url> parsing', () => {
  it('takes Slack link markup off, with or without a label, and unescapes &amp;', () => {
    expect(unwrapSlackLink('<https://ci.example.com/job/1/consoleText>')).toBe(
      'https://ci.example.com/job/1/consoleText',
    );
    expect(unwrapSlackLink('<https://x.example/raw?a=1&amp;b=2|build log>')).toBe(
      'https://x.example/raw?a=1&b=2',
    );
    expect(parseTriageArgs(['<https://gitlab.com/acme/shop/-/jobs/12/raw|the', 'raw', 'log>'])).toEqual({
      url: 'https://gitlab.com/acme/shop/-/jobs/12/raw',
    });
    expect(parseTriageArgs(['https://BUILDKITE.com/acme/p/builds/3/jobs/x/raw#top'])).toEqual({
      url: 'https://buildkite.com/acme/p/builds/3/jobs/x/raw',
    });
  });

  it('sends GitHub run and repository URLs to the run triage, as before', () => {
    const run = 'https://github.com/acme/shop/actions/runs/123/job/456';
    expect(parseTriageArgs([`<${run}>`])).toEqual({ repo: run });
    expect(parseTriageArgs(['https://github.com/acme/shop'])).toEqual({
      repo: 'https://github.com/acme/shop',
    });
    expect(parseTriageArgs(['https://ghe.acme.dev/acme/shop/actions/runs/9'])).toEqual({
      repo: 'https://ghe.acme.dev/acme/shop/actions/runs/9',
    });
    expect(parseTriageArgs(['acme/shop', '12'])).toEqual({ repo: 'acme/shop', run: '12' });
  });

  it('refuses other schemes, credentials and words after the URL with the usage', () => {
    const usage = (words: string[]) => {
      try {
        parseTriageArgs(words);
      } catch (e) {
        return e instanceof AppError ? [e.code, e.userMessage] : ['not an AppError', String(e)];
      }
      return ['accepted'];
    };
    expect(usage(['ftp://ci.example.com/log'])).toEqual([
      'usage',
      expect.stringContaining('Only https:// and http://'),
    ]);
    expect(usage(['https://me:pw@ci.example.com/log'])).toEqual([
      'usage',
      expect.stringContaining('user name or password'),
    ]);
    expect(usage(['https://ci.example.com/log', 'extra'])).toEqual([
      'usage',
      expect.stringContaining('Unexpected "extra"'),
    ]);
  });

  it('no input makes the parser, the tool schema or the host matcher fail with anything but a usage answer', () => {
    const hosts = ['ci.example.com', '*.example.org:8443', '10.0.0.5', '[fd00::5]'].map((e) => {
      const h = parseLogHost(e);
      if ('problem' in h) throw new Error(h.problem);
      return h;
    });
    const urlish = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl().map((u) => `<${u}|${u.slice(8, 20)} x>`),
      fc.string({ maxLength: 60 }).map((s) => `http://${s}`),
      fc.string({ maxLength: 60 }).map((s) => `<https://${s}>`),
      fc.constantFrom(
        'http://[::ffff:127.0.0.1]/',
        'http://0x7f.1/',
        'https://[fe80::1%25eth0]/',
        'http://%00/',
        'https://a b/',
      ),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(fc.array(urlish, { minLength: 1, maxLength: 3 }), (words) => {
        let input: ReturnType<typeof parseTriageArgs>;
        try {
          input = parseTriageArgs(words);
        } catch (e) {
          expect(e instanceof AppError && e.code === 'usage').toBe(true);
          return;
        }
        // What the parser accepts, the tool's schema accepts too (no internal error in the worker).
        expect(triageBuild.input.safeParse(input).success).toBe(true);
        if (input.url) {
          const u = new URL(input.url);
          expect(['http:', 'https:']).toContain(u.protocol);
          expect(hostAndPort(u).port).toBeGreaterThan(0);
          matchLogHost(u, hosts);
        }
      }),
      { seed: 15, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (entry) => {
        const h = parseLogHost(entry);
        if ('problem' in h) expect(h.problem.length).toBeGreaterThan(5);
        else expect(h.host.length).toBeGreaterThan(0);
      }),
      { seed: 15, numRuns: 2000 },
    );
  });
});

describe('ci.log_hosts in the team file', () => {
  it('reads names, ports, patterns and addresses', () => {
    const { team } = loadTeamConfig(
      teamFile(
        'ci:\n  log_hosts: [gitlab.com, "jenkins.internal:8080", "*.s3.amazonaws.com", 10.0.4.12, "[fd00::12]"]\n',
      ),
      true,
    );
    expect(team.ci.log_hosts.map((h) => [h.host, h.port ?? null, h.wildcard, h.literal])).toEqual([
      ['gitlab.com', null, false, false],
      ['jenkins.internal', 8080, false, false],
      ['s3.amazonaws.com', null, true, false],
      ['10.0.4.12', null, false, true],
      ['[fd00::12]', null, false, true],
    ]);
  });

  it('names the key and says what to write for a bad entry', () => {
    try {
      loadTeamConfig(teamFile('ci:\n  log_hosts: ["https://gitlab.com", "x:99999", "*.10.0.0.1"]\n'), true);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.map((p) => p.slice(p.indexOf(': ') + 2));
      expect(problems).toEqual([
        expect.stringMatching(/^ci\.log_hosts\[0\]: "https:\/\/gitlab.com" is a URL; write the host alone/),
        'ci.log_hosts[1]: "x:99999": the port must be a number from 1 to 65535',
        'ci.log_hosts[2]: "*.10.0.0.1": a *. pattern must be a name, not an address',
      ]);
    }
  });
});
