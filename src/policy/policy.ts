import type { TeamConfig } from '../config.ts';

/**
 * Who may do what, from the team file. User-group ids (S…) are expanded through `groupMembers`
 * (Slack's usergroups.users.list in production), so a permission can name a team instead of people.
 */
export interface Policy {
  isAdmin(userId: string): Promise<boolean>;
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
  return {
    includes,
    isAdmin: (userId) => includes(team.admins, userId),
  };
}
