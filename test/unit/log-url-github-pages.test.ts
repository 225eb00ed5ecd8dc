/**
 * A github.com page that is not a workflow run nor a repository — a pull request, a commit's checks,
 * a workflow's page — pasted into `/ops triage`: it is not a raw log either, so the answer says what
 * to give instead (the run's URL, or owner/repo and a branch) rather than "add github.com to
 * ci.log_hosts" (which would only fetch the page's HTML). Raw files on github.com stay log URLs.
 */

import { describe, expect, it } from '@jest/globals';
import { parseTriageArgs } from '../../tools/shared/ci/commands.ts';
import { AppError } from '../../tools/shared/errors.ts';
import { triageBuild } from '../../tools/triage-build.ts';

function refusal(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('/ops triage with a GitHub page that is not a run', () => {
  it('answers a pull request with the run URL or the branch form, and the usage', () => {
    const e = refusal(() => parseTriageArgs(['<https://github.com/acme/shop/pull/42/checks>']));
    expect(e.code).toBe('usage');
    expect(e.userMessage).toContain('pull request #42 of acme/shop, not a workflow run');
    expect(e.userMessage).toContain('…/actions/runs/<id>');
    expect(e.userMessage).toContain('/ops triage acme/shop <branch>');
    expect(e.userMessage).toContain('Usage: `/ops triage');
    expect(e.userMessage).not.toContain('ci.log_hosts');
  });

  it.each([
    'https://github.com/acme/shop/commit/0123abc/checks',
    'https://www.github.com/acme/shop/actions/workflows/ci.yml',
    'http://github.com/acme/shop/actions',
    'https://github.com/acme/shop/tree/main',
  ])('answers %s as a GitHub page, not a raw log', (url) => {
    const e = refusal(() => parseTriageArgs([url]));
    expect(e.code).toBe('usage');
    expect(e.userMessage).toContain('is a GitHub page of acme/shop, not a workflow run or a raw log');
    expect(e.userMessage).toContain('/ops triage acme/shop <branch>');
    expect(e.userMessage).not.toContain('ci.log_hosts');
  });

  it('the agent’s url gets the same answer, and nothing is fetched', async () => {
    const fetched: string[] = [];
    const deps = {
      redact: (s: string) => s,
      logs: {
        extract: async (url: string) => {
          fetched.push(url);
          throw new Error('must not be fetched');
        },
      },
    };
    const ctx = { progress: () => undefined } as unknown as Parameters<typeof triageBuild.run>[2];
    await expect(
      triageBuild.run(
        deps as unknown as Parameters<typeof triageBuild.run>[0],
        triageBuild.input.parse({ url: 'https://github.com/acme/shop/pull/42' }),
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'bad_input',
      userMessage: expect.stringContaining('pull request #42 of acme/shop'),
    });
    expect(fetched).toEqual([]);
  });

  it('keeps runs and repositories for the run triage, and raw files as log URLs', () => {
    expect(parseTriageArgs(['https://github.com/acme/shop/actions/runs/7'])).toEqual({
      repo: 'https://github.com/acme/shop/actions/runs/7',
    });
    expect(parseTriageArgs(['https://github.com/acme/shop'])).toEqual({
      repo: 'https://github.com/acme/shop',
    });
    for (const raw of [
      'https://github.com/acme/shop/raw/main/logs/ci.log',
      'https://raw.githubusercontent.com/acme/shop/main/logs/ci.log',
      'https://gist.githubusercontent.com/acme/0123/raw/build.log',
    ])
      expect(parseTriageArgs([raw])).toEqual({ url: raw });
  });
});
