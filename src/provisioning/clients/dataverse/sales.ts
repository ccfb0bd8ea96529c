/**
 * Dynamics 365 Sales (Dataverse Web API v9.2) for one environment.
 *
 * A small typed client over our HttpPolicy rather than the maintained `dynamics-web-api` package:
 * that package brings its own transport and retry, and the product needs every request under its
 * one policy (retry, throttling, timeout, concurrency). The Web API subset used here is small —
 * users, business units, roles, role associations, access mode and `$batch`.
 */
import { AppError } from '../../../errors';
import type { HttpPolicy } from '../../http/policy';
import {
  buildBatchRequest,
  parseBatchResponse,
  responseBoundary,
  type BatchPartResponse,
  type DataverseOperation,
} from './batch';
import { DATAVERSE_ERRORS, dataverseError, isDataverseCode, type DataverseErrorContext } from './errors';
import { chunkFilter, encode, guid, orChain, query, quote, sameBaseLink, uniqueIgnoringCase } from '../odata';
import { HttpResponse } from '../../http/types';

export type { DataverseOperation } from './batch';

/** systemuser.accessmode */
export const AccessMode = {
  ReadWrite: 0,
  Administrative: 1,
  Read: 2,
  SupportUser: 3,
  NonInteractive: 4,
  DelegatedAdmin: 5,
} as const;
export type AccessMode = (typeof AccessMode)[keyof typeof AccessMode];

/**
 * Non-interactive users per environment where the environment does not publish its own limit
 * (application users do not count). See `nonInteractiveLimit`.
 */
export const DEFAULT_NON_INTERACTIVE_LIMIT = 7;

export interface NonInteractiveLimit {
  limit: number;
  /** False: the environment did not publish its limit (or could not be asked); `limit` is the default. */
  published: boolean;
}
/** Operations per `$batch` request. */
export const DATAVERSE_BATCH_LIMIT = 1000;
/** Keep every GET URL below this many characters. */
export const MAX_URL_LENGTH = 2000;
const PAGE_SIZE = 500;
/** Asks Dataverse for current data instead of a cached answer (Learn "Join tables using OData"). */
export const FRESH = { 'if-none-match': 'null' } as const;

export interface SalesTeam {
  id: string;
  name: string;
  businessUnitId: string;
  isDefault: boolean;
}

export interface BcCompanyRecord {
  id: string;
  name: string;
  /** The Business Central company's id. */
  externalId: string;
  defaultOwningTeamId: string;
}

export interface SalesRole {
  id: string;
  name: string;
  businessUnitId: string | null;
  templateId: string | null;
  /** The immediate parent copy (another business unit's copy when units are nested). */
  parentRoleId: string | null;
  /** The root business unit's role this is a copy of: what identifies "the same role" in every unit. */
  parentRootRoleId: string | null;
}

export interface SystemUser {
  id: string;
  domainName: string | null;
  fullName: string | null;
  email: string | null;
  aadObjectId: string | null;
  applicationId: string | null;
  isDisabled: boolean;
  isLicensed: boolean;
  isIntegrationUser: boolean;
  accessMode: number;
  businessUnitId: string | null;
  /** Only when asked for (`withRoles`). */
  roles?: SalesRole[];
}

export interface BusinessUnit {
  id: string;
  name: string;
  parentId: string | null;
  /** The root business unit has no parent. */
  isRoot: boolean;
}

export interface WhoAmI {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

export interface DataverseOperationResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the part had a JSON body, else the text (empty for 204). */
  body: unknown;
  /** Set for every non-2xx result. In a failed change set every operation carries the same error. */
  error?: AppError;
}

export interface SalesClientOptions {
  /** Environment URL, e.g. https://contoso.crm4.dynamics.com (without /api/data/v9.2). */
  orgUrl: string;
  policy: HttpPolicy;
  /** Rows per page asked for with `Prefer: odata.maxpagesize` (default 500). */
  pageSize?: number;
}

