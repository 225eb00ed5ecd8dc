import type { Logger } from '../log.ts';
import type { DigestConfig } from '../team-config.ts';

/** How bad an item is; digests list the worst first and ping `mention` only for critical or error. */
export type DigestSeverity = 'critical' | 'error' | 'warning' | 'notice';

export const DIGEST_SEVERITY_RANK: Readonly<Record<DigestSeverity, number>> = {
  critical: 0,
  error: 1,
  warning: 2,
  notice: 3,
};

/**
 * One line of a digest. A `finding` is a state (a crash-looping workload, a red workflow): it stays
 * until it is gone, and the digest says whether it is new, still there, or resolved. An `event`
 * happened once (a deploy): it is news in the digest after it and never again.
 */
export interface DigestItem {
  /** Stable across runs: object and reason, never generated text (`k8s:prod/checkout/Deployment:CrashLoopBackOff`). */
  fingerprint: string;
  kind: 'finding' | 'event';
  severity: DigestSeverity;
  /** One line of Slack mrkdwn, already escaped; redacted if it quotes logs or objects. */
  text: string;
}

/** What one section found this run. */
export interface SectionResult {
  items: DigestItem[];
  /** One line of context above the items: "412 pods on prod, 3 problems". */
  summary?: string;
  /** Caveats: parts that could not be read and why. */
  notes?: string[];
  /** The command that shows everything, for "+N more — `/ops status`". */
  more?: string;
}

export interface SectionContext {
  /** When the previous digest of this id ran; undefined for the first. */
  since: Date | undefined;
  now: Date;
  signal: AbortSignal;
  log: Logger;
  progress: (step: string) => void;
  /** Whether the last digest already had this finding (a section may skip costly detail for it). */
  known: (fingerprint: string) => boolean;
}

/**
 * A part of a scheduled digest, brought by the feature whose tools it reads (kube: `cluster`, ci:
 * `ci`, deploys: `deploys`). Deterministic: built from the same tools that serve `/ops`, no LLM.
 */
export interface DigestSection {
  /** The name a digest lists in its `sections:`. */
  readonly name: string;
  /** Heading in the digest: "Cluster". */
  readonly title: string;
  /** Throws AppError when the section cannot be read (the digest shows the reason in its place). */
  collect(digest: DigestConfig, ctx: SectionContext): Promise<SectionResult>;
}
