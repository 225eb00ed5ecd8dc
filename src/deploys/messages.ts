import { actions, button, context, escapeMrkdwn, fields, section } from '../../tools/shared/block-kit.ts';
import type { Block, Message } from '../../tools/shared/message.ts';
import { mentionAll } from '../policy/policy.ts';
import type { ChangeRequest } from './requests.ts';

export function describeChange(r: ChangeRequest): string {
  const verb = r.kind === 'deploy' ? 'Deploy' : 'Rollback';
  return `${verb} ${r.service} to ${r.environment}`;
}

/** The request message: the preview and, while pending, the buttons that decide it. */
export function requestMessage(
  r: ChangeRequest,
  o: { approvers: readonly string[]; note?: string; busyWith?: string },
): Message {
  const head = r.kind === 'deploy' ? `🚀 *Deploy request* \`${r.id}\`` : `↩️ *Rollback request* \`${r.id}\``;
  const target = `*${escapeMrkdwn(r.service)}* → *${escapeMrkdwn(r.environment)}* (${r.cluster ? `${escapeMrkdwn(r.cluster)} / ` : ''}\`${r.namespace}/${r.deployment}\`)`;
  const blocks: Block[] = [
    section(`${head}: ${target}`),
    fields([
      `*Image*\n\`${escapeMrkdwn(r.fromImage)}\`\n→ \`${escapeMrkdwn(r.toImage)}\``,
      `*Replicas*\n${r.replicas}`,
      r.kind === 'rollback'
        ? `*Revision*\n${r.fromRevision} → ${r.toRevision}`
        : `*Replaces revision*\n${r.fromRevision}`,
      '*Dry run*\npassed ✅ (server-side)',
    ]),
  ];
  // The console has no threads: its progress prints below.
  const where = r.channel === 'CONSOLE' ? 'progress below' : 'progress in the thread';
  const decision: Record<string, string> = {
    pending: '',
    approved: `✅ Approved by <@${r.decidedBy}> — ${where}.`,
    running: `✅ Approved by <@${r.decidedBy}> — ${where}.`,
    succeeded: `✅ Approved by <@${r.decidedBy}> — done.`,
    failed: `✅ Approved by <@${r.decidedBy}> — the rollout failed; see the thread.`,
    rejected:
      r.decidedBy === r.requestedBy
        ? `✖️ Withdrawn by <@${r.decidedBy}>.`
        : `✖️ Rejected by <@${r.decidedBy}>.`,
    expired: '⌛ Expired without a decision. Ask again if it is still wanted.',
  };
  if (r.state === 'pending') {
    const mins = Math.max(1, Math.round((r.expiresAt - Date.now()) / 60_000));
    const needs = o.approvers.length
      ? `Needs approval by ${mentionAll(o.approvers)} (not the requester).`
      : 'The requester (or a deployer) confirms.';
    blocks.push(context(`Asked by <@${r.requestedBy}> · ${needs} · expires in ${mins} min`));
    if (o.busyWith) blocks.push(context(`⏳ ${o.busyWith} — if approved, this one starts after it.`));
    if (o.note) blocks.push(context(o.note));
    const approveLabel = o.approvers.length ? 'Approve' : r.kind === 'deploy' ? 'Deploy' : 'Roll back';
    blocks.push(
      actions(
        [
          button('change_approve', approveLabel, `/ops approve ${r.id}`, 'primary'),
          button('change_reject', o.approvers.length ? 'Reject' : 'Cancel', `/ops reject ${r.id}`, 'danger'),
        ],
        `change:${r.id}`,
      ),
    );
  } else {
    blocks.push(context(`Asked by <@${r.requestedBy}> · ${decision[r.state] ?? r.state}`));
  }
  return { text: `${describeChange(r)}: ${r.fromImage} → ${r.toImage} (${r.state})`, blocks };
}
