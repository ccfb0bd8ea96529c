import type {
  LicenseDetails as GraphLicenseDetails,
  Organization,
  SubscribedSku,
  User,
} from '@microsoft/microsoft-graph-types';
import { AppError } from '../../../errors';
import type { HttpPolicy } from '../../http/policy';
import { DEFAULT_BATCH_RETRY, runGraphBatch, type BatchRetryOptions, type GraphBatchItem, type GraphBatchResult } from './batch';
import { graphError } from './errors';
import { guid, isGuid, query, quote, sameBaseLink, segment } from '../odata';
import type { HttpResponse } from '../../http/types';
import { skuDisplayName } from '../../../setup/skuNames';

/**
 * Microsoft Entra ID over Microsoft Graph v1.0: users, licences, domains, the organisation and
 * group membership. Requests go through the Graph HttpPolicy (as every client's do); every non-2xx
 * answer becomes a coded AppError.
 */

/**
 * Service plans that make a SKU able to sign in to Dynamics 365 Sales. A SKU is Sales-capable when
 * any of its service plans is in this list.
 */
export const SALES_SERVICE_PLANS: readonly string[] = [
  'DYN365_ENTERPRISE_P1', // Dynamics 365 Customer Engagement Plan
  'DYN365_ENTERPRISE_SALES', // Dynamics 365 Sales Enterprise
  'DYN365_ENTERPRISE_PLAN1', // Dynamics 365 Customer Engagement Plan (older part number)
  'DYN365_SALES_PREMIUM', // Dynamics 365 Sales Premium
  'DYN365_SALES_PRO', // Dynamics 365 Sales Professional
  'DYN365_ENTERPRISE_CUSTOMER_SERVICE', // Customer Service Enterprise (full Dataverse user access)
];

/** Graph's limit of group ids per checkMemberGroups call. */
const CHECK_MEMBER_GROUPS_LIMIT = 20;
/** Graph's limit of `members@odata.bind` links in one request (Learn "Add members", example 2). */
export const GROUP_LINK_LIMIT = 20;

const USER_SELECT = [
  'id',
  'userPrincipalName',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'jobTitle',
  'department',
  'usageLocation',
  'accountEnabled',
  'assignedLicenses',
].join(',');

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  jobTitle: string | null;
  department: string | null;
  usageLocation: string | null;
  accountEnabled: boolean | null;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
}

export interface CreateUserInput {
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  password: string;
  /** Default true: the user picks a password at first sign-in. */
  forceChangePasswordNextSignIn?: boolean;
  /** Default true. */
  accountEnabled?: boolean;
  usageLocation?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  officeLocation?: string;
  mobilePhone?: string;
  faxNumber?: string;
  businessPhones?: string[];
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  otherMails?: string[];
  /** The SMTP address (writable: microsoftgraph/microsoft-graph-docs PR 9653); it joins proxyAddresses. */
  mail?: string;
}

export type UpdateUserInput = Partial<Omit<CreateUserInput, 'password' | 'forceChangePasswordNextSignIn' | 'userPrincipalName'>> & {
  userPrincipalName?: string;
};

export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string | null;
  appliesTo: string | null;
}

export interface LicenseDetail {
  id: string;
  skuId: string;
  skuPartNumber: string | null;
  servicePlans: ServicePlan[];
}

export interface SubscribedSkuInfo {
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: string | null;
  appliesTo: string | null;
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  servicePlans: ServicePlan[];
  /** prepaidUnits.enabled − consumedUnits, never below 0. */
  freeSeats: number;
  /** True when a service plan is in SALES_SERVICE_PLANS. */
  salesCapable: boolean;
}

export interface OrganizationInfo {
  id: string;
  displayName: string | null;
  countryLetterCode: string | null;
  preferredLanguage: string | null;
  /** Per Graph's complex type verifiedDomain: name, isDefault, isInitial, type, capabilities. */
  verifiedDomains: { name: string; isDefault: boolean; isInitial: boolean; type: string | null; capabilities: string | null }[];
}

