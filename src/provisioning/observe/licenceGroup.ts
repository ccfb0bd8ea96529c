import type { SkuInfo } from '../../setup/adminPlanner';
import { skuDisplayName } from '../../setup/skuNames';
import type { GroupLicensingFacts, ObservedLicenceGroup } from '../../setup/groupLicensing';
import type { Clients } from '../clients';

/**
 * What group mode needs to know (group-based licensing): whether the tenant has Microsoft Entra
 * ID P1 or P2 (from the SKUs already read), and the groups with the licence group's name — each
 * with its licences, its direct members, and whether it is (or is in) the environment's security
 * group. Without Entra ID P1/P2 nothing more is read. Reads only.
 */
export async function observeLicenceGroup(clients: Clients, skus: SkuInfo[], name: string, securityGroupId: string | null | undefined): Promise<GroupLicensingFacts> {
  const premium = skus.find((s) => s.entraPremium);
  if (!premium) return { entraPremium: null, name, groups: [] };
  const { directory } = clients;
  const found = await directory.findGroupsByName(name);
  const envGroup = securityGroupId?.toLowerCase();
  const envMembers = envGroup && found.length > 0 ? await directory.directMemberIds(envGroup) : new Set<string>();
  const groups: ObservedLicenceGroup[] = await Promise.all(
    found.map(async (g) => ({
      id: g.id,
      displayName: g.displayName,
      securityEnabled: g.securityEnabled,
      unified: g.groupTypes.includes('Unified'),
      dynamic: g.groupTypes.includes('DynamicMembership'),
      skuIds: g.skuIds,
      memberIds: [...(await directory.directMemberIds(g.id))],
      admits: g.id === envGroup ? 'is' : envMembers.has(g.id) ? 'member' : 'no',
    })),
  );
  return { entraPremium: skuDisplayName(premium), name, groups };
}
