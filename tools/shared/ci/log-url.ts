/**
 * The URL in `/ops triage <url>`: Slack's link markup taken off, and the decision whether it is a
 * GitHub Actions run (triaged through the API, target.ts) or any other CI's raw log (fetched under
 * `ci.log_hosts`). Pure; bad input is AppError `bad_input` with what was expected.
 */

import { AppError } from '../errors.ts';

/** `…/OWNER/REPO/actions/runs/RUN…` on github.com or a GitHub Enterprise host (as target.ts reads it). */
const RUN_URL = /^https?:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+\/actions\/runs\/\d+/;
/** `https://github.com/owner/repo` (a repository: its latest failed run). */
const GITHUB_REPO_URL = /^https?:\/\/(?:www\.)?github\.com\/[^/\s]+\/[^/\s#?]+?\/?(?:[?#].*)?$/i;

/**
 * Slack writes a link in command text as `<https://…>` or `<https://…|label>`, with `&`, `<`, `>`
 * as `&amp;`, `&lt;`, `&gt;`: the URL as typed. Text that is not wrapped is returned trimmed.
 */
export function unwrapSlackLink(text: string): string {
  let s = text.trim();
  const m = /^<([^<>|]*)(?:\|[^<>]*)?>$/.exec(s);
  if (m) s = m[1] ?? '';
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Whether `text` (unwrapped) is a URL at all: it starts with a scheme. */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(unwrapSlackLink(text));
}

/** A workflow run URL, or a github.com repository URL: these go to the run triage. */
export function isGitHubTriageUrl(text: string): boolean {
  const s = unwrapSlackLink(text);
  return RUN_URL.test(s) || GITHUB_REPO_URL.test(s);
}

/**
 * Why a github.com URL that is not a run nor a repository (isGitHubTriageUrl) is no log either — a
 * pull request, a commit's checks, a workflow's page: HTML, whatever ci.log_hosts says — or undefined
 * (not github.com, or a raw file: `…/raw/…`, release assets).
 */
function gitHubPageProblem(u: URL): string | undefined {
  if (!/^(?:www\.)?github\.com$/.test(u.hostname)) return undefined;
  const [owner, repo, kind, n] = u.pathname.split('/').filter(Boolean);
  if (!owner || !repo || kind === 'raw' || kind === 'releases') return undefined;
  const branchForm = `or name the branch: /ops triage ${owner}/${repo} <branch>`;
  if (kind === 'pull' && n && /^\d+$/.test(n))
    return `That is pull request #${n} of ${owner}/${repo}, not a workflow run. Give the run: open the PR's failed check and copy the run's URL (…/actions/runs/<id>), ${branchForm}.`;
  return `${u.host}${u.pathname} is a GitHub page of ${owner}/${repo}, not a workflow run or a raw log. Give the run's URL (…/actions/runs/<id>), ${branchForm}.`;
}

/**
 * The raw log URL in `text` (Slack markup removed), normalised by the WHATWG parser: http or https,
 * no credentials, at most 2,000 characters, not a github.com page. Throws `bad_input` saying what is wrong.
 */
export function parseLogUrl(text: string): string {
  const s = unwrapSlackLink(text);
  const bad = (message: string) => new AppError({ code: 'bad_input', userMessage: message });
  if (s.length > 2000) throw bad('That URL is longer than 2,000 characters; link the raw log directly.');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw bad(
      `"${s.slice(0, 200)}" is not a URL; give the address of a raw log, e.g. https://gitlab.com/acme/shop/-/jobs/123/raw.`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw bad(`Only https:// and http:// log URLs can be triaged, not ${u.protocol}//.`);
  if (!u.hostname) throw bad(`"${s.slice(0, 200)}" has no host.`);
  if (u.username || u.password)
    throw bad(
      'That URL carries a user name or password; Shipmate does not send credentials from a URL. Use a link to the raw log that opens without signing in.',
    );
  const page = gitHubPageProblem(u);
  if (page) throw bad(page);
  u.hash = '';
  if (u.href.length > 2000) throw bad('That URL is longer than 2,000 characters; link the raw log directly.');
  return u.href;
}
