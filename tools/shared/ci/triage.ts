/**
 * Triage of one failed GitHub Actions run: which run (id, URL, branch or the default branch's latest
 * failure), which jobs failed, and for each the failed step, the excerpt of its log a person would
 * have scrolled to (redacted), the kind of failure, and a link to the log line. Used by the
 * `triage_build` tool (commands, buttons, the agent) and by automatic triage from the webhook.
 */

import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type {
  Conclusion,
  GitHubPort,
  RepoRef,
  WorkflowJob,
  WorkflowRun,
  WorkflowStep,
} from '../github-port.ts';
import type { ExtractDetails } from './details.ts';
import { extractLog, extractLogChunks } from './extract.ts';
import type { Extraction } from './extraction.ts';
import { triageFingerprint } from './fingerprint.ts';
import { extractFromEndInWorker, extractWholeInWorker, startLogWorker } from './read-from-end.ts';
import { redactExtraction } from './redact-extraction.ts';
import type { FailureKind } from './rule.ts';
import type { TriageTarget } from './target.ts';
import { FAILED_RUN_CONCLUSIONS } from './workflow-run.ts';

export interface TriagedJob {
  id: number;
  name: string;
  conclusion: Conclusion;
  /** The job's page. */
  url: string;
  /** The step GitHub marks as failed (or timed out / cancelled), when there is one. */
  failedStep: { number: number; name: string } | null;
  kind: FailureKind;
  /** Rule that decided the kind (`jest`, `tsc`, `npm-install`, `oom`, …), null when nothing matched. */
  rule: string | null;
  confidence: Extraction['confidence'];
  /** The first error line, redacted. Null when the log could not be read or held nothing decisive. */
  firstError: string | null;
  /** The excerpt, redacted: at most ~40 lines, each with its line number in the raw job log. */
  excerpt: { line: number; text: string }[];
  /** Line number of the first error in the raw job log (or in its failed step: see linesFrom). */
  logLine: number | null;
  /**
   * `job`: line numbers count from the log's first line; `step`: from the failed step's first line,
   * as GitHub's log viewer shows them (the log was read from its end, by byte ranges).
   */
  linesFrom: 'job' | 'step';
  /** Link to the log: `…/job/ID#step:N:LINE` when the line can be placed in a step, else the job page. */
  logUrl: string;
  /** The log section the error is in (`Run npm test`). */
  section: string | null;
  /** Test name, location, expected/received, error code, exit code — redacted. */
  details: ExtractDetails;
  /** The runner's verdict line (`Process completed with exit code 1.`, a timeout), redacted. */
  verdict: string | null;
  /** Why there is no excerpt (logs expired, unreadable), when there is none. */
  note: string | null;
  /** For "same failure within a day" (see fingerprint.ts). */
  fingerprint: string;
  linesRead: number;
  stoppedEarly: boolean;
}

export interface TriageResult {
  /** `owner/repo` */
  repo: string;
  run: {
    id: number;
    /** Workflow name (`CI`). */
    workflow: string;
    workflowPath: string;
    runNumber: number;
    attempt: number;
    branch: string | null;
    sha: string;
    event: string;
    conclusion: Conclusion;
    /** Commit or PR title, redacted. */
    title: string;
    actor: string | null;
    url: string;
    createdAt: string;
  };
  /** The failed jobs that were triaged (at most `maxJobs`), in GitHub's order. */
  jobs: TriagedJob[];
  /** Failed (or timed-out) jobs in the run, including those not triaged. */
  failedJobCount: number;
  /** Jobs cancelled as a consequence (fail-fast, concurrency). */
  cancelledJobCount: number;
  /** The headline kind: the first triaged job's. */
  kind: FailureKind;
  /** The first triaged job's fingerprint (the run's "same failure" key), null without jobs. */
  fingerprint: string | null;
  /** `/ops rerun owner/repo RUN_ID` */
  rerunCommand: string;
  /** Set when the run failed before any job ran (startup failure, invalid workflow). */
  note: string | null;
}

export interface TriageOptions {
  /** Failed jobs whose logs are read (default 4); the rest are counted. */
  maxJobs?: number;
  /** A job to read first (from a `…/job/ID` URL). */
  preferJobId?: number;
  signal?: AbortSignal;
  progress?: (step: string) => void;
}

const FAILED_JOB = new Set(['failure', 'timed_out']);

