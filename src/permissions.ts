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
  | 'dataverse:applicationUser'
  | 'bap:managementApp'
  | 'bc:s2s';

export const GRANTS: Record<Grant, { service: Service; permission: string }> = {
  'graph:User.ReadWrite.All': { service: 'graph', permission: 'User.ReadWrite.All' },
  'graph:Organization.Read.All': { service: 'graph', permission: 'Organization.Read.All' },
  'graph:GroupMember.ReadWrite.All': { service: 'graph', permission: 'GroupMember.ReadWrite.All' },
  'dataverse:applicationUser': { service: 'dataverse', permission: 'System Administrator' },
  'bap:managementApp': { service: 'bap', permission: 'management app' },
  'bc:s2s': { service: 'bc', permission: 'API.ReadWrite.All' },
};

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
      return 'bc:s2s';
    case 'graph': {
      if (!request) return undefined;
      const path = graphPath(request.url);
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
      return `the app registration needs the Microsoft Graph application permission ${GRANTS[grant].permission} (admin-consented)`;
    case 'dataverse:applicationUser':
      return 'the app must be an application user of the Sales environment with the System Administrator role';
    case 'bap:managementApp':
      return 'the app must be registered as a Power Platform management app (pac admin application register)';
    case 'bc:s2s':
      return `the app needs the Business Central application permission API.ReadWrite.All (admin-consented) and must be registered, enabled and consented on Business Central's "Microsoft Entra Applications" page`;
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
      return { key: 'forbiddenBc', vars: {} };
  }
}