export interface DirectoryClientOptions {
  /** Graph base including the version, e.g. https://graph.microsoft.com/v1.0 */
  endpoint: string;
  policy: HttpPolicy;
  /** Item-level retry inside `$batch` (the policy cannot see those). */
  batchRetry?: Partial<BatchRetryOptions>;
  /** `$top` for listing users (default and Graph's maximum: 999). */
  pageSize?: number;
}

/** A group as group mode reads it (group-based licensing). */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
  /** "Unified" (Microsoft 365 group), "DynamicMembership". */
  groupTypes: string[];
  /** Lower-cased SKU ids the group holds. */
  skuIds: string[];
}

interface WireGroup {
  id?: string;
  displayName?: string | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  groupTypes?: string[] | null;
  assignedLicenses?: { skuId?: string }[] | null;
}

const toGroup = (raw: WireGroup): DirectoryGroup => ({
  id: (raw.id ?? '').toLowerCase(),
  displayName: raw.displayName ?? '',
  securityEnabled: raw.securityEnabled === true,
  mailEnabled: raw.mailEnabled === true,
  groupTypes: raw.groupTypes ?? [],
  skuIds: (raw.assignedLicenses ?? []).map((l) => (l.skuId ?? '').toLowerCase()),
});

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

function toUser(raw: User): DirectoryUser {
  return {
    id: raw.id ?? '',
    userPrincipalName: raw.userPrincipalName ?? '',
    displayName: raw.displayName ?? null,
    givenName: raw.givenName ?? null,
    surname: raw.surname ?? null,
    mail: raw.mail ?? null,
    mailNickname: raw.mailNickname ?? null,
    jobTitle: raw.jobTitle ?? null,
    department: raw.department ?? null,
    usageLocation: raw.usageLocation ?? null,
    accountEnabled: raw.accountEnabled ?? null,
    assignedLicenses: (raw.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId ?? '', disabledPlans: l.disabledPlans ?? [] })),
  };
}

function toPlans(plans: SubscribedSku['servicePlans']): ServicePlan[] {
  return (plans ?? []).map((p) => ({
    servicePlanId: p.servicePlanId ?? '',
    servicePlanName: p.servicePlanName ?? '',
    provisioningStatus: p.provisioningStatus ?? null,
    appliesTo: p.appliesTo ?? null,
  }));
}

export function isSalesCapable(plans: readonly { servicePlanName: string }[]): boolean {
  return plans.some((p) => SALES_SERVICE_PLANS.includes(p.servicePlanName.toUpperCase()));
}

/** `/users/{id}` for an object id or a UPN; a UPN starting with `$` needs the `('…')` key form. */
function userPath(idOrUpn: string): string {
  if (!idOrUpn) throw new AppError('invalid_input', 'A user id or user name is required.');
  if (isGuid(idOrUpn)) return `/users/${idOrUpn.toLowerCase()}`;
  if (idOrUpn.startsWith('$')) return `/users(${segment(quote(idOrUpn))})`;
  return `/users/${segment(idOrUpn)}`;
}

type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The endpoint without a trailing slash; it must end with the API version (…/v1.0 or …/beta). */
function graphEndpoint(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  if (!/\/(v\d+(\.\d+)?|beta)$/.test(trimmed)) throw new Error(`Graph endpoint must end with the API version (…/v1.0): ${endpoint}`);
  return trimmed;
}

/**
 * Microsoft Graph's directory, sent through the product's HttpPolicy like the other three clients:
 * the policy owns the token, timeouts, concurrency, pacing and the one retry; this client builds
 * the URLs, follows `@odata.nextLink` (listAll) and batches (batch.ts).
 */
export class DirectoryClient {
  private readonly policy: HttpPolicy;
  private readonly endpoint: string;
  private readonly batchRetry: BatchRetryOptions;
  private readonly pageSize: number;