/** Finds the run to triage; throws the specific AppErrors (no failed run, not failed, in progress). */
export async function resolveRun(
  github: GitHubPort,
  ref: RepoRef,
  target: TriageTarget,
  signal?: AbortSignal,
): Promise<WorkflowRun> {
  const repo = `${ref.owner}/${ref.repo}`;
  let run: WorkflowRun;
  if (target.kind === 'run') {
    run = await github.getWorkflowRun({ ...ref, runId: target.runId }, { signal });
  } else {
    const branch = target.kind === 'branch' ? target.branch : await github.getDefaultBranch(ref, { signal });
    const runs = await github.listWorkflowRuns({ ...ref, branch, status: 'failure', perPage: 1 }, { signal });
    const latest = runs[0];
    if (!latest) {
      throw new AppError({
        code: 'no_failed_run',
        userMessage: `No failed workflow run on ${branch} of ${repo} (among the runs GitHub still lists).`,
      });
    }
    run = latest;
  }
  if (run.status !== 'completed') {
    throw new AppError({
      code: 'run_in_progress',
      userMessage: `Run ${run.id} of ${repo} is still ${run.status ?? 'running'}; triage it once it has finished.`,
    });
  }
  if (!run.conclusion || !FAILED_RUN_CONCLUSIONS.has(run.conclusion)) {
    throw new AppError({
      code: 'run_not_failed',
      userMessage:
        run.conclusion === 'cancelled'
          ? `Run ${run.id} of ${repo} was cancelled, it did not fail. Nothing to triage.`
          : `Run ${run.id} of ${repo} did not fail (conclusion: ${run.conclusion ?? 'none'}). Nothing to triage.`,
    });
  }
  return run;
}

/** The step that failed: GitHub's failed step, else a timed-out or cancelled one. */
export function failedStepOf(job: WorkflowJob): WorkflowStep | null {
  return (
    job.steps.find((s) => s.conclusion === 'failure') ??
    job.steps.find((s) => s.conclusion === 'timed_out') ??
    job.steps.find((s) => s.conclusion === 'cancelled') ??
    null
  );
}

/**
 * `#step:N:LINE` for the first error. GitHub's log viewer numbers lines within each step, starting
 * with the step's `Run …` header line. Log sections map to the steps that ran, in order; when that
 * mapping disagrees with the failed step (composite actions add sections of their own), the link
 * points at the failed step without a line.
 */
export function logAnchor(job: WorkflowJob, x: Extraction, failed: WorkflowStep | null): string {
  const ran = job.steps.filter((s) => s.conclusion !== 'skipped' && s.conclusion !== null);
  const sec = x.section;
  const first = x.firstError;
  if (sec && first && sec.index < ran.length) {
    const step = ran[sec.index] as WorkflowStep;
    if (!failed || step.number === failed.number)
      return `#step:${step.number}:${first.n - sec.startLine + 1}`;
  }
  return failed ? `#step:${failed.number}:1` : '';
}

/** `#step:N:LINE` for a log read from the failed step's start: its lines are the step's own. */
function stepAnchor(x: Extraction, failed: WorkflowStep | null): string {
  if (!failed) return '';
  return `#step:${failed.number}:${x.firstError ? x.firstError.n : 1}`;
}

/** Closes `stream` (the connection it reads), then gives `url` back. */
async function closed(stream: AsyncIterable<Uint8Array>, url: string): Promise<string> {
  await stream[Symbol.asyncIterator]()
    .return?.()
    ?.catch(() => {});
  return url;
}

/** Reads, extracts and redacts one job's log. */
async function triageJob(
  github: GitHubPort,
  redact: (s: string) => string,
  ref: RepoRef,
  run: WorkflowRun,
  job: WorkflowJob,
  signal: AbortSignal | undefined,
  logWorker: () => Worker,
): Promise<TriagedJob> {
  const failed = failedStepOf(job);
  const base: Omit<TriagedJob, 'fingerprint'> = {
    id: job.id,
    name: redact(job.name),
    conclusion: job.conclusion,
    url: job.htmlUrl,
    failedStep: failed ? { number: failed.number, name: redact(failed.name) } : null,
    kind: job.conclusion === 'timed_out' ? 'timeout' : 'unknown',
    rule: null,
    confidence: 'low',
    firstError: null,
    excerpt: [],
    logLine: null,
    linesFrom: 'job',
    logUrl: job.htmlUrl,
    section: null,
    details: {},
    verdict: null,
    note: null,
    linesRead: 0,
    stoppedEarly: false,
  };
  let x: Extraction & { stoppedEarly: boolean; fromStep?: boolean };
  try {
    const jobRef = { ...ref, jobId: job.id };
    // Read from the end when the storage answers ranges (the failed step is last), else stream it all.
    const opened = github.openJobLog ? await github.openJobLog(jobRef, { signal }) : null;
    // A whole log with a credential-free URL is read again from there in a worker thread too.
    x = opened
      ? 'ranged' in opened
        ? await extractFromEndInWorker(opened.ranged, {
            signal,
            worker: logWorker(),
            step: failed ? { startedAt: failed.startedAt, name: failed.name } : undefined,
          })
        : opened.url
          ? await extractWholeInWorker(await closed(opened.stream, opened.url), {
              signal,
              worker: logWorker(),
            })
          : await extractLogChunks(opened.stream, { signal })
      : github.streamJobLogBytes
        ? await extractLogChunks(github.streamJobLogBytes(jobRef, { signal }), { signal })
        : await extractLog(github.streamJobLog(jobRef, { signal }), { signal });
  } catch (e) {
    if (e instanceof AppError && e.code === 'github_logs_expired') {
      return {
        ...base,
        note: e.userMessage,
        fingerprint: fingerprintOf(ref, run, base.failedStep?.name ?? '', ''),
      };
    }
    throw e;
  }

  const { excerpt, details, firstError, verdict, section } = redactExtraction(x, redact);
  const step = base.failedStep?.name ?? x.section?.title ?? '';
  return {
    ...base,
    kind: x.kind === 'unknown' && job.conclusion === 'timed_out' ? 'timeout' : x.kind,
    rule: x.rule,
    confidence: x.confidence,
    firstError,
    excerpt,
    logLine: x.firstError?.n ?? null,
    logUrl: `${job.htmlUrl}${x.fromStep ? stepAnchor(x, failed) : logAnchor(job, x, failed)}`,
    linesFrom: x.fromStep ? 'step' : 'job',
    section,
    details,
    verdict,
    note: x.lines.length === 0 ? 'The log holds no output for this job.' : null,
    fingerprint: fingerprintOf(ref, run, step, x.firstError?.text ?? ''),
    linesRead: x.linesRead,
    stoppedEarly: x.stoppedEarly,
  };
}

