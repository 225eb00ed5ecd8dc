import { escapeMrkdwn, truncate } from '../../../tools/shared/block-kit.ts';
import type { AuditLog, StoredAuditEntry } from '../../audit/audit.ts';
import type { RequestStore } from '../../deploys/requests.ts';
import type { DigestItem, DigestSection, SectionResult } from '../section.ts';

const TERMINAL = ['succeeded', 'failed', 'rejected', 'expired'] as const;

/** A Slack user id as text that names but never pings (digests are read by everyone, daily). */
function who(id: string): string {
  return /^[UW][A-Z0-9]+$/.test(id) ? `\`${id}\`` : escapeMrkdwn(id);
}

function what(e: StoredAuditEntry): string {
  return `${escapeMrkdwn(e.kind ?? 'change')} of *${escapeMrkdwn(e.service ?? '?')}* to ${escapeMrkdwn(e.environment ?? '?')}${e.detail ? ` (${escapeMrkdwn(truncate(e.detail, 120))})` : ''}`;
}

/**
 * `deploys`: what was deployed or rolled back since the last digest, by whom (events), which
 * service/environment's last change failed (a finding until a later change succeeds), and which
 * requests wait for approval (a finding until decided). From the audit log and the request store.
 */
export function deploysSection(o: {
  audit: AuditLog;
  requests: RequestStore;
  approvalTtlMs: number;
}): DigestSection {
  return {
    name: 'deploys',
    title: 'Deploys',
    async collect(_digest, ctx): Promise<SectionResult> {
      const sinceMs = ctx.since?.getTime() ?? ctx.now.getTime() - 86_400_000;
      const entries = await o.audit.recent({ types: [...TERMINAL, 'requested'] }, 500);
      const items: DigestItem[] = [];
      const latestTerminal = new Map<string, StoredAuditEntry>();
      let changes = 0;
      for (const e of entries) {
        const at = Date.parse(e.at);
        if (e.type !== 'requested') {
          const key = `${e.service}/${e.environment}`;
          if (!latestTerminal.has(key) && (e.type === 'succeeded' || e.type === 'failed'))
            latestTerminal.set(key, e);
          if (at > sinceMs && (e.type === 'succeeded' || e.type === 'failed')) {
            changes += 1;
            items.push({
              fingerprint: `deploy:event:${e.id}`,
              kind: 'event',
              severity: e.type === 'failed' ? 'error' : 'notice',
              text: `${e.type === 'succeeded' ? ':white_check_mark:' : ':x:'} ${what(e)} ${e.type} · requested or run by ${who(e.actor)}`,
            });
          }
        }
      }
      for (const [key, e] of latestTerminal) {
        if (e.type !== 'failed') continue;
        items.push({
          fingerprint: `deploy:failed:${key}`,
          kind: 'finding',
          severity: 'error',
          text: `Last ${what(e)} failed — roll back or deploy again (\`/ops history ${escapeMrkdwn(e.service ?? '')}\`)`,
        });
      }
      // Requests still waiting: requested within the approval window, and still pending in the store.
      const recentRequests = entries.filter(
        (e) =>
          e.type === 'requested' && e.requestId && Date.parse(e.at) > ctx.now.getTime() - o.approvalTtlMs,
      );
      let pending = 0;
      for (const e of recentRequests) {
        const r = await o.requests.get(e.requestId ?? '');
        if (r?.state !== 'pending') continue;
        pending += 1;
        items.push({
          fingerprint: `deploy:pending:${r.id}`,
          kind: 'finding',
          severity: 'warning',
          text: `Waiting for approval: ${escapeMrkdwn(r.kind)} of *${escapeMrkdwn(r.service)}* to ${escapeMrkdwn(r.environment)} (\`${escapeMrkdwn(truncate(r.toImage, 100))}\`), asked by ${who(r.requestedBy)} — \`/ops approve ${r.id}\``,
        });
      }
      return {
        items,
        summary: `${changes} change${changes === 1 ? '' : 's'} ${ctx.since ? 'since the last digest' : 'in 24 h'}, ${pending} waiting for approval`,
        more: '/ops audit',
      };
    },
  };
}