  constructor(options: DirectoryClientOptions) {
    this.pageSize = Math.min(999, options.pageSize ?? 999);
    this.endpoint = graphEndpoint(options.endpoint);
    this.policy = options.policy;
    this.batchRetry = { ...DEFAULT_BATCH_RETRY, ...options.batchRetry };
  }

  /** The user, or null when no user has that id or UPN. */
  async getUser(idOrUpn: string): Promise<DirectoryUser | null> {
    const response = await this.send('GET', `${userPath(idOrUpn)}${query({ $select: USER_SELECT })}`);
    if (response.status === 404) return null;
    this.ensure(response, { what: `read the user ${idOrUpn}` });
    return toUser(response.json<User>());
  }

  /** Every user in the directory, all pages. */
  async listUsers(): Promise<DirectoryUser[]> {
    const raw = await this.listAll<User>(`/users${query({ $select: USER_SELECT, $top: this.pageSize })}`, 'list users');
    return raw.map(toUser);
  }

  /**
   * Creates the user. Errors: upn_exists, domain_not_verified, conflict (mail alias taken),
   * bad_request (password policy). Graph answers with the default property set; the rest of the
   * result comes from the input, which is what was just written.
   */
  async createUser(input: CreateUserInput): Promise<DirectoryUser> {
    const response = await this.send('POST', '/users', createUserBody(input));
    this.ensure(response, createContext(input.userPrincipalName));
    const created = toUser(response.json<User>());
    return {
      ...created,
      userPrincipalName: created.userPrincipalName || input.userPrincipalName,
      displayName: created.displayName ?? input.displayName,
      givenName: created.givenName ?? input.givenName ?? null,
      surname: created.surname ?? input.surname ?? null,
      mailNickname: created.mailNickname ?? input.mailNickname,
      jobTitle: created.jobTitle ?? input.jobTitle ?? null,
      department: created.department ?? input.department ?? null,
      usageLocation: created.usageLocation ?? input.usageLocation ?? null,
      accountEnabled: created.accountEnabled ?? input.accountEnabled ?? true,
    };
  }

  async updateUser(id: string, patch: UpdateUserInput): Promise<void> {
    const response = await this.send('PATCH', userPath(id), patch);
    this.ensure(response, { what: `update the user ${id}`, userPrincipalName: patch.userPrincipalName });
  }

  // --- $batch items for the writes above (same bodies, same error mapping) -------------------

  static createUserItem(id: string, input: CreateUserInput, dependsOn?: string[]): GraphBatchItem {
    return { id, method: 'POST', url: '/users', body: createUserBody(input), dependsOn, context: createContext(input.userPrincipalName) };
  }

  static updateUserItem(id: string, user: string, patch: UpdateUserInput, dependsOn?: string[]): GraphBatchItem {
    return { id, method: 'PATCH', url: userPath(user), body: patch, dependsOn, context: { what: `update the user ${user}`, userPrincipalName: patch.userPrincipalName } };
  }

  /** `user` may be the UPN of a user created earlier in the same batch (with `dependsOn`). */
  static assignLicenseItem(id: string, user: string, skuId: string, options: { disabledPlans?: string[]; dependsOn?: string[]; skuName?: string } = {}): GraphBatchItem {
    const sku = guid(skuId, 'licence (SKU) id');
    return {
      id,
      method: 'POST',
      url: `${userPath(user)}/assignLicense`,
      body: assignLicenseBody(sku, options.disabledPlans ?? []),
      dependsOn: options.dependsOn,
      context: { what: `assign the licence ${options.skuName ?? sku} to ${user}`, sku: options.skuName ?? sku },
    };
  }

