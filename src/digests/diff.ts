import { DIGEST_SEVERITY_RANK, type DigestItem, type DigestSeverity } from './section.ts';

/** What a digest remembers of a finding it posted. */
export interface KnownFinding {
  section: string;
  severity: DigestSeverity;
  /** The line as last posted (shown again when it is resolved). */
  text: string;
  /** ISO time the finding was first posted. */
  firstSeen: string;
  /** Digests it appeared in. */
  count: number;
  /** An event already posted: remembered (a week) only so it is never news twice. */
  event?: true;
}

/** How long a posted event is remembered. */
const EVENT_MEMORY_MS = 7 * 86_400_000;

export type SectionItem = DigestItem & { section: string };

export interface DigestDiff {
  /** Findings not in the last digest, and every event; worst first. */
  fresh: SectionItem[];
  /** Findings also in the last digest, worst first, with how long and how often they were seen. */
  still: (SectionItem & { known: KnownFinding })[];
  /** Findings of the last digest that are gone, in sections that could be read this time. */
  resolved: (KnownFinding & { fingerprint: string })[];
  /** What to remember for the next digest. */
  next: Record<string, KnownFinding>;
}

const bySeverity = (a: { severity: DigestSeverity }, b: { severity: DigestSeverity }) =>
  DIGEST_SEVERITY_RANK[a.severity] - DIGEST_SEVERITY_RANK[b.severity];

/**
 * Compares this run's items with the findings the last digest posted. A section that could not be
 * read this time (`unread`) resolves nothing: its known findings are carried over unchanged, so a
 * cluster that is down for a moment does not turn every open problem into "resolved".
 */
export function diffDigest(
  known: Readonly<Record<string, KnownFinding>>,
  items: readonly SectionItem[],
  unread: ReadonlySet<string>,
  now: Date,
): DigestDiff {
  const fresh: SectionItem[] = [];
  const still: DigestDiff['still'] = [];
  const next: Record<string, KnownFinding> = Object.create(null);
  const seen = new Set<string>();
  for (const item of items) {
    if (item.kind === 'event') {
      // An event is news once: a section may return it again (its time window overlaps the last run).
      if (seen.has(item.fingerprint)) continue;
      seen.add(item.fingerprint);
      const k = Object.hasOwn(known, item.fingerprint) ? known[item.fingerprint] : undefined;
      if (k) {
        next[item.fingerprint] = k;
        continue;
      }
      fresh.push(item);
      next[item.fingerprint] = {
        section: item.section,
        severity: item.severity,
        text: '',
        firstSeen: now.toISOString(),
        count: 1,
        event: true,
      };
      continue;
    }
    if (seen.has(item.fingerprint)) continue;
    seen.add(item.fingerprint);
    const k = Object.hasOwn(known, item.fingerprint) ? known[item.fingerprint] : undefined;
    if (k) {
      const updated = { ...k, severity: item.severity, text: item.text, count: k.count + 1 };
      still.push({ ...item, known: updated });
      next[item.fingerprint] = updated;
    } else {
      fresh.push(item);
      next[item.fingerprint] = {
        section: item.section,
        severity: item.severity,
        text: item.text,
        firstSeen: now.toISOString(),
        count: 1,
      };
    }
  }
  const resolved: DigestDiff['resolved'] = [];
  for (const [fingerprint, k] of Object.entries(known)) {
    if (seen.has(fingerprint)) continue;
    if (k.event) {
      if (now.getTime() - Date.parse(k.firstSeen) < EVENT_MEMORY_MS) next[fingerprint] = k;
      continue;
    }
    if (unread.has(k.section)) next[fingerprint] = k;
    else resolved.push({ ...k, fingerprint });
  }
  fresh.sort(bySeverity);
  still.sort(bySeverity);
  resolved.sort(bySeverity);
  return { fresh, still, resolved, next };
}
