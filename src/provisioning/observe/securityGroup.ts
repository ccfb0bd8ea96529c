import type { EnvironmentSecurityGroup, PlanEnvironment } from '../../setup/plan';
import type { Clients } from '../clients';

/**
 * The environment's security group, when it has one (BAP `properties.linkedEnvironmentMetadata
 * .securityGroupId`), and which of the given users are not members of it (through any nesting).
 * Learn "Control user access to environments: security groups and licenses": only members are
 * admitted to such an environment. Reads only.
 */

/** The environment's security group (id and name), or null when it has none. */
export async function environmentSecurityGroup(clients: Clients, environment: PlanEnvironment): Promise<{ id: string; displayName: string } | null> {
  const env = await clients.powerPlatform.getEnvironment(environment.bapEnvironmentId);
  const id = env?.securityGroupId;
  if (!id) return null;
  const found = await clients.directory.getGroup(id);
  return { id, displayName: found?.displayName ?? id };
}

/** One user (Parts 1 and 2): checkMemberGroups, one call. A user without an account is not a member. */
export async function observeUserMembership(clients: Clients, environment: PlanEnvironment, userId: string | undefined): Promise<EnvironmentSecurityGroup | null> {
  const g = await environmentSecurityGroup(clients, environment);
  if (!g) return null;
  const member = !!userId && (await clients.directory.checkMemberGroups(userId, [g.id])).includes(g.id);
  return { ...g, nonMembers: userId && !member ? [userId.toLowerCase()] : [] };
}

/** Many users (Part 3): the group's transitive members, read once, compared with the users'. */
export async function observeMemberships(clients: Clients, environment: PlanEnvironment, userIds: string[]): Promise<EnvironmentSecurityGroup | null> {
  const g = await environmentSecurityGroup(clients, environment);
  if (!g) return null;
  const members = userIds.length > 0 ? await clients.directory.groupMemberIds(g.id) : new Set<string>();
  return { ...g, nonMembers: userIds.map((id) => id.toLowerCase()).filter((id) => !members.has(id)) };
}