const USER_SELECT = [
  'systemuserid',
  'domainname',
  'fullname',
  'internalemailaddress',
  'azureactivedirectoryobjectid',
  'applicationid',
  'isdisabled',
  'islicensed',
  'isintegrationuser',
  'accessmode',
  '_businessunitid_value',
].join(',');
const ROLE_SELECT = 'roleid,name,_businessunitid_value,_roletemplateid_value,_parentroleid_value,_parentrootroleid_value';

interface WireUser {
  systemuserid: string;
  domainname?: string | null;
  fullname?: string | null;
  internalemailaddress?: string | null;
  azureactivedirectoryobjectid?: string | null;
  applicationid?: string | null;
  isdisabled?: boolean | null;
  islicensed?: boolean | null;
  isintegrationuser?: boolean | null;
  accessmode?: number | null;
  _businessunitid_value?: string | null;
  systemuserroles_association?: WireRole[];
}

interface WireRole {
  roleid: string;
  name?: string | null;
  _businessunitid_value?: string | null;
  _roletemplateid_value?: string | null;
  _parentroleid_value?: string | null;
  _parentrootroleid_value?: string | null;
}

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

const lower = (value: string | null | undefined): string | null => (value ? value.toLowerCase() : null);

function toRole(raw: WireRole): SalesRole {
  return {
    id: raw.roleid.toLowerCase(),
    name: raw.name ?? '',
    businessUnitId: lower(raw._businessunitid_value),
    templateId: lower(raw._roletemplateid_value),
    parentRoleId: lower(raw._parentroleid_value),
    parentRootRoleId: lower(raw._parentrootroleid_value),
  };
}

function toUser(raw: WireUser): SystemUser {
  const user: SystemUser = {
    id: raw.systemuserid.toLowerCase(),
    domainName: raw.domainname ?? null,
    fullName: raw.fullname ?? null,
    email: raw.internalemailaddress ?? null,
    aadObjectId: lower(raw.azureactivedirectoryobjectid),
    applicationId: lower(raw.applicationid),
    isDisabled: raw.isdisabled ?? false,
    isLicensed: raw.islicensed ?? false,
    isIntegrationUser: raw.isintegrationuser ?? false,
    accessMode: raw.accessmode ?? 0,
    businessUnitId: lower(raw._businessunitid_value),
  };
  if (raw.systemuserroles_association) user.roles = raw.systemuserroles_association.map(toRole);
  return user;
}

export class SalesClient {
  readonly orgUrl: string;
  /** `<org>/api/data/v9.2` */
  readonly apiRoot: string;
  private readonly policy: HttpPolicy;
  private readonly pageSize: number;

  constructor(options: SalesClientOptions) {
    this.orgUrl = options.orgUrl.replace(/\/+$/, '');
    this.apiRoot = `${this.orgUrl}/api/data/v9.2`;
    this.policy = options.policy;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
  }

  async whoAmI(): Promise<WhoAmI> {
    const response = await this.get('WhoAmI');
    this.ensure(response, { what: 'identify the app in the environment' });
    const body = response.json<{ UserId: string; BusinessUnitId: string; OrganizationId: string }>();
    return { userId: body.UserId.toLowerCase(), businessUnitId: body.BusinessUnitId.toLowerCase(), organizationId: body.OrganizationId.toLowerCase() };
  }

  /** The user, or null when there is none with that id. */
  async getSystemUser(id: string, options: { withRoles?: boolean } = {}): Promise<SystemUser | null> {
    const userId = guid(id, 'Sales user id');
    const response = await this.get(
      `systemusers(${userId})${query({
        $select: USER_SELECT,
        $expand: options.withRoles ? `systemuserroles_association($select=${ROLE_SELECT})` : undefined,
      })}`,
    );
    if (response.status === 404) return null;
    this.ensure(response, { what: `read the Sales user ${userId}` });
    return toUser(response.json<WireUser>());
  }

  async findSystemUserByAadObjectId(objectId: string): Promise<SystemUser | null> {
    const oid = guid(objectId, 'Entra object id');
    const users = await this.listSystemUsers(`azureactivedirectoryobjectid eq ${oid}`);
    return users[0] ?? null;
  }

