/**
 * GitHub's workflow-run and job JSON (REST responses and `workflow_run` webhook payloads share the
 * run shape) turned into the port's types, and the pure part of automatic triage: which webhook
 * deliveries deserve a triage, and where it goes.
 */

import type { Conclusion, WorkflowJob, WorkflowRun, WorkflowStep } from '../github-port.ts';

type Json = Record<string, unknown>;

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback);
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

/** A run from `GET /repos/{o}/{r}/actions/runs[/{id}]` or a `workflow_run` webhook payload. */
export function toWorkflowRun(raw: unknown): WorkflowRun {
  const r = obj(raw);
  return {
    id: num(r.id),
    name: str(r.name),
    workflowPath: str(r.path).replace(/@.*$/, ''),
    workflowId: num(r.workflow_id),
    runNumber: num(r.run_number),
    runAttempt: num(r.run_attempt, 1),
    displayTitle: str(r.display_title),
    headBranch: strOrNull(r.head_branch),
    headSha: str(r.head_sha),
    event: str(r.event),
    status: strOrNull(r.status),
    conclusion: strOrNull(r.conclusion) as Conclusion,
    htmlUrl: str(r.html_url),
    actor: strOrNull(obj(r.triggering_actor).login) ?? strOrNull(obj(r.actor).login),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

export function toWorkflowJob(raw: unknown): WorkflowJob {
  const j = obj(raw);
  const steps = Array.isArray(j.steps) ? j.steps : [];
  return {
    id: num(j.id),
    runId: num(j.run_id),
    runAttempt: num(j.run_attempt, 1),
    name: str(j.name),
    status: str(j.status),
    conclusion: strOrNull(j.conclusion) as Conclusion,
    htmlUrl: str(j.html_url),
    startedAt: strOrNull(j.started_at),
    completedAt: strOrNull(j.completed_at),
    runnerName: strOrNull(j.runner_name),
    steps: steps.map(
      (s): WorkflowStep => ({
        number: num(obj(s).number),
        name: str(obj(s).name),
        status: str(obj(s).status),
        conclusion: strOrNull(obj(s).conclusion) as Conclusion,
        startedAt: strOrNull(obj(s).started_at),
        completedAt: strOrNull(obj(s).completed_at),
      }),
    ),
  };
}

/** Run conclusions that mean "this run failed" (a cancelled run did not fail: someone stopped it). */
export const FAILED_RUN_CONCLUSIONS: ReadonlySet<string> = new Set([
  'failure',
  'timed_out',
  'startup_failure',
]);

/** What the webhook handler should triage. */
export interface WorkflowRunTriageRequest {
  owner: string;
  repo: string;
  runId: number;
  runAttempt: number;
  /** Slack channel from `ci.channels` in the team's config file. */
  channel: string;
  run: WorkflowRun;
}

/**
 * Decides whether a `workflow_run` delivery (already signature-verified) is a failed run to triage:
 * action `completed`, a failed conclusion, and a repository mapped to a channel in `ci.channels`
 * (keys `owner/repo`, matched case-insensitively as GitHub does). Returns null for anything else —
 * other actions, successes, cancellations, unmapped repositories, malformed payloads.
 */
export function triageRequestFromWorkflowRunEvent(
  payload: unknown,
  channels: Readonly<Record<string, string>>,
): WorkflowRunTriageRequest | null {
  const p = obj(payload);
  if (p.action !== 'completed') return null;
  const raw = obj(p.workflow_run);
  if (typeof raw.id !== 'number') return null;
  const run = toWorkflowRun(raw);
  if (!run.conclusion || !FAILED_RUN_CONCLUSIONS.has(run.conclusion)) return null;
  const fullName = str(obj(p.repository).full_name) || str(obj(raw.repository).full_name);
  const [owner, repo] = fullName.split('/');
  if (!owner || !repo) return null;
  const key = Object.keys(channels).find((k) => k.toLowerCase() === fullName.toLowerCase());
  const channel = key ? channels[key] : undefined;
  if (!channel) return null;
  return { owner, repo, runId: run.id, runAttempt: run.runAttempt, channel, run };
}

/**
 * A deterministic job id for triaging one attempt of one run, so a redelivered webhook or a double
 * click is a no-op. BullMQ ids may not contain `:`; `/` cannot occur in GitHub owner or repo names,
 * so the parts cannot run into each other. Lower-cased: GitHub names are case-insensitive.
 */
export function triageJobId(ref: {
  owner: string;
  repo: string;
  runId: number;
  runAttempt?: number;
}): string {
  return `triage/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}/${ref.runId}/${ref.runAttempt ?? 1}`;
}
