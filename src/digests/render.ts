import { context, escapeMrkdwn, header, section, truncate } from '../../tools/shared/block-kit.ts';
import { type Block, type Message, SLACK_LIMITS } from '../../tools/shared/message.ts';
import type { DigestConfig } from '../team-config.ts';
import type { DigestDiff, SectionItem } from './diff.ts';
import type { DigestSeverity, SectionResult } from './section.ts';

/** "Wed 2 Dec 09:00" in the digest's time zone. */
export function formatWhen(at: Date | number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(at)
    .replace(',', '');
}

/** 90 s → "2 min", 5 h, 3 d. */
export function formatDuration(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min < 120) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

const ICON: Record<DigestSeverity, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  notice: ':white_circle:',
};

/** What one section contributes: its result, or why it could not be read. */
export interface SectionOutcome {
  name: string;
  title: string;
  result?: SectionResult;
  /** The user-facing reason the section could not be read. */
  error?: string;
}

export interface RenderInput {
  digest: DigestConfig;
  sections: readonly SectionOutcome[];
  diff: DigestDiff;
  now: Date;
  /** The previous digest's time; undefined for the first digest ever. */
  since: Date | undefined;
  mode: 'scheduled' | 'now' | 'preview';
  /** Set when a scheduled run is posted late: when it was due. */
  lateFrom?: Date;
  /** Mentions to ping (Shipmate's own; only when something new is critical or error). */
  mention?: string;
  /** The generated lead, already escaped. */
  lead?: { text: string; model: string };
}

/** New items per section before "+N more"; the text of a section stays within Slack's 3,000 characters. */
const MAX_NEW = 10;
const MAX_RESOLVED = 5;
const SECTION_BUDGET = SLACK_LIMITS.sectionText - 200;

/** Bullets within the character budget: worst first, then "+N more — `cmd`". */
function bullets(lines: readonly string[], max: number, more: string | undefined): string {
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const l = truncate(line, 400);
    if (out.length >= max || used + l.length + 1 > SECTION_BUDGET) break;
    out.push(l);
    used += l.length + 1;
  }
  const left = lines.length - out.length;
  if (left > 0) out.push(`+${left} more${more ? ` — \`${more}\`` : ''}`);
  return out.join('\n');
}

function stillLine(still: DigestDiff['still'], now: Date): string {
  const oldest = still.reduce((a, b) => (a.known.firstSeen <= b.known.firstSeen ? a : b));
  const age = formatDuration(now.getTime() - Date.parse(oldest.known.firstSeen));
  return `*Still failing:* ${still.length} — oldest for ${age} (${oldest.known.count} digests): ${truncate(oldest.text, 300)}`;
}

function itemLine(i: SectionItem): string {
  return i.kind === 'event' ? `• ${i.text}` : `${ICON[i.severity]} ${i.text}`;
}

function counts(diff: DigestDiff): string {
  const parts = [
    `${diff.fresh.length} new`,
    `${diff.resolved.length} resolved`,
    `${diff.still.length} still failing`,
  ];
  return parts.join(', ');
}

/** Whether the digest has nothing to say: no new item, nothing resolved, and every section read. */
export function isQuiet(diff: DigestDiff, sections: readonly SectionOutcome[]): boolean {
  return diff.fresh.length === 0 && diff.resolved.length === 0 && sections.every((s) => !s.error);
}

/**
 * The digest message. Quiet: one line. Otherwise a header, then per section what is new (worst
 * first), one line for what is still failing, and what was resolved; at most 50 blocks and 3,000
 * characters a section, "+N more" with the command that shows everything.
 */
export function renderDigest(r: RenderInput): Message {
  const d = r.digest;
  const name = `Digest ${d.id}`;
  const when = formatWhen(r.now, d.timezone);
  const sinceText = r.since
    ? `since ${formatWhen(r.since, d.timezone)}`
    : 'first digest: everything open is listed';
  const notes: string[] = [];
  if (r.mode === 'preview')
    notes.push(':eyes: Preview — only you see this; nothing was posted or remembered.');
  if (r.mode === 'now') notes.push('Posted on request, outside the schedule; the schedule is unchanged.');
  if (r.lateFrom)
    notes.push(
      `:hourglass: Late: due ${formatWhen(r.lateFrom, d.timezone)}, posted ${when} (${formatDuration(r.now.getTime() - r.lateFrom.getTime())} late: no worker was running).`,
    );

  if (isQuiet(r.diff, r.sections)) {
    const still = r.diff.still.length ? ` (${r.diff.still.length} still failing)` : '';
    const line = `*${name}* · ${when} ${d.timezone}: all quiet — nothing new or resolved ${r.since ? sinceText : 'and nothing open'}${still}.`;
    const blocks: Block[] = [section(line)];
    if (notes.length) blocks.push(context(notes.join('\n')));
    return { text: `${name}: all quiet${still}`, blocks };
  }

  const blocks: Block[] = [header(`${name} · ${when} (${d.timezone})`)];
  const top = [`${counts(r.diff)} — ${sinceText}`, ...notes];
  blocks.push(context(top.join('\n')));
  if (r.mention) blocks.push(section(`${r.mention} something new needs attention.`));
  if (r.lead) blocks.push(context(`_Generated by ${escapeMrkdwn(r.lead.model)}:_ ${r.lead.text}`));
  for (const s of r.sections) {
    const head = `*${s.title}*${s.result?.summary ? ` · ${s.result.summary}` : ''}`;
    if (s.error) {
      blocks.push(
        section(`${head}\n:warning: Could not read this section: ${escapeMrkdwn(truncate(s.error, 600))}`),
      );
      continue;
    }
    const fresh = r.diff.fresh.filter((i) => i.section === s.name);
    const still = r.diff.still.filter((i) => i.section === s.name);
    const resolved = r.diff.resolved.filter((i) => i.section === s.name);
    const parts = [head];
    if (fresh.length) parts.push(`*New*\n${bullets(fresh.map(itemLine), MAX_NEW, s.result?.more)}`);
    if (!fresh.length && !resolved.length) parts.push(still.length ? '_Nothing new._' : '_All clear._');
    blocks.push(section(truncate(parts.join('\n'), SLACK_LIMITS.sectionText)));
    if (still.length) blocks.push(section(truncate(stillLine(still, r.now), SLACK_LIMITS.sectionText)));
    if (resolved.length)
      blocks.push(
        section(
          `*Resolved since last digest*\n${bullets(
            resolved.map((k) => `:white_check_mark: ~${k.text}~`),
            MAX_RESOLVED,
            undefined,
          )}`,
        ),
      );
    if (s.result?.notes?.length) blocks.push(context(truncate(s.result.notes.join(' · '), 2000)));
  }
  const kept = blocks.slice(0, SLACK_LIMITS.blocks);
  return { text: truncate(`${name}: ${counts(r.diff)}`, SLACK_LIMITS.messageText), blocks: kept };
}