  /**
   * Adds one licence. Errors: usage_location_missing, license_no_free_seats (the message names the
   * SKU), license_unknown_sku, not_found (no such user).
   */
  async assignLicense(userId: string, skuId: string, disabledPlans: string[] = []): Promise<void> {
    const sku = guid(skuId, 'licence (SKU) id');
    const response = await this.send('POST', `${userPath(userId)}/assignLicense`, assignLicenseBody(sku, disabledPlans));
    if (response.status >= 200 && response.status < 300) return;
    const error = graphError(response, { what: `assign the licence ${sku} to ${userId}`, sku: await this.skuName(sku) });
    if (response.status === 404 && error.code === 'not_found') {
      throw new AppError('not_found', `The user ${userId} was not found in Microsoft Entra ID; the licence was not assigned.`, {
        service: 'graph',
        status: 404,
        serviceCode: error.serviceCode,
        cause: error.cause,
      });
    }
    throw error;
  }

  async listLicenseDetails(userId: string): Promise<LicenseDetail[]> {
    const raw = await this.listAll<GraphLicenseDetails>(`${userPath(userId)}/licenseDetails`, `read the licences of ${userId}`);
    return raw.map((d) => ({ id: d.id ?? '', skuId: d.skuId ?? '', skuPartNumber: d.skuPartNumber ?? null, servicePlans: toPlans(d.servicePlans) }));
  }

  /** The tenant's subscriptions with free seats and whether each can sign in to Sales. */
  async listSubscribedSkus(): Promise<SubscribedSkuInfo[]> {
    const raw = await this.listAll<SubscribedSku>('/subscribedSkus', 'list the licences the tenant subscribes to');
    return raw.map((s) => {
      const prepaid = {
        enabled: s.prepaidUnits?.enabled ?? 0,
        suspended: s.prepaidUnits?.suspended ?? 0,
        warning: s.prepaidUnits?.warning ?? 0,
        lockedOut: s.prepaidUnits?.lockedOut ?? 0,
      };
      const consumedUnits = s.consumedUnits ?? 0;
      const servicePlans = toPlans(s.servicePlans);
      return {
        skuId: s.skuId ?? '',
        skuPartNumber: s.skuPartNumber ?? '',
        capabilityStatus: s.capabilityStatus ?? null,
        appliesTo: s.appliesTo ?? null,
        consumedUnits,
        prepaidUnits: prepaid,
        servicePlans,
        freeSeats: Math.max(0, prepaid.enabled - consumedUnits),
        salesCapable: isSalesCapable(servicePlans),
      };
    });
  }

  /**
   * Names of the verified domains, lower-cased, from the organisation's `verifiedDomains`
   * (Organization.Read.All; `GET /domains` would need Domain.Read.All, which the app does not hold).
   */
  async verifiedDomains(): Promise<string[]> {
    return (await this.getOrganization()).verifiedDomains.map((d) => d.name.toLowerCase()).filter(Boolean);
  }

  async getOrganization(): Promise<OrganizationInfo> {
    const raw = await this.listAll<Organization>(
      `/organization${query({ $select: 'id,displayName,countryLetterCode,preferredLanguage,verifiedDomains' })}`,
      'read the organisation',
    );
    const org = raw[0];
    if (!org) throw new AppError('not_found', 'Microsoft Graph returned no organisation for this tenant.', { service: 'graph' });
    return {
      id: org.id ?? '',
      displayName: org.displayName ?? null,
      countryLetterCode: org.countryLetterCode ?? null,
      preferredLanguage: org.preferredLanguage ?? null,
      verifiedDomains: (org.verifiedDomains ?? []).map((d) => ({
        name: d.name ?? '',
        isDefault: d.isDefault ?? false,
        isInitial: d.isInitial ?? false,
        type: d.type ?? null,
        capabilities: d.capabilities ?? null,
      })),
    };
  }

