import { createHmac, randomUUID } from 'node:crypto';

/** GitHub's `x-hub-signature-256`: `sha256=` + the hex HMAC-SHA256 of the raw body. */
export function signGitHub(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A `workflow_run` delivery body shaped like GitHub's (the fields Shipmate reads, and some it does not). */
export function workflowRunEvent(o: {
  owner: string;
  repo: string;
  runId: number;
  runNumber?: number;
  runAttempt?: number;
  action?: 'requested' | 'in_progress' | 'completed';
  conclusion?: string | null;
  branch?: string;
  name?: string;
  path?: string;
}): string {
  const full = `${o.owner}/${o.repo}`;
  const repository = {
    id: 1,
    name: o.repo,
    full_name: full,
    owner: { login: o.owner },
    html_url: `https://github.com/${full}`,
  };
  return JSON.stringify({
    action: o.action ?? 'completed',
    workflow_run: {
      id: o.runId,
      name: o.name ?? 'CI',
      path: o.path ?? '.github/workflows/ci.yml',
      workflow_id: 1002,
      run_number: o.runNumber ?? o.runId % 1000,
      run_attempt: o.runAttempt ?? 1,
      display_title: `Commit on ${o.branch ?? 'main'}`,
      head_branch: o.branch ?? 'main',
      head_sha: '3f1e2d4c5b6a79880716253443526170819a0b1c',
      event: 'push',
      status: (o.action ?? 'completed') === 'completed' ? 'completed' : 'in_progress',
      conclusion: o.conclusion === undefined ? 'failure' : o.conclusion,
      html_url: `https://github.com/${full}/actions/runs/${o.runId}`,
      actor: { login: 'octocat' },
      triggering_actor: { login: 'octocat' },
      created_at: '2025-01-14T09:30:00Z',
      updated_at: '2025-01-14T09:42:00Z',
      repository,
    },
    workflow: { id: 1002, name: o.name ?? 'CI', path: o.path ?? '.github/workflows/ci.yml' },
    repository,
    sender: { login: 'octocat' },
  });
}

/** Posts a delivery to `/github/webhook`, signed with `secret` unless `signature` says otherwise (null: unsigned). */
export async function postGitHubWebhook(
  baseUrl: string,
  body: string,
  o: {
    secret: string;
    event?: string;
    deliveryId?: string;
    signature?: string | null;
    contentType?: string;
  },
): Promise<{ status: number; text: string; json: () => unknown }> {
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': o.event ?? 'workflow_run',
    'x-github-delivery': o.deliveryId ?? randomUUID(),
  };
  const signature = o.signature === undefined ? signGitHub(body, o.secret) : o.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`${baseUrl}/github/webhook`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}
