import type { StringKey } from './i18n';

/** The four services the bot calls. */
export type Service = 'graph' | 'dataverse' | 'bap' | 'bc';

/**
 * The README's permission table ("Pointing it at a real tenant"), one entry per row, and which
 * row a request relies on, so that a refusal names what the admin has to grant. A test removes
 * each row in turn and shows which features then fail (test/integration/permissions.test.ts).
 */
export type Grant =
  | 'graph:User.ReadWrite.All'
  | 'graph:Organization.Read.All'
  | 'graph:GroupMember.ReadWrite.All'
  // Only for Part 3 through a group (group-based licensing), beside the table's rows.
  | 'graph:LicenseAssignment.ReadWrite.All'
  | 'graph:Group.Create'
  | 'dataverse:applicationUser'
  | 'bap:managementApp'
  | 'bc:s2s'
  | 'bc:adminCenter';

export const GRANTS: Record<Grant, { service: Service; permission: string }> = {
  'graph:User.ReadWrite.All': { service: 'graph', permission: 'User.ReadWrite.All' },
  'graph:Organization.Read.All': { service: 'graph', permission: 'Organization.Read.All' },
  'graph:GroupMember.ReadWrite.All': { service: 'graph', permission: 'GroupMember.ReadWrite.All' },
  'graph:LicenseAssignment.ReadWrite.All': { service: 'graph', permission: 'LicenseAssignment.ReadWrite.All' },
  'graph:Group.Create': { service: 'graph', permission: 'Group.Create' },
  'dataverse:applicationUser': { service: 'dataverse', permission: 'System Administrator' },
  'bap:managementApp': { service: 'bap', permission: 'management app' },
  'bc:s2s': { service: 'bc', permission: 'API.ReadWrite.All' },
  'bc:adminCenter': { service: 'bc', permission: 'AdminCenter.ReadWrite.All' },
};

/** A Business Central request to the administration center API (`…/admin/v2.x/…`), not the BC API. */
export function isAdminCenterUrl(url: string): boolean {
  return /^[a-z]+:\/\/[^/]+(?:\/[^/?]+)*?\/admin\/v\d+\.\d+(?:\/|$)/i.test(url);
}

/** The Graph path of a request URL, without the version and the query ("/users/x/assignLicense"). */
function graphPath(url: string): string {
  const path = url.replace(/^https?:\/\/[^/]+/i, '').split('?')[0];
  const at = path.search(/\/v1\.0(\/|$)/);
  return at >= 0 ? path.slice(at + '/v1.0'.length) : path.startsWith('/') ? path : `/${path}`;
}

/** The README row a request relies on; undefined when the README grants nothing for it. */
export function grantFor(service: Service, request?: { method: string; url: string }): Grant | undefined {
  switch (service) {
    case 'dataverse':
      return 'dataverse:applicationUser';
    case 'bap':
      return 'bap:managementApp';
    case 'bc':
      return request && isAdminCenterUrl(request.url) ? 'bc:adminCenter' : 'bc:s2s';
    case 'graph': {
      if (!request) return undefined;
      const path = graphPath(request.url);
      // Group-based licensing: a group's licence (Learn "group: assignLicense") and a new group ("Create group").
      if (/^\/groups\/[^/]+\/assignLicense$/.test(path)) return 'graph:LicenseAssignment.ReadWrite.All';
      if (request.method.toUpperCase() === 'POST' && /^\/groups\/?$/.test(path)) return 'graph:Group.Create';
      if (/^\/users(\/[^/]+)?\/checkMemberGroups$/.test(path) || /^\/groups(\/|$)/.test(path)) return 'graph:GroupMember.ReadWrite.All';
      if (/^\/users(\/|\(|$)/.test(path)) return 'graph:User.ReadWrite.All';
      if (/^\/(subscribedSkus|organization)(\/|$)/.test(path)) return 'graph:Organization.Read.All';
      return undefined;
    }
  }
}

/** The English sentence naming what to grant (the bot renders the localised one from `grant`). */
export function grantSentence(grant: Grant): string {
  switch (grant) {
    case 'graph:User.ReadWrite.All':
    case 'graph:Organization.Read.All':
    case 'graph:GroupMember.ReadWrite.All':
    case 'graph:LicenseAssignment.ReadWrite.All':
    case 'graph:Group.Create':
      return `the app registration needs the Microsoft Graph application permission ${GRANTS[grant].permission} (admin-consented)`;
    case 'dataverse:applicationUser':
      return 'the app must be an application user of the Sales environment with the System Administrator role';
    case 'bap:managementApp':
      return 'the app must be registered as a Power Platform management app (pac admin application register)';
    case 'bc:s2s':
      return `the app needs the Business Central application permission API.ReadWrite.All (admin-consented) and must be registered, enabled and consented on Business Central's "Microsoft Entra Applications" page`;
    case 'bc:adminCenter':
      return `the app needs the Business Central application permission AdminCenter.ReadWrite.All (admin-consented) and must be authorised in the Business Central admin center (Authorized Microsoft Entra apps)`;
  }
}

/** The localised sentence for a refusal: the key and its variables (rendered with `t`). */
export function grantMessage(grant: Grant): { key: StringKey; vars: Record<string, string> } {
  switch (GRANTS[grant].service) {
    case 'graph':
      return { key: 'forbiddenGraph', vars: { permission: GRANTS[grant].permission } };
    case 'dataverse':
      return { key: 'forbiddenDataverse', vars: {} };
    case 'bap':
      return { key: 'forbiddenBap', vars: {} };
    case 'bc':
      return { key: grant === 'bc:adminCenter' ? 'forbiddenBcAdminCenter' : 'forbiddenBc', vars: {} };
  }
}