  /** The subset of `groupIds` the user is a member of (transitively). */
  async checkMemberGroups(userId: string, groupIds: string[]): Promise<string[]> {
    const ids = groupIds.map((id) => guid(id, 'group id'));
    const member: string[] = [];
    for (let i = 0; i < ids.length; i += CHECK_MEMBER_GROUPS_LIMIT) {
      const response = await this.send('POST', `${userPath(userId)}/checkMemberGroups`, { groupIds: ids.slice(i, i + CHECK_MEMBER_GROUPS_LIMIT) });
      this.ensure(response, { what: `check the group memberships of ${userId}` });
      member.push(...(response.json<{ value?: string[] }>()?.value ?? []).map((id) => id.toLowerCase()));
    }
    return member;
  }

  /** The group's id and name, or null when there is no such group (GroupMember.Read.All). */
  async getGroup(groupId: string): Promise<{ id: string; displayName: string | null } | null> {
    const id = guid(groupId, 'group id');
    const response = await this.send('GET', `/groups/${id}${query({ $select: 'id,displayName' })}`);
    if (response.status === 404) return null;
    this.ensure(response, { what: `read the group ${id}` });
    const raw = response.json<{ id?: string; displayName?: string | null }>();
    return { id: (raw.id ?? id).toLowerCase(), displayName: raw.displayName ?? null };
  }

  /**
   * Ids of everything in the group, through nested groups: `GET /groups/{id}/transitiveMembers`,
   * 999 a page (GroupMember.Read.All). One read for any number of users, where checkMemberGroups
   * would take one call per user.
   */
  async groupMemberIds(groupId: string): Promise<Set<string>> {
    const id = guid(groupId, 'group id');
    const raw = await this.listAll<{ id?: string }>(`/groups/${id}/transitiveMembers${query({ $select: 'id', $top: this.pageSize })}`, `read the members of the group ${id}`);
    return new Set(raw.map((m) => (m.id ?? '').toLowerCase()).filter(Boolean));
  }

