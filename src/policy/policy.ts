import { ownMention } from '../../tools/shared/mention.ts';
import type { TeamConfig } from '../team-config.ts';

/**
 * Who may do what, from the team file. User-group ids (S…) are expanded through `groupMembers`
 * (Slack's usergroups.users.list in production), so a permission can name a team instead of people.
 */
/**
 * Slack mentions of users (`<@U…>`) and user groups (Shipmate's own `<!subteam^S…>`, live only
 * through src/slack/prepare.ts), comma-separated.
 */
export function mentionAll(ids: readonly string[]): string {
  return ids.map(ownMention).join(', ');
}

export interface Policy {
  isAdmin(userId: string): Promise<boolean>;
  /** Admins and the environment's deployers may request a deploy or rollback there. */
  canDeploy(userId: string, env: { deployers: readonly string[] }): Promise<boolean>;
  /**
   * Who may approve a request: with approvers configured, an approver or admin who is not the
   * requester; without, the requester (a confirming click), a deployer or an admin.
   */
  canApprove(
    userId: string,
    env: { deployers: readonly string[]; approvers: readonly string[] },
    requestedBy: string,
  ): Promise<{ ok: true } | { ok: false; why: string }>;
  /**
   * Who may re-run the failed jobs of a GitHub Actions run in `repo` (`owner/repo`, compared
   * case-insensitively as GitHub does): admins; the deployers of any environment of a catalog service
   * whose `repo` is that repository; and, when no service names the repository and `admins` is empty
   * (a team that has not set up permissions yet), anyone. A repository no service names is otherwise
   * admins-only. A refusal's `why` names who can (Slack mentions).
   */
  canRerun(
    userId: string,
    repo: string,
    /** What the refusal says they may not do: "re-run workflows of" (default), "open pull requests in". */
    action?: string,
  ): Promise<{ ok: true } | { ok: false; why: string }>;
  /** Whether `userId` is one of `principals` (user ids or user-group ids). */
  includes(principals: readonly string[], userId: string): Promise<boolean>;
}

export function createPolicy(
  team: TeamConfig,
  groupMembers: (groupId: string) => Promise<readonly string[]> = async () => [],
): Policy {
  const includes = async (principals: readonly string[], userId: string) => {
    if (principals.includes(userId)) return true;
    for (const p of principals) {
      if (p.startsWith('S') && (await groupMembers(p)).includes(userId)) return true;
    }
    return false;
  };
  const isAdmin = (userId: string) => includes(team.admins, userId);
  return {
    includes,
    isAdmin,
    canDeploy: async (userId, env) => (await isAdmin(userId)) || (await includes(env.deployers, userId)),
    async canApprove(userId, env, requestedBy) {
      if (env.approvers.length) {
        if (userId === requestedBy) {
          return {
            ok: false,
            why: `You asked for this change, so someone else must approve it: ${mentionAll(env.approvers)}.`,
          };
        }
        if ((await includes(env.approvers, userId)) || (await isAdmin(userId))) return { ok: true };
        return { ok: false, why: `Only ${mentionAll(env.approvers)} (or an admin) can approve this.` };
      }
      if (userId === requestedBy || (await includes(env.deployers, userId)) || (await isAdmin(userId)))
        return { ok: true };
      return {
        ok: false,
        why: `Only the requester, ${mentionAll(env.deployers) || 'the deployers'} or an admin can confirm this.`,
      };
    },
    async canRerun(userId, repo, action = 're-run workflows of') {
      const wanted = repo.toLowerCase();
      const services = Object.entries(team.services).filter(([, s]) => s.repo?.toLowerCase() === wanted);
      if (services.length === 0 && team.admins.length === 0) return { ok: true };
      if (await isAdmin(userId)) return { ok: true };
      const admins = team.admins.length ? ` (admins: ${mentionAll(team.admins)})` : '';
      if (services.length === 0) {
        return {
          ok: false,
          why: `No service in the team file has \`repo: ${repo}\`, so only an admin can ${action} ${repo}${admins}.`,
        };
      }
      const deployers = [
        ...new Set(services.flatMap(([, s]) => Object.values(s.environments).flatMap((e) => e.deployers))),
      ];
      if (await includes(deployers, userId)) return { ok: true };
      const names = services.map(([name]) => `\`${name}\``).join(', ');
      if (!deployers.length && !team.admins.length) {
        return {
          ok: false,
          why: `Nobody may ${action} ${repo}: ${names} lists no deployers and the team file names no admins.`,
        };
      }
      return {
        ok: false,
        why: `Only the deployers of ${names}${deployers.length ? ` (${mentionAll(deployers)})` : ''} or an admin${admins} can ${action} ${repo}.`,
      };
    },
  };
}
