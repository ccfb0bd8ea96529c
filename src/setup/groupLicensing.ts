import type { StringKey } from '../i18n';

/**
 * Part 3's licensing mode, pure: licence and admit the salespeople through one group
 * (group-based licensing) where the tenant can use it, per user otherwise.
 *
 * Microsoft's rules followed here:
 * - Group-based licensing needs "Microsoft Entra ID P1 and above" (Learn "What is group-based
 *   licensing in Microsoft Entra ID?"); P1 and P2 are recognised by their service plans
 *   `AAD_PREMIUM` and `AAD_PREMIUM_P2` (Learn "Product names and service plan identifiers for
 *   licensing"; P2 and Microsoft 365 Business Premium include AAD_PREMIUM). The same page also
 *   admits Office 365 E3/A3/G3 "and above", which carry no such plan: such a tenant stays per user
 *   here (conservative; unverified how to recognise them by plan).
 * - "Licenses can be assigned to any security group"; dynamic groups take no members by hand.
 * - A group licence needs a seat for each member who does not hold it yet (consumed once per user).
 */

/** Service plans of Microsoft Entra ID P1 and P2. */
export const ENTRA_PREMIUM_PLANS: readonly string[] = ['AAD_PREMIUM', 'AAD_PREMIUM_P2'];

/** The name a new licence group gets unless the admin gives another. */
export const DEFAULT_LICENCE_GROUP = 'Dynamics 365 Sales - salespeople';

/** Graph's mailNickname: ASCII without @ () \ [] " ; : . <> , or space, at most 64 (Learn "Create group"). */
export function mailNicknameFor(name: string): string {
  const nick = name
    .normalize('NFKD')
    .replace(/[^\x21-\x7e]/g, '')
    .replace(/[@()\\[\]";:.<>,]/g, '')
    .toLowerCase()
    .slice(0, 64);
  return nick || 'saleslicence';
}

/** A licence group name an admin typed: trimmed, 1–256 characters (Graph's displayName). */
export function cleanGroupName(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const name = raw.trim().replace(/\s+/g, ' ');
  return name.length >= 1 && name.length <= 256 ? name : undefined;
}

/** The groups of that name as the directory has them. */
export interface ObservedLicenceGroup {
  id: string;
  displayName: string;
  securityEnabled: boolean;
  /** A Microsoft 365 group ("Unified"). */
  unified: boolean;
  /** Dynamic membership: members cannot be added by hand. */
  dynamic: boolean;
  /** Lower-cased SKU ids the group holds. */
  skuIds: string[];
  /** Lower-cased ids of its direct members. */
  memberIds: string[];
  /** It is the environment's security group, or a direct member of it. */
  admits: 'is' | 'member' | 'no';
}

export interface GroupLicensingFacts {
  /** The SKU that brings Entra ID P1 or P2, if the tenant has one (its product name). */
  entraPremium: string | null;
  /** The name the group has or will get. */
  name: string;
  /** Every group of that name (none: it will be created). */
  groups: ObservedLicenceGroup[];
}

export type GroupRefusal = { key: StringKey; vars?: Record<string, string | number> };

/** Whether group mode can be used with these facts, and the group (null: to be created); else why not. */
export function groupLicensingAvailability(facts: GroupLicensingFacts | undefined): { ok: true; group: ObservedLicenceGroup | null } | { ok: false; refusal: GroupRefusal } {
  if (!facts) return { ok: false, refusal: { key: 'glNoFacts' } };
  if (!facts.entraPremium) return { ok: false, refusal: { key: 'glNoEntraP1' } };
  if (facts.groups.length > 1) return { ok: false, refusal: { key: 'glGroupAmbiguous', vars: { group: facts.name, count: facts.groups.length } } };
  const group = facts.groups[0] ?? null;
  if (group && !group.securityEnabled) return { ok: false, refusal: { key: 'glGroupNotSecurity', vars: { group: group.displayName } } };
  if (group?.dynamic) return { ok: false, refusal: { key: 'glGroupDynamic', vars: { group: group.displayName } } };
  return { ok: true, group };
}

/** What the licensing line of the plan card says: the mode and why. */
export interface LicensingNote {
  mode: 'perUser' | 'group';
  /** The catalogue key saying why, with its variables. */
  why: GroupRefusal;
}