  async findSystemUserByDomainName(upn: string): Promise<SystemUser | null> {
    const users = await this.listSystemUsers(`domainname eq ${quote(upn)}`);
    return users.find((u) => (u.domainName ?? '').toLowerCase() === upn.toLowerCase()) ?? users[0] ?? null;
  }

  /** Bulk lookup; `or` chains kept below the URL length limit. */
  async findSystemUsersByAadObjectIds(objectIds: string[]): Promise<SystemUser[]> {
    const oids = uniqueIgnoringCase(objectIds.map((id) => guid(id, 'Entra object id')));
    return this.findChunked(oids, (group) => orChain('azureactivedirectoryobjectid', group, (v) => v));
  }

  async findSystemUsersByDomainNames(upns: string[]): Promise<SystemUser[]> {
    const wanted = uniqueIgnoringCase(upns.filter(Boolean));
    const found = await this.findChunked(wanted, (group) => orChain('domainname', group));
    const set = new Set(wanted.map((u) => u.toLowerCase()));
    return found.filter((u) => set.has((u.domainName ?? '').toLowerCase()));
  }

  /** Application users (service principals) of an app registration, by its client id. */
  async findApplicationUsers(appId: string): Promise<SystemUser[]> {
    return this.listSystemUsers(`applicationid eq ${guid(appId, 'application (client) id')}`);
  }

  /**
   * All system users matching an OData filter, all pages. Build `filter` with odata.ts (`quote`,
   * `guid`); it is percent-encoded here.
   */
  async listSystemUsers(filter?: string): Promise<SystemUser[]> {
    const raw = await this.listAll<WireUser>(`systemusers${query({ $select: USER_SELECT, $filter: filter })}`, 'list the Sales users');
    return raw.map(toUser);
  }

  /**
   * The environment's own limit on non-interactive users: `OrganizationResources.MaxNumberOfNonInteractiveUsers`
   * from the unbound function `RetrieveOrganizationResources` (Learn, Web API reference). When the
   * value is absent or the call fails, the usual 7, marked as not published.
   */
  async nonInteractiveLimit(): Promise<NonInteractiveLimit> {
    try {
      const response = await this.get('RetrieveOrganizationResources()');
      if (response.status < 200 || response.status >= 300) return { limit: DEFAULT_NON_INTERACTIVE_LIMIT, published: false };
      const value = response.json<{ OrganizationResources?: { MaxNumberOfNonInteractiveUsers?: unknown } | null }>()?.OrganizationResources?.MaxNumberOfNonInteractiveUsers;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { limit: value, published: true };
    } catch {
      // Unreadable or unreachable: fall back below.
    }
    return { limit: DEFAULT_NON_INTERACTIVE_LIMIT, published: false };
  }

  /** Enabled non-interactive users that count toward the limit (application users excluded). */
  async countNonInteractiveUsers(): Promise<number> {
    const raw = await this.listAll<WireUser>(
      `systemusers${query({
        $select: 'systemuserid',
        $filter: `accessmode eq ${AccessMode.NonInteractive} and applicationid eq null and isdisabled eq false`,
      })}`,
      'count the non-interactive Sales users',
    );
    return raw.length;
  }

  async listBusinessUnits(): Promise<BusinessUnit[]> {
    const raw = await this.listAll<{ businessunitid: string; name?: string; _parentbusinessunitid_value?: string | null }>(
      `businessunits${query({ $select: 'businessunitid,name,_parentbusinessunitid_value' })}`,
      'list the business units',
    );
    return raw.map((b) => ({
      id: b.businessunitid.toLowerCase(),
      name: b.name ?? '',
      parentId: lower(b._parentbusinessunitid_value),
      isRoot: !b._parentbusinessunitid_value,
    }));
  }