  /**
   * Adds one member: `POST /groups/{id}/members/$ref` (GroupMember.ReadWrite.All). "Already a
   * member" (400 "One or more added object references already exist") counts as done.
   */
  async addGroupMember(groupId: string, memberId: string): Promise<{ already: boolean }> {
    const id = guid(groupId, 'group id');
    const member = guid(memberId, 'member id');
    const response = await this.send('POST', `/groups/${id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${member}` });
    if (response.status >= 200 && response.status < 300) return { already: false };
    const error = graphError(response, { what: `add ${memberId} to the group ${id}` });
    if (error.code === 'already_member') return { already: true };
    throw error;
  }

  /**
   * Adds up to 20 members in one `PATCH /groups/{id}` with `members@odata.bind`
   * (GroupMember.ReadWrite.All). Graph adds all or none: one that is already a member fails the
   * request with already_member, and the caller adds them one by one.
   */
  async addGroupMembers(groupId: string, memberIds: string[]): Promise<void> {
    const id = guid(groupId, 'group id');
    if (memberIds.length === 0) return;
    if (memberIds.length > GROUP_LINK_LIMIT) throw new AppError('invalid_input', `At most ${GROUP_LINK_LIMIT} members can be added in one request.`);
    const binds = memberIds.map((m) => `https://graph.microsoft.com/v1.0/directoryObjects/${guid(m, 'member id')}`);
    const response = await this.send('PATCH', `/groups/${id}`, { 'members@odata.bind': binds });
    this.ensure(response, { what: `add ${memberIds.length} members to the group ${id}` });
  }

  /**
   * Which of `userIds` are (transitive) members of `groupId`: one checkMemberGroups per person,
   * sent as Graph JSON `$batch` envelopes of 20 (Learn: "user: checkMemberGroups", application
   * permission GroupMember.Read.All with User.ReadBasic.All or higher; "Combine multiple requests
   * in one HTTP call using JSON batching", 20 requests per batch). A chat of 60 members costs 3
   * requests, not 60, and the cost does not grow with the size of the group.
   */
  async membersAmong(userIds: string[], groupId: string): Promise<string[]> {
    const group = guid(groupId, 'group id').toLowerCase();
    const ids = [...new Set(userIds.map((id) => guid(id, 'user id').toLowerCase()))];
    if (ids.length === 0) return [];
    const results = await this.batch(
      ids.map((id, index) => ({
        id: String(index + 1),
        method: 'POST' as const,
        url: `${userPath(id)}/checkMemberGroups`,
        body: { groupIds: [group] },
        context: { what: `check the group memberships of ${id}` },
      })),
    );
    const members: string[] = [];
    for (const result of results) {
      if (result.status === 404) continue; // no such user (left the tenant): not a member
      if (result.error) throw result.error;
      const value = (result.body as { value?: unknown } | undefined)?.value;
      if (Array.isArray(value) && value.some((g) => String(g).toLowerCase() === group)) members.push(ids[Number(result.id) - 1]);
    }
    return members;
  }

  // --- group-based licensing ------------------------------------------------------------------

  /**
   * Groups with exactly this display name (Graph compares case-insensitively), with what group
   * mode needs: security, Microsoft 365 or dynamic, and the licences the group holds
   * (`assignedLicenses` comes only on $select). GroupMember.Read.All.
   */
  async findGroupsByName(name: string): Promise<DirectoryGroup[]> {
    const raw = await this.listAll<WireGroup>(
      `/groups${query({ $filter: `displayName eq ${quote(name)}`, $select: 'id,displayName,securityEnabled,mailEnabled,groupTypes,assignedLicenses' })}`,
      `find the group ${name}`,
    );
    return raw.map(toGroup).filter((g) => g.displayName.toLowerCase() === name.toLowerCase());
  }

  /**
   * Creates a security group: `POST /groups` with displayName, mailEnabled false, mailNickname and
   * securityEnabled true, `groupTypes` [] (Learn "Create group"; Group.Create). 201 with the group.
   */
  async createSecurityGroup(input: { displayName: string; mailNickname: string; description?: string }): Promise<{ id: string; displayName: string }> {
    const body = { displayName: input.displayName, mailEnabled: false, mailNickname: input.mailNickname, securityEnabled: true, groupTypes: [] as string[], ...(input.description ? { description: input.description } : {}) };
    const response = await this.send('POST', '/groups', body);
    this.ensure(response, { what: `create the group ${input.displayName}` });
    const raw = response.json<WireGroup>();
    return { id: (raw.id ?? '').toLowerCase(), displayName: raw.displayName ?? input.displayName };
  }

  /**
   * Gives the group a licence: `POST /groups/{id}/assignLicense` `{ addLicenses, removeLicenses }`
   * → 202 Accepted; Entra then licenses the members in the background (Learn "group:
   * assignLicense"; LicenseAssignment.ReadWrite.All).
   */
  async assignGroupLicense(groupId: string, skuId: string, options: { skuName?: string; groupName?: string } = {}): Promise<void> {
    const id = guid(groupId, 'group id');
    const sku = guid(skuId, 'licence (SKU) id');
    const response = await this.send('POST', `/groups/${id}/assignLicense`, assignLicenseBody(sku, []));
    this.ensure(response, { what: `give the group ${options.groupName ?? id} the licence ${options.skuName ?? sku}`, sku: options.skuName ?? sku });
  }

  /** The group with the licences it holds, or null when there is none. */
  async getGroupLicences(groupId: string): Promise<{ id: string; skuIds: string[] } | null> {
    const id = guid(groupId, 'group id');
    const response = await this.send('GET', `/groups/${id}${query({ $select: 'id,assignedLicenses' })}`);
    if (response.status === 404) return null;
    this.ensure(response, { what: `read the licences of the group ${id}` });
    return { id, skuIds: (response.json<WireGroup>().assignedLicenses ?? []).map((l) => (l.skuId ?? '').toLowerCase()) };
  }

  /**
   * Asks Entra to process the user's group licences again: `POST /users/{id}/reprocessLicenseAssignment`
   * (Learn "user: reprocessLicenseAssignment"; no body, 200 with the user). For a member whose
   * group licence failed (CountViolation) once seats are free again.
   */
  static reprocessLicenceItem(id: string, userId: string): GraphBatchItem {
    // Inside $batch a write needs a body and Content-Type ("Write request id : … does not contain
    // Content-Type header or body."), so the action goes with an empty one: it has no parameters.
    return { id, method: 'POST', url: `${userPath(guid(userId, 'user id'))}/reprocessLicenseAssignment`, body: {}, context: { what: `reprocess the group licences of ${userId}` } };
  }

  /** Ids of the group's direct members (`GET /groups/{id}/members`, 999 a page). */
  async directMemberIds(groupId: string): Promise<Set<string>> {
    const id = guid(groupId, 'group id');
    const raw = await this.listAll<{ id?: string }>(`/groups/${id}/members${query({ $select: 'id', $top: this.pageSize })}`, `read the members of the group ${id}`);
    return new Set(raw.map((m) => (m.id ?? '').toLowerCase()).filter(Boolean));
  }

  /**
   * Runs many requests as Graph `$batch` envelopes of ≤ 20. Results come back in request order,
   * one per item, each with its status and, when it failed, a coded error. Items answered 429/503
   * are sent again (see graphBatch.ts); an envelope that fails as a whole throws.
   */
  async batch(requests: GraphBatchItem[]): Promise<GraphBatchResult[]> {
    return runGraphBatch(requests, (body) => this.send('POST', '/$batch', body), this.batchRetry);
  }

  // --- plumbing -----------------------------------------------------------------------------

  /** `path` is relative to the endpoint (`/users/…`); a POST or PATCH always carries a JSON body. */
  private send(method: GraphMethod, path: string, body?: unknown): Promise<HttpResponse> {
    const json = body ?? (method === 'POST' || method === 'PATCH' ? {} : undefined);
    return this.policy.send({ method, url: `${this.endpoint}${path}`, json });
  }

  private ensure(response: HttpResponse, context: Parameters<typeof graphError>[1]): void {
    if (response.status >= 200 && response.status < 300) return;
    throw graphError(response, context);
  }

  /** GET a collection and follow @odata.nextLink (only within this Graph endpoint). */
  private async listAll<T>(path: string, what: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const response = await this.send('GET', next);
      this.ensure(response, { what });
      const page = response.json<Page<T>>();
      items.push(...(page?.value ?? []));
      const link = page?.['@odata.nextLink'];
      next = link ? sameBaseLink(link, this.endpoint).relative : undefined;
    }
    return items;
  }

  /** The SKU's part number for an error message; its id when the name cannot be read. */
  private async skuName(skuId: string): Promise<string> {
    try {
      const sku = (await this.listSubscribedSkus()).find((s) => s.skuId.toLowerCase() === skuId);
      // By its product name where known (setup/skuNames.ts), else its part number, else its id.
      return sku ? skuDisplayName(sku) : skuId;
    } catch {
      return skuId;
    }
  }
}

function createUserBody(input: CreateUserInput): User {
  return {
    accountEnabled: input.accountEnabled ?? true,
    userPrincipalName: input.userPrincipalName,
    displayName: input.displayName,
    mailNickname: input.mailNickname,
    passwordProfile: { password: input.password, forceChangePasswordNextSignIn: input.forceChangePasswordNextSignIn ?? true },
    ...pickDefined(input, [
      'usageLocation',
      'givenName',
      'surname',
      'jobTitle',
      'department',
      'officeLocation',
      'mobilePhone',
      'faxNumber',
      'businessPhones',
      'streetAddress',
      'city',
      'state',
      'postalCode',
      'country',
      'otherMails',
      'mail',
    ]),
  };
}

function createContext(userPrincipalName: string) {
  return { what: `create the user ${userPrincipalName}`, userPrincipalName };
}

function assignLicenseBody(skuId: string, disabledPlans: string[]) {
  return { addLicenses: [{ skuId, disabledPlans }], removeLicenses: [] as string[] };
}

function pickDefined<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
