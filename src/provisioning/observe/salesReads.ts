import { AppError } from '../../errors';
import { FRESH, type DataverseOperation, type SalesClient } from '../clients/dataverse/sales';
import { chunkFilter, encode, guid, orChain, query, uniqueIgnoringCase } from '../clients/odata';

/**
 * Reads and writes of many Sales users at once through Dataverse `$batch`: users (with their
 * roles) found by Entra object id, 25 per query and every query in one batch; role assignments as
 * one batch of independent operations.
 */

export interface BulkSalesUser {
  id: string;
  aadObjectId: string;
  domainName: string;
  isDisabled: boolean;
  isLicensed: boolean;
  isIntegrationUser: boolean;
  /** applicationid is set: an application user. */
  isApplicationUser: boolean;
  businessUnitId: string;
  /** Lower-cased ids of the roles assigned to the user directly. */
  roleIds: string[];
  /** internalemailaddress ("Primary Email"), what Business Central's Match-Based Coupling matches on. */
  internalEmail: string | null;
}

const SELECT = 'systemuserid,domainname,internalemailaddress,azureactivedirectoryobjectid,applicationid,isdisabled,islicensed,isintegrationuser,_businessunitid_value';
const EXPAND = 'systemuserroles_association($select=roleid)';
const MAX_FILTER_LENGTH = 1800;

interface WireUser {
  systemuserid: string;
  domainname?: string | null;
  internalemailaddress?: string | null;
  azureactivedirectoryobjectid?: string | null;
  isdisabled?: boolean | null;
  islicensed?: boolean | null;
  isintegrationuser?: boolean | null;
  applicationid?: string | null;
  _businessunitid_value?: string | null;
  systemuserroles_association?: { roleid: string }[];
}

const toUser = (raw: WireUser): BulkSalesUser => ({
  id: raw.systemuserid.toLowerCase(),
  aadObjectId: (raw.azureactivedirectoryobjectid ?? '').toLowerCase(),
  domainName: raw.domainname ?? '',
  isDisabled: raw.isdisabled ?? false,
  isLicensed: raw.islicensed ?? false,
  isIntegrationUser: raw.isintegrationuser ?? false,
  isApplicationUser: !!raw.applicationid,
  businessUnitId: (raw._businessunitid_value ?? '').toLowerCase(),
  roleIds: (raw.systemuserroles_association ?? []).map((r) => r.roleid.toLowerCase()),
  internalEmail: raw.internalemailaddress ?? null,
});

/** Sales users by lower-cased Entra object id (people only; application users are not asked for). */
export async function findSalesUsers(sales: SalesClient, aadObjectIds: string[]): Promise<Map<string, BulkSalesUser>> {
  const ids = [...new Set(aadObjectIds.map((id) => guid(id, 'Entra object id').toLowerCase()))];
  const found = new Map<string, BulkSalesUser>();
  if (ids.length === 0) return found;
  const filterFor = (group: string[]) => orChain('azureactivedirectoryobjectid', group, (v) => v);
  const groups = chunkFilter(ids, (g) => encode(filterFor(g)), { maxLength: MAX_FILTER_LENGTH });
  const operations: DataverseOperation[] = groups.map((group) => ({
    method: 'GET',
    url: `systemusers${query({ $select: SELECT, $filter: filterFor(group), $expand: EXPAND })}`,
    // The poll after a sync and the read-back after role assignments must see those writes; an
    // expanded collection (the roles) may otherwise come from a cache (Learn "Join tables using OData").
    headers: { prefer: 'odata.maxpagesize=5000', ...FRESH },
  }));
  for (const result of await sales.batch(operations)) {
    if (result.error) throw result.error;
    const body = result.body as { value?: WireUser[]; '@odata.nextLink'?: string } | null;
    if (body?.['@odata.nextLink']) throw new AppError('service_error', 'Dynamics 365 Sales paged a small user lookup; try again.', { service: 'dataverse' });
    for (const raw of body?.value ?? []) {
      const user = toUser(raw);
      if (user.aadObjectId) found.set(user.aadObjectId, user);
    }
  }
  return found;
}

/**
 * Sales users whose primary e-mail (internalemailaddress) is one of `emails`, whoever's account they
 * are: what Business Central's Match-Based Coupling would find for those addresses. People only
 * (application users are never a salesperson's match). Dataverse compares strings without case.
 */
export async function findSalesUsersByPrimaryEmail(sales: SalesClient, emails: string[]): Promise<BulkSalesUser[]> {
  const wanted = uniqueIgnoringCase(emails.map((e) => e.trim()).filter(Boolean));
  if (wanted.length === 0) return [];
  const filterFor = (group: string[]) => `(${orChain('internalemailaddress', group)}) and applicationid eq null`;
  const groups = chunkFilter(wanted, (g) => encode(filterFor(g)), { maxLength: MAX_FILTER_LENGTH });
  const operations: DataverseOperation[] = groups.map((group) => ({
    method: 'GET',
    url: `systemusers${query({ $select: SELECT, $filter: filterFor(group) })}`,
    headers: { prefer: 'odata.maxpagesize=5000', ...FRESH },
  }));
  const found = new Map<string, BulkSalesUser>();
  for (const result of await sales.batch(operations)) {
    if (result.error) throw result.error;
    const body = result.body as { value?: WireUser[]; '@odata.nextLink'?: string } | null;
    if (body?.['@odata.nextLink']) throw new AppError('service_error', 'Dynamics 365 Sales paged a small user lookup; try again.', { service: 'dataverse' });
    for (const raw of body?.value ?? []) found.set(raw.systemuserid.toLowerCase(), toUser(raw));
  }
  return [...found.values()];
}

/** One role association per operation; results in operation order (a duplicate is success). */
export async function assignRoles(sales: SalesClient, assignments: { userId: string; roleId: string }[]): Promise<(AppError | undefined)[]> {
  const operations: DataverseOperation[] = assignments.map(({ userId, roleId }) => ({
    method: 'POST',
    url: `systemusers(${guid(userId, 'Sales user id')})/systemuserroles_association/$ref`,
    body: { '@odata.id': `${sales.apiRoot}/roles(${guid(roleId, 'role id')})` },
  }));
  const results = await sales.batch(operations);
  return results.map((result) => (result.error && result.error.serviceCode?.toLowerCase() !== '0x80040237' ? result.error : undefined));
}