  /**
   * Roles, optionally only those of one business unit, one template, one (exact) name, or every
   * business unit's copy of one root role (`rootRoleId`: the root copy and all whose
   * `_parentrootroleid_value` is it).
   */
  async listRoles(filter: { businessUnitId?: string; templateId?: string; rootRoleId?: string } = {}): Promise<SalesRole[]> {
    const clauses: string[] = [];
    if (filter.businessUnitId) clauses.push(`_businessunitid_value eq ${guid(filter.businessUnitId, 'business unit id')}`);
    if (filter.templateId) clauses.push(`_roletemplateid_value eq ${guid(filter.templateId, 'role template id')}`);
    if (filter.rootRoleId) {
      const root = guid(filter.rootRoleId, 'role id');
      clauses.push(`(roleid eq ${root} or _parentrootroleid_value eq ${root})`);
    }
    const raw = await this.listAll<WireRole>(
      `roles${query({ $select: ROLE_SELECT, $filter: clauses.length > 0 ? clauses.join(' and ') : undefined })}`,
      'list the security roles',
    );
    return raw.map(toRole);
  }

  /** The roles assigned directly to the user. */
  async userRoles(userId: string): Promise<SalesRole[]> {
    const id = guid(userId, 'Sales user id');
    const raw = await this.listAll<WireRole>(
      `systemusers(${id})/systemuserroles_association${query({ $select: ROLE_SELECT })}`,
      `read the roles of the Sales user ${id}`,
    );
    return raw.map(toRole);
  }

  /**
   * Assigns a role. Errors: role_not_in_business_unit (the role is another business unit's copy),
   * user_disabled (roles go to enabled users only). Assigning a role the user already holds is
   * success.
   */
  async assignRole(userId: string, roleId: string): Promise<void> {
    const user = guid(userId, 'Sales user id');
    const role = guid(roleId, 'role id');
    const response = await this.policy.send({
      method: 'POST',
      url: `${this.apiRoot}/systemusers(${user})/systemuserroles_association/$ref`,
      headers: this.headers(),
      json: { '@odata.id': this.roleRef(role) },
    });
    if (response.status >= 200 && response.status < 300) return;
    if (isDataverseCode(response, DATAVERSE_ERRORS.duplicate)) return;
    throw dataverseError(response, { what: `assign the role ${role} to the Sales user ${user}`, role, user });
  }

  async removeRole(userId: string, roleId: string): Promise<void> {
    const user = guid(userId, 'Sales user id');
    const role = guid(roleId, 'role id');
    const response = await this.policy.send({
      method: 'DELETE',
      url: `${this.apiRoot}/systemusers(${user})/systemuserroles_association/$ref${query({ $id: this.roleRef(role) })}`,
      headers: this.headers(),
    });
    this.ensure(response, { what: `remove the role ${role} from the Sales user ${user}`, role, user });
  }

  /**
   * Sets systemuser.internalemailaddress ("Primary Email"), which Learn lists as synchronised from
   * the Entra `mail` and updatable by customers (power-platform/admin/create-users).
   */
  async setPrimaryEmail(userId: string, email: string): Promise<void> {
    const user = guid(userId, 'Sales user id');
    const response = await this.policy.send({
      method: 'PATCH',
      url: `${this.apiRoot}/systemusers(${user})`,
      headers: this.headers({ 'if-match': '*' }),
      json: { internalemailaddress: email },
    });
    this.ensure(response, { what: `set the primary e-mail of the Sales user ${user}`, user });
  }

  /**
   * Sets systemuser.accessmode, then reads the user back to confirm. Setting the 8th
   * non-interactive user fails with non_interactive_limit.
   */
  async setAccessMode(userId: string, mode: AccessMode): Promise<SystemUser> {
    const user = guid(userId, 'Sales user id');
    if (!Object.values(AccessMode).includes(mode)) throw new AppError('invalid_input', `Access mode ${String(mode)} is not one of 0–5.`);
    const response = await this.policy.send({
      method: 'PATCH',
      url: `${this.apiRoot}/systemusers(${user})`,
      // If-Match: * makes the PATCH an update only; Dataverse would otherwise create a missing row.
      headers: this.headers({ 'if-match': '*' }),
      json: { accessmode: mode },
    });
    this.ensure(response, { what: `change the access mode of the Sales user ${user}`, user });
    const updated = await this.getSystemUser(user);
    if (!updated) throw new AppError('not_found', `The Sales user ${user} disappeared while its access mode was changed.`, { service: 'dataverse' });
    if (updated.accessMode !== mode) {
      throw new AppError(
        'service_error',
        `Dynamics 365 Sales accepted the access mode change for ${user} but still reports mode ${updated.accessMode}. Try again in a minute.`,
        { service: 'dataverse' },
      );
    }
    return updated;
  }

