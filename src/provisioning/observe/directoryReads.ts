import type { DirectoryClient } from '../clients/graph/directory';
import type { GraphBatchItem } from '../clients/graph/batch';
import { chunkFilter, inList, query, uniqueIgnoringCase } from '../clients/odata';

/**
 * Reads of many directory users at once: `in (…)` filters of 15 values, 20 of them per Graph
 * `$batch`, so a thousand sign-in names take a handful of requests instead of a thousand.
 */

export interface BulkUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  /** Lower-cased SKU ids. */
  skuIds: string[];
  /** Synchronised from an on-premises directory (its mail is mastered there). */
  onPremisesSyncEnabled?: boolean;
  /** The user's licenseAssignmentStates, when asked for (group-based licensing: Active or an error such as CountViolation). */
  licenceStates?: LicenceState[];
}

export interface LicenceState {
  /** Lower-cased SKU id. */
  skuId: string;
  /** Lower-cased id of the group it comes from; null when assigned directly. */
  assignedByGroup: string | null;
  /** Active, ActiveWithError, Disabled, Error (Learn "licenseAssignmentState resource type"). */
  state: string;
  /** CountViolation, MutuallyExclusiveViolation, …; null (or "None") when there is none. */
  error: string | null;
}

export interface BulkUsers {
  /** Lower-cased UPN → user, for the UPNs asked for. */
  byUpn: Map<string, BulkUser>;
  /** Lower-cased mail → user, for the mails asked for. */
  byMail: Map<string, BulkUser>;
}

const SELECT = 'id,userPrincipalName,displayName,mail,accountEnabled,usageLocation,assignedLicenses,onPremisesSyncEnabled';
const IN_LIMIT = 15;

interface WireUser {
  id?: string;
  userPrincipalName?: string;
  mail?: string | null;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  usageLocation?: string | null;
  assignedLicenses?: { skuId?: string }[];
  licenseAssignmentStates?: { skuId?: string | null; assignedByGroup?: string | null; state?: string | null; error?: string | null }[];
  onPremisesSyncEnabled?: boolean | null;
}

const toUser = (raw: WireUser): BulkUser => ({
  id: (raw.id ?? '').toLowerCase(),
  userPrincipalName: raw.userPrincipalName ?? '',
  mail: raw.mail ?? null,
  displayName: raw.displayName ?? null,
  accountEnabled: raw.accountEnabled !== false,
  usageLocation: raw.usageLocation ?? null,
  skuIds: (raw.assignedLicenses ?? []).map((l) => (l.skuId ?? '').toLowerCase()),
  ...(raw.licenseAssignmentStates
    ? {
        licenceStates: raw.licenseAssignmentStates.map((l) => ({
          skuId: (l.skuId ?? '').toLowerCase(),
          assignedByGroup: l.assignedByGroup ? l.assignedByGroup.toLowerCase() : null,
          state: l.state ?? '',
          error: l.error && l.error !== 'None' ? l.error : null,
        })),
      }
    : {}),
  onPremisesSyncEnabled: raw.onPremisesSyncEnabled === true,
});

/** `licenceStates`: also read each user's licenseAssignmentStates (returned only on $select). */
export async function lookUpUsers(directory: DirectoryClient, input: { upns?: string[]; mails?: string[]; licenceStates?: boolean }): Promise<BulkUsers> {
  const upns = uniqueIgnoringCase((input.upns ?? []).filter(Boolean));
  const mails = uniqueIgnoringCase((input.mails ?? []).filter(Boolean));
  const filters = [
    ...chunkFilter(upns, (g) => g.join(), { maxValues: IN_LIMIT }).map((g) => inList('userPrincipalName', g)),
    ...chunkFilter(mails, (g) => g.join(), { maxValues: IN_LIMIT }).map((g) => inList('mail', g)),
  ];
  const items: GraphBatchItem[] = filters.map((filter, i) => ({
    id: String(i + 1),
    method: 'GET',
    url: `/users${query({ $filter: filter, $select: input.licenceStates ? `${SELECT},licenseAssignmentStates` : SELECT, $top: 999 })}`,
    context: { what: 'look up users' },
  }));
  const results = await directory.batch(items);
  const wantedUpns = new Set(upns.map((u) => u.toLowerCase()));
  const wantedMails = new Set(mails.map((m) => m.toLowerCase()));
  const byUpn = new Map<string, BulkUser>();
  const byMail = new Map<string, BulkUser>();
  for (const result of results) {
    if (result.error) throw result.error;
    for (const raw of (result.body as { value?: WireUser[] } | null)?.value ?? []) {
      const user = toUser(raw);
      const upn = user.userPrincipalName.toLowerCase();
      const mail = user.mail?.toLowerCase();
      if (wantedUpns.has(upn)) byUpn.set(upn, user);
      if (mail && wantedMails.has(mail)) byMail.set(mail, user);
    }
  }
  return { byUpn, byMail };
}
