import type { WebClient } from '@slack/web-api';

/**
 * Members of a Slack user group, cached a minute: permission checks run on Slack's 3-second path.
 * Without Slack (the console) a group has no members.
 */
export function createGroupMembers(
  web: WebClient | undefined,
): (groupId: string) => Promise<readonly string[]> {
  const cache = new Map<string, { at: number; members: Promise<readonly string[]> }>();
  return (groupId) => {
    if (!web) return Promise.resolve([]);
    const hit = cache.get(groupId);
    if (hit && Date.now() - hit.at < 60_000) return hit.members;
    const members = web.usergroups.users.list({ usergroup: groupId }).then((r) => r.users ?? []);
    members.catch(() => cache.delete(groupId));
    cache.set(groupId, { at: Date.now(), members });
    return members;
  };
}