  /**
   * Runs operations as multipart `$batch` requests of ≤ 1,000. Results come in operation order.
   * Without a change set each operation stands alone (`continue-on-error`); with `changeSet`, each
   * request is one change set: all of it is applied or none, and a failure gives every operation
   * of the set the same error.
   */
  async batch(operations: DataverseOperation[], options: { changeSet?: boolean } = {}): Promise<DataverseOperationResult[]> {
    const results: DataverseOperationResult[] = [];
    for (let i = 0; i < operations.length; i += DATAVERSE_BATCH_LIMIT) {
      results.push(...(await this.batchChunk(operations.slice(i, i + DATAVERSE_BATCH_LIMIT), options.changeSet ?? false)));
    }
    return results;
  }

  // --- teams, currencies and Business Central's company records (the health check) ----------

  /** Teams (owner and group teams) with their business unit. */
  async listTeams(): Promise<SalesTeam[]> {
    const raw = await this.listAll<{ teamid: string; name?: string; _businessunitid_value?: string; isdefault?: boolean; teamtype?: number }>(
      `teams${query({ $select: 'teamid,name,_businessunitid_value,isdefault,teamtype' })}`,
      'list the teams',
    );
    return raw.map((t) => ({ id: t.teamid.toLowerCase(), name: t.name ?? '', businessUnitId: lower(t._businessunitid_value) ?? '', isDefault: t.isdefault ?? false }));
  }

  /** The roles held by the team itself (teamroles_association). */
  async teamRoles(teamId: string): Promise<SalesRole[]> {
    const id = guid(teamId, 'team id');
    const raw = await this.listAll<WireRole>(`teams(${id})/teamroles_association${query({ $select: ROLE_SELECT })}`, `read the roles of the team ${id}`);
    return raw.map(toRole);
  }

  /** Assigns a role to a team (the copy in the team's business unit). Already held is success. */
  async assignTeamRole(teamId: string, roleId: string): Promise<void> {
    const team = guid(teamId, 'team id');
    const role = guid(roleId, 'role id');
    const response = await this.policy.send({
      method: 'POST',
      url: `${this.apiRoot}/teams(${team})/teamroles_association/$ref`,
      headers: this.headers(),
      json: { '@odata.id': this.roleRef(role) },
    });
    if (response.status >= 200 && response.status < 300) return;
    if (isDataverseCode(response, DATAVERSE_ERRORS.duplicate)) return;
    throw dataverseError(response, { what: `assign the role ${role} to the team ${team}`, role });
  }

  /** The team's members' systemuserids (teammembership_association). */
  async teamMemberIds(teamId: string): Promise<string[]> {
    const id = guid(teamId, 'team id');
    const raw = await this.listAll<{ systemuserid: string }>(`teams(${id})/teammembership_association${query({ $select: 'systemuserid' })}`, `read the members of the team ${id}`);
    return raw.map((u) => u.systemuserid.toLowerCase());
  }

