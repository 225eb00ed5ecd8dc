/**
 * Credentials in the fake GitHub API (fake-github.ts): the Authorization header's scheme and value, the
 * issuer of a GitHub App JWT, and the App endpoints — a repository's installation and installation access
 * tokens (minted here and accepted afterwards) — which answer only to a JWT.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeGitHubOptions, FakeRepo } from './fake-github.ts';
import type { Send } from './fake-github-actions.ts';

export const authOf = (req: IncomingMessage): { scheme: string | null; value: string | null } => {
  const h = req.headers.authorization;
  if (!h) return { scheme: null, value: null };
  const [scheme, ...rest] = h.split(' ');
  return { scheme: (scheme ?? '').toLowerCase(), value: rest.join(' ') };
};

export const jwtAppId = (jwt: string): string | null => {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      iss?: unknown;
    };
    return payload.iss === undefined ? null : String(payload.iss);
  } catch {
    return null;
  }
};

/** The GitHub App endpoints and the installation tokens they minted. */
export function createAppAuth(
  opts: FakeGitHubOptions,
  findRepo: (owner: string, name: string) => FakeRepo | undefined,
  send: Send,
  notFound: (res: ServerResponse) => void,
) {
  const installationTokens = new Map<string, number>();
  let tokenCounter = 0;

  /** Answers an App endpoint (for a JWT); false when `path` is not one. */
  const appRoute = (res: ServerResponse, path: string, method: string, isJwt: boolean): unknown => {
    let m: RegExpExecArray | null;
    m = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
    if (m && method === 'GET') {
      if (!isJwt) return send(res, 401, { message: 'A JSON web token could not be decoded' });
      const repo = findRepo(m[1] as string, m[2] as string);
      if (!repo?.installationId) return notFound(res);
      return send(res, 200, {
        id: repo.installationId,
        account: { login: repo.owner },
        app_id: Number(opts.appId ?? 1),
      });
    }
    m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (m && method === 'POST') {
      if (!isJwt) return send(res, 401, { message: 'A JSON web token could not be decoded' });
      const token = `ghs_fakeinstallation${m[1]}x${++tokenCounter}`;
      installationTokens.set(token, Number(m[1]));
      return send(res, 201, {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { actions: 'write', metadata: 'read' },
        repository_selection: 'all',
      });
    }
    return false;
  };

  return { installationTokens, appRoute };
}
