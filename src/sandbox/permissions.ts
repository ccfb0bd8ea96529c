/**
 * Who may call what, as each service decides it:
 * - Microsoft Graph: the application permissions in the token's `roles`, one rule per endpoint,
 *   each the "Application" row of the endpoint's Permissions table on Learn (least privileged
 *   permission first, then the higher privileged ones Learn lists: any one of them is enough).
 * - Dataverse: the app must be an application user of the environment (else "The user is not a
 *   member of the organization.") holding a security role with the privileges; the product's
 *   README asks for System Administrator, and the sandbox requires exactly that for every request
 *   but WhoAmI (Learn: "Use single-tenant server-to-server authentication"; it does not model
 *   individual privileges).
 * - Power Platform admin API: the app must be registered as a management application (Learn:
 *   "Create a service principal application … Registering an admin management application";
 *   `pac admin application register`).
 * - Business Central: the token must carry API.ReadWrite.All and the app must be on the
 *   "Microsoft Entra Applications" page (Learn: "Using Service-to-Service (S2S) Authentication").
 * - Business Central administration center API: the token must carry AdminCenter.ReadWrite.All
 *   and the app must be authorised in the admin center (Learn: "The Business Central Admin Center
 *   API", "Authenticate using service-to-service Microsoft Entra apps"; "Authorized Microsoft Entra
 *   apps"). There is no read-only admin center permission.
 */
import type { SbRequest } from './http';
import type { AppRegistration, SandboxState, SystemUser } from './state';

export interface GraphRule {
  method: string;
  /** path relative to /graph/v1.0 */
  path: RegExp;
  /** any one of these application permissions is enough */
  anyOf: string[];
  /** the Learn page whose Permissions table this is */
  source: string;
  /** a narrower rule for some request bodies (PATCH /groups/{id} that only binds members) */
  when?: (req: SbRequest) => boolean;
}

const id = '[^/]+';
const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const USER_WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const GROUP_MEMBER_READ = ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const GROUP_MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const ORGANIZATION_READ = ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

function onlyBindsMembers(req: SbRequest): boolean {
  try {
    const body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(body ?? {});
    return keys.length > 0 && keys.every((k) => k === 'members@odata.bind');
  } catch {
    return false;
  }
}