  /**
   * Adds users to a team: the bound action `AddMembersTeam` (Learn, Web API reference "AddMembersTeam
   * Action": parameter `Members`, Collection(systemuser); no return value). A member already is one.
   */
  async addTeamMembers(teamId: string, userIds: string[]): Promise<void> {
    const team = guid(teamId, 'team id');
    const members = userIds.map((u) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.systemuser', systemuserid: guid(u, 'Sales user id') }));
    const response = await this.policy.send({
      method: 'POST',
      url: `${this.apiRoot}/teams(${team})/Microsoft.Dynamics.CRM.AddMembersTeam`,
      headers: this.headers(),
      json: { Members: members },
    });
    this.ensure(response, { what: `add members to the team ${team}` });
  }

  /** ISO codes of the environment's currencies (transactioncurrency.isocurrencycode). */
  async listCurrencyCodes(): Promise<string[]> {
    const raw = await this.listAll<{ isocurrencycode?: string }>(`transactioncurrencies${query({ $select: 'isocurrencycode' })}`, 'list the currencies');
    return raw.map((c) => c.isocurrencycode ?? '').filter(Boolean);
  }

  /**
   * Business Central's company records (its table 5393 "CDS Company", ExternalName `bcbi_company`):
   * the company's external id and its default owning team. None when BC's integration solution is
   * not installed (the entity set does not exist: 404).
   */
  async listBcCompanies(): Promise<BcCompanyRecord[]> {
    const path = `bcbi_companies${query({ $select: 'bcbi_companyid,bcbi_name,bcbi_externalid,_bcbi_defaultowningteam_value' })}`;
    const probe = await this.get(path);
    if (probe.status === 404) return [];
    const raw = await this.listAll<{ bcbi_companyid: string; bcbi_name?: string; bcbi_externalid?: string; _bcbi_defaultowningteam_value?: string | null }>(path, 'list Business Central\'s company records');
    return raw.map((c) => ({ id: c.bcbi_companyid.toLowerCase(), name: c.bcbi_name ?? '', externalId: c.bcbi_externalid ?? '', defaultOwningTeamId: lower(c._bcbi_defaultowningteam_value) ?? '' }));
  }

  // --- plumbing -----------------------------------------------------------------------------

  private async batchChunk(operations: DataverseOperation[], changeSet: boolean): Promise<DataverseOperationResult[]> {
    const { body, contentType } = buildBatchRequest(operations, { apiRoot: this.apiRoot, changeSet });
    // As in Learn's $batch examples; the GET operations carry their own (see buildBatchRequest's callers).
    const headers = this.headers({ 'content-type': contentType, ...FRESH });
    if (!changeSet) headers.prefer = 'odata.continue-on-error';
    // One request toward the service protection limit, however many operations it carries.
    const response = await this.policy.send({ method: 'POST', url: `${this.apiRoot}/$batch`, headers, body, units: 1 });
    // A batch that stopped at a failed request or change set answers 400 with a multipart body
    // holding that failure's own error part (Learn "Execute batch operations using the Web API",
    // "Handling errors"); read it like a 200 so the operation's error is not lost. Any other
    // non-200 (or a 400 that is plain JSON: the batch itself was refused) is the batch's error.
    const multipart = responseBoundary(response.text, response.headers.get('content-type')) !== undefined;
    if (response.status !== 200 && !(response.status === 400 && multipart)) this.ensure(response, { what: 'send a batch of Sales changes' });
    let entries;
    try {
      entries = parseBatchResponse(response.text, response.headers.get('content-type'));
    } catch (cause) {
      throw new AppError('service_error', 'Dynamics 365 Sales answered a batch request in a form the app could not read.', { service: 'dataverse', cause });
    }
    const describe = (op: DataverseOperation): DataverseErrorContext => {
      const what = `run the batch step ${op.method} ${op.url.split('?')[0]}`;
      const association = /systemusers\(([0-9a-f-]{36})\)\/systemuserroles_association\/\$ref/i.exec(op.url);
      if (!association) return { what };
      const ref = (op.body as { '@odata.id'?: unknown } | undefined)?.['@odata.id'];
      const role = /roles\(([0-9a-f-]{36})\)/i.exec(typeof ref === 'string' ? ref : op.url)?.[1];
      return { what, user: association[1], role: role ?? '' };
    };
    if (changeSet) {
      const entry = entries[0];
      if (!entry) return operations.map((op) => this.missing(op));
      if (entry.kind === 'single') {
        // The set failed as a whole; the part names the failing operation by Content-ID when it can.
        const index = operations.findIndex((op, i) => (op.contentId ?? String(i + 1)) === entry.part.contentId);
        const context = index >= 0 ? describe(operations[index]) : { what: 'apply a set of Sales changes' };
        const failed = this.partResult(entry.part, { ...context, what: `${context.what} (nothing in the set was applied)` });
        return operations.map(() => ({ ...failed }));
      }
      const byId = new Map(entry.parts.map((part) => [part.contentId, part]));
      return operations.map((op, index) => {
        const part = byId.get(op.contentId ?? String(index + 1)) ?? entry.parts[index];
        return part ? this.partResult(part, describe(op)) : this.missing(op);
      });
    }
    const parts = entries.flatMap((e) => (e.kind === 'single' ? [e.part] : e.parts));
    // A batch that stopped (400) answered up to its failure; the operations after it never ran.
    const stopped = response.status === 400;
    return operations.map((op, index) => (parts[index] ? this.partResult(parts[index], describe(op)) : this.missing(op, stopped)));
  }

  private partResult(part: BatchPartResponse, context: DataverseErrorContext): DataverseOperationResult {
    let body: unknown = part.body;
    const isJson = /json/i.test(part.headers['content-type'] ?? '') || /^\s*[{[]/.test(part.body);
    if (isJson && part.body.trim() !== '') {
      try {
        body = JSON.parse(part.body);
      } catch {
        body = part.body;
      }
    }
    const result: DataverseOperationResult = { status: part.status, headers: part.headers, body };
    if (part.status < 200 || part.status >= 300) result.error = dataverseError(this.asResponse(part), context);
    return result;
  }

  private missing(op: DataverseOperation, notRun = false): DataverseOperationResult {
    const step = `${op.method} ${op.url.split('?')[0]}`;
    const message = notRun
      ? `Dynamics 365 Sales did not run the batch step ${step}: the batch stopped at an earlier step that failed.`
      : `Dynamics 365 Sales did not answer the batch step ${step}; it may not have run.`;
    return { status: 0, headers: {}, body: null, error: new AppError('service_error', message, { service: 'dataverse' }) };
  }

  private asResponse(part: BatchPartResponse): HttpResponse {
    const headers = new Headers(part.headers);
    return {
      service: 'dataverse',
      status: part.status,
      headers,
      text: part.body,
      attempts: 1,
      json<T>() {
        return (part.body === '' ? undefined : JSON.parse(part.body)) as T;
      },
    };
  }

  private roleRef(roleId: string): string {
    return `${this.apiRoot}/roles(${roleId})`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', 'odata-maxversion': '4.0', 'odata-version': '4.0', ...extra };
  }

  /**
   * Every read asks for current data (`If-None-Match: null`): the product reads back what it has
   * just written (roles after an assignment, users after a sync, the lists after a run), and
   * queries that expand collection-valued navigation properties "might return cached data ...
   * that doesn't reflect recent changes" without it (Learn "Join tables using OData").
   */
  private get(path: string, extra: Record<string, string> = {}): Promise<HttpResponse> {
    const url = /^https?:\/\//i.test(path) ? path : `${this.apiRoot}/${path}`;
    return this.policy.send({ method: 'GET', url, headers: this.headers({ ...FRESH, ...extra }) });
  }

  private ensure(response: HttpResponse, context: DataverseErrorContext): void {
    if (response.status >= 200 && response.status < 300) return;
    throw dataverseError(response, context);
  }

  private async findChunked(values: string[], filterFor: (group: string[]) => string): Promise<SystemUser[]> {
    if (values.length === 0) return [];
    const prefix = `${this.apiRoot}/systemusers${query({ $select: USER_SELECT })}&$filter=`;
    const groups = chunkFilter(values, (g) => encode(filterFor(g)), { maxLength: MAX_URL_LENGTH - prefix.length });
    const pages = await Promise.all(groups.map((group) => this.listSystemUsers(filterFor(group))));
    const byId = new Map<string, SystemUser>();
    for (const user of pages.flat()) byId.set(user.id, user);
    return [...byId.values()];
  }

  /** GET a collection and follow @odata.nextLink (only within this environment's Web API). */
  private async listAll<T>(path: string, what: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = `${this.apiRoot}/${path}`;
    while (url) {
      const response = await this.get(url, { prefer: `odata.maxpagesize=${this.pageSize}` });
      this.ensure(response, { what });
      const page = response.json<Page<T>>();
      items.push(...(page?.value ?? []));
      const link = page?.['@odata.nextLink'];
      url = link ? sameBaseLink(link, this.apiRoot).url : undefined;
    }
    return items;
  }
}
