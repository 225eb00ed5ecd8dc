import { describe, expect, it } from '@jest/globals';
import { diffDigest, type KnownFinding, type SectionItem } from '../../src/digests/diff.ts';
import { renderDigest, type SectionOutcome } from '../../src/digests/render.ts';
import { scheduledTimeOf } from '../../src/jobs/schedules.ts';
import { teamConfigSchema } from '../../src/team-config.ts';

const NOW = new Date('2026-12-02T08:00:00Z');
const digest = teamConfigSchema.parse({
  digests: [
    { id: 'ops', channel: 'C1OPS', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', sections: ['cluster'] },
  ],
}).digests[0] as NonNullable<ReturnType<typeof teamConfigSchema.parse>['digests'][number]>;

const item = (n: number, severity: SectionItem['severity'] = 'error'): SectionItem => ({
  section: 'cluster',
  fingerprint: `k8s:prod/shop/Deployment/api-${n}:CrashLoopBackOff`,
  kind: 'finding',
  severity,
  text: `*Deployment shop/api-${n}* — 3 pods CrashLoopBackOff: ${'x'.repeat(150)}`,
});
const known = (items: SectionItem[], firstSeen = '2026-11-30T08:00:00Z'): Record<string, KnownFinding> =>
  Object.fromEntries(
    items.map((i) => [
      i.fingerprint,
      { section: i.section, severity: i.severity, text: i.text, firstSeen, count: 3 },
    ]),
  );
const cluster: SectionOutcome = {
  name: 'cluster',
  title: 'Cluster',
  result: { items: [], more: '/ops status' },
};

describe('digest diff', () => {
  it('splits findings into new, still failing and resolved; events are always news', () => {
    const a = item(1);
    const b = item(2);
    const c = item(3, 'critical');
    const event: SectionItem = { ...item(9, 'notice'), kind: 'event', fingerprint: 'deploy:event:1' };
    const d = diffDigest(known([a, b]), [b, c, event], new Set(), NOW);
    expect(d.fresh.map((i) => i.fingerprint)).toEqual([c.fingerprint, event.fingerprint]);
    expect(d.still.map((i) => i.fingerprint)).toEqual([b.fingerprint]);
    expect(d.still[0]?.known.count).toBe(4);
    expect(d.resolved.map((i) => i.fingerprint)).toEqual([a.fingerprint]);
    expect(Object.keys(d.next).sort()).toEqual([b.fingerprint, c.fingerprint, event.fingerprint].sort());
    expect(d.next[event.fingerprint]?.event).toBe(true);
  });

  it('an event is news once, even when a section returns it again', () => {
    const event: SectionItem = { ...item(9, 'notice'), kind: 'event', fingerprint: 'deploy:event:1' };
    const first = diffDigest({}, [event], new Set(), NOW);
    const again = diffDigest(first.next, [event], new Set(), new Date(NOW.getTime() + 60_000));
    expect(first.fresh).toHaveLength(1);
    expect(again.fresh).toHaveLength(0);
    expect(again.resolved).toHaveLength(0);
    // Forgotten after a week.
    const later = diffDigest(first.next, [], new Set(), new Date(NOW.getTime() + 8 * 86_400_000));
    expect(later.next[event.fingerprint]).toBeUndefined();
  });

  it('a section that could not be read resolves nothing and keeps what it had', () => {
    const a = item(1);
    const d = diffDigest(known([a]), [], new Set(['cluster']), NOW);
    expect(d.resolved).toEqual([]);
    expect(d.next[a.fingerprint]).toBeDefined();
  });

  it('fingerprints named like Object properties are data, not lookups', () => {
    const weird = { ...item(1), fingerprint: 'constructor' };
    const d = diffDigest(known([]), [weird, { ...weird, fingerprint: '__proto__' }], new Set(), NOW);
    expect(d.fresh).toHaveLength(2);
  });
});

describe('digest rendering', () => {
  it('stays inside Slack limits at 10,000 findings: worst first, "+N more" with the command', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => item(i, i % 7 === 0 ? 'critical' : 'warning'));
    const diff = diffDigest({}, items, new Set(), NOW);
    const m = renderDigest({
      digest,
      sections: [cluster],
      diff,
      now: NOW,
      since: undefined,
      mode: 'scheduled',
    });
    expect(m.blocks?.length).toBeLessThanOrEqual(50);
    for (const b of m.blocks ?? []) {
      if (b.type === 'section') expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    const body = JSON.stringify(m.blocks);
    expect(body).toMatch(/\+\d{4} more — `\/ops status`/);
    expect(body.indexOf(':red_circle:')).toBeLessThan(
      body.indexOf(':large_yellow_circle:') === -1 ? Infinity : body.indexOf(':large_yellow_circle:'),
    );
    expect(JSON.stringify(m).length).toBeLessThan(12_000);
  });

  it('an unchanged digest is one line; still failing counts, with how long', () => {
    const a = item(1);
    const diff = diffDigest(known([a]), [a], new Set(), NOW);
    const quiet = renderDigest({
      digest,
      sections: [cluster],
      diff,
      now: NOW,
      since: new Date('2026-12-01T08:00:00Z'),
      mode: 'scheduled',
    });
    expect(quiet.blocks).toHaveLength(1);
    expect(quiet.text).toBe('Digest ops: all quiet (1 still failing)');

    const b = item(2);
    const loud = renderDigest({
      digest,
      sections: [cluster],
      diff: diffDigest(known([a]), [a, b], new Set(), NOW),
      now: NOW,
      since: new Date('2026-12-01T08:00:00Z'),
      mode: 'scheduled',
    });
    expect(JSON.stringify(loud.blocks)).toContain('*Still failing:* 1 — oldest for 2 d (4 digests)');
    expect(JSON.stringify(loud.blocks)).toContain('since Tue 1 Dec 09:00');
  });

  it('a section that failed says why instead of pretending all is clear', () => {
    const m = renderDigest({
      digest,
      sections: [{ name: 'cluster', title: 'Cluster', error: 'Kubernetes is not configured.' }],
      diff: diffDigest({}, [], new Set(['cluster']), NOW),
      now: NOW,
      since: undefined,
      mode: 'scheduled',
    });
    expect(JSON.stringify(m.blocks)).toContain('Could not read this section: Kubernetes is not configured.');
  });
});

describe('scheduled job ids', () => {
  it('reads the due time from a scheduler job id, and nothing from other ids', () => {
    expect(scheduledTimeOf('repeat:digest:ops:1764662400000')).toBe(1764662400000);
    expect(scheduledTimeOf('digest-now-ops-trig1')).toBeUndefined();
  });
});