/** Endpoint → application permissions, from Microsoft Graph's API reference (v1.0). */
export const GRAPH_RULES: GraphRule[] = [
  { method: 'GET', path: /^\/users\/?$/, anyOf: USER_READ, source: 'Learn: List users (graph/api/user-list), Permissions' },
  { method: 'GET', path: new RegExp(`^/users/${id}/?$`), anyOf: USER_READ, source: 'Learn: Get user (graph/api/user-get), Permissions' },
  { method: 'POST', path: /^\/users\/?$/, anyOf: USER_WRITE, source: 'Learn: Create user (graph/api/user-post-users), Permissions' },
  { method: 'PATCH', path: new RegExp(`^/users/${id}/?$`), anyOf: USER_WRITE, source: 'Learn: Update user (graph/api/user-update), Permissions' },
  { method: 'DELETE', path: new RegExp(`^/users/${id}/?$`), anyOf: USER_WRITE, source: 'Learn: Delete user (graph/api/user-delete), Permissions' },
  {
    method: 'POST',
    path: new RegExp(`^/users/${id}/assignLicense$`),
    anyOf: ['LicenseAssignment.ReadWrite.All', 'Directory.ReadWrite.All', 'User.ReadWrite.All'],
    source: 'Learn: user: assignLicense (graph/api/user-assignlicense), Permissions',
  },
  {
    method: 'POST',
    path: new RegExp(`^/users/${id}/reprocessLicenseAssignment$`),
    // Unverified: the page's permission include could not be read; these are assignLicense's.
    anyOf: ['LicenseAssignment.ReadWrite.All', 'Directory.ReadWrite.All', 'User.ReadWrite.All'],
    source: 'Learn: user: reprocessLicenseAssignment (graph/api/user-reprocesslicenseassignment), Permissions (as for assignLicense; unverified)',
  },
  {
    method: 'GET',
    path: new RegExp(`^/users/${id}/licenseDetails$`),
    anyOf: ['LicenseAssignment.Read.All', 'LicenseAssignment.ReadWrite.All', ...USER_READ],
    source: 'Learn: List licenseDetails (graph/api/user-list-licensedetails), Permissions',
  },
  {
    method: 'POST',
    path: new RegExp(`^/users/${id}/checkMemberGroups$`),
    anyOf: GROUP_MEMBER_READ,
    source: 'Learn: directoryObject: checkMemberGroups (graph/api/directoryobject-checkmembergroups), Permissions, memberships for a user',
  },
  { method: 'GET', path: /^\/subscribedSkus\/?$/, anyOf: ORGANIZATION_READ, source: 'Learn: List subscribedSkus (graph/api/subscribedsku-list), Permissions' },
  { method: 'GET', path: /^\/organization\/?$/, anyOf: ORGANIZATION_READ, source: 'Learn: Get organization (graph/api/organization-get), Permissions' },
  {
    method: 'GET',
    path: new RegExp(`^/domains(?:/${id})?/?$`),
    anyOf: ['Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    source: 'Learn: List domains (graph/api/domain-list) and Get domain (graph/api/domain-get), Permissions',
  },
  {
    method: 'POST',
    path: /^\/groups\/?$/,
    anyOf: ['Group.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    source: 'Learn: Create group (graph/api/group-post-groups), Permissions',
  },
  {
    method: 'POST',
    path: new RegExp(`^/groups/${id}/assignLicense$`),
    anyOf: ['LicenseAssignment.ReadWrite.All', 'Directory.ReadWrite.All', 'Group.ReadWrite.All'],
    source: 'Learn: group: assignLicense (graph/api/group-assignlicense), Permissions',
  },
  { method: 'GET', path: new RegExp(`^/groups(?:/${id})?/?$`), anyOf: GROUP_MEMBER_READ, source: 'Learn: List groups / Get group (graph/api/group-list, group-get), Permissions' },
  {
    method: 'GET',
    path: new RegExp(`^/groups/${id}/(?:members|transitiveMembers)$`),
    anyOf: GROUP_MEMBER_READ,
    source: 'Learn: List group members (graph/api/group-list-members), Permissions',
  },
  {
    method: 'POST',
    path: new RegExp(`^/groups/${id}/members/\\$ref$`),
    anyOf: GROUP_MEMBER_WRITE,
    source: 'Learn: Add members (graph/api/group-post-members), Permissions',
  },
  {
    method: 'PATCH',
    path: new RegExp(`^/groups/${id}/?$`),
    anyOf: GROUP_MEMBER_WRITE,
    when: onlyBindsMembers,
    source: 'Learn: Add members (graph/api/group-post-members): several members in one PATCH with members@odata.bind',
  },
  {
    method: 'PATCH',
    path: new RegExp(`^/groups/${id}/?$`),
    anyOf: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    source: 'Learn: Update group (graph/api/group-update), Permissions',
  },
];

/** The rule for a Graph request (path relative to /graph/v1.0), or null for paths without one. */
export function graphRule(req: SbRequest, relativePath: string): GraphRule | null {
  return GRAPH_RULES.find((r) => r.method === req.method && r.path.test(relativePath) && (!r.when || r.when(req))) ?? null;
}

export function graphAllows(rule: GraphRule, roles: readonly string[]): boolean {
  return rule.anyOf.some((p) => roles.includes(p));
}

/** Role template of System Administrator (Learn: "Security roles and privileges"). */
export const SYSTEM_ADMINISTRATOR_TEMPLATE = '627090ff-40a3-4053-8790-584edc5be201';

/** The application user an app signs in to Dataverse as, if the environment has one that is enabled. */
export function applicationUser(s: SandboxState, appId: string): SystemUser | undefined {
  const key = appId.toLowerCase();
  return s.dataverse.systemUsers.find((u) => u.applicationid === key && !u.isdisabled);
}

export function holdsSystemAdministrator(s: SandboxState, user: SystemUser): boolean {
  const roleIds = s.dataverse.userRoles.filter((a) => a.ownerid === user.systemuserid).map((a) => a.roleid);
  return s.dataverse.roles.some((r) => roleIds.includes(r.roleid) && r.roletemplateid === SYSTEM_ADMINISTRATOR_TEMPLATE);
}

/** What Business Central needs for a service-to-service call. */
export function businessCentralAllows(app: AppRegistration, roles: readonly string[]): boolean {
  return app.businessCentralEntraApplication && roles.includes('API.ReadWrite.All');
}

/** What the Business Central administration center API needs for a service-to-service call. */
export function businessCentralAdminCenterAllows(app: AppRegistration, roles: readonly string[]): boolean {
  return app.businessCentralAdminCenterApp !== false && roles.includes('AdminCenter.ReadWrite.All');
}