function fingerprintOf(ref: RepoRef, run: WorkflowRun, step: string, firstError: string): string {
  return triageFingerprint({
    repo: `${ref.owner}/${ref.repo}`,
    workflow: run.workflowPath || run.name,
    step,
    firstErrorLine: firstError,
  });
}

/**
 * Triage of a run that has been resolved (see resolveRun): lists its jobs and reads the failed ones'
 * logs one after the other, each only as far as its excerpt needs. Throws `github_logs_expired` when
 * no failed job's log could be read at all.
 */
export async function triageRun(
  github: GitHubPort,
  redact: (s: string) => string,
  ref: RepoRef,
  run: WorkflowRun,
  opts: TriageOptions = {},
): Promise<TriageResult> {
  const maxJobs = opts.maxJobs ?? 4;
  // The log worker boots while GitHub is asked for the jobs and the log's location.
  let spare = github.openJobLog ? startLogWorker() : undefined;
  const logWorker = () => {
    const w = spare ?? startLogWorker();
    spare = undefined;
    return w;
  };
  try {
    return await triageJobs(github, redact, ref, run, opts, maxJobs, logWorker);
  } finally {
    await spare?.terminate();
  }
}

async function triageJobs(
  github: GitHubPort,
  redact: (s: string) => string,
  ref: RepoRef,
  run: WorkflowRun,
  opts: TriageOptions,
  maxJobs: number,
  logWorker: () => Worker,
): Promise<TriageResult> {
  const jobs = await github.listJobsForRun({ ...ref, runId: run.id }, { signal: opts.signal });
  const failed = jobs.filter((j) => j.conclusion && FAILED_JOB.has(j.conclusion));
  const cancelled = jobs.filter((j) => j.conclusion === 'cancelled');
  // A run with only cancelled jobs (a fail-fast sibling failed in another attempt, or the runner
  // died) is triaged through those.
  const candidates = failed.length > 0 ? failed : cancelled;
  const preferred = candidates.findIndex((j) => j.id === opts.preferJobId);
  if (preferred > 0) candidates.unshift(...candidates.splice(preferred, 1));
  const toRead = candidates.slice(0, maxJobs);
  const triaged: TriagedJob[] = [];
  for (const [i, job] of toRead.entries()) {
    opts.signal?.throwIfAborted();
    opts.progress?.(`Reading the log of job "${job.name}" (${i + 1}/${toRead.length})…`);
    triaged.push(await triageJob(github, redact, ref, run, job, opts.signal, logWorker));
  }
  if (triaged.length > 0 && triaged.every((j) => j.note && j.excerpt.length === 0 && j.firstError === null)) {
    const expired = triaged.find((j) => j.note?.includes('no longer available'));
    if (expired) {
      throw new AppError({
        code: 'github_logs_expired',
        userMessage: `The logs of run ${run.id} of ${ref.owner}/${ref.repo} are no longer available (expired or deleted). Re-run the failed jobs to get fresh logs.`,
      });
    }
  }
  const first = triaged[0];
  return {
    repo: `${ref.owner}/${ref.repo}`,
    run: {
      id: run.id,
      workflow: redact(run.name),
      workflowPath: run.workflowPath,
      runNumber: run.runNumber,
      attempt: run.runAttempt,
      branch: run.headBranch,
      sha: run.headSha,
      event: run.event,
      conclusion: run.conclusion,
      title: redact(run.displayTitle),
      actor: run.actor,
      url: run.htmlUrl,
      createdAt: run.createdAt,
    },
    jobs: triaged,
    failedJobCount: failed.length,
    cancelledJobCount: cancelled.length,
    kind: first?.kind ?? (run.conclusion === 'timed_out' ? 'timeout' : 'unknown'),
    fingerprint: first?.fingerprint ?? null,
    rerunCommand: `/ops rerun ${ref.owner}/${ref.repo} ${run.id}`,
    note:
      jobs.length === 0
        ? run.conclusion === 'startup_failure'
          ? 'The run failed before any job started (startup failure): usually an invalid workflow file or a missing required secret/permission.'
          : 'The run has no jobs to triage.'
        : null,
  };
}

export { kindLabel, triageExplanationInput } from './explanation.ts';
