import type { Locale, StringKey } from '../i18n';
import { isIntegrationRole, isNonAdministrative, isSystemAdministrator, isSystemCustomizer, type RoleRef } from './roles';

/**
 * Where the three parts of the procedure stand, as a pure function of what was observed in the
 * tenant. The observation itself (Graph, Dataverse, BC reads) lives in provisioning/observe/parts.ts.
 */

export interface ObservedSalesUser {
  systemuserid: string;
  fullname: string;
  domainname: string;
  isdisabled: boolean;
  islicensed: boolean;
  accessmode: number;
  applicationid?: string | null;
  roles: RoleRef[];
}

export interface ObservedAdmin {
  upn: string;
  /** The environment's roles, when read: a missing role is then named as the environment names it. */
  environmentRoles?: RoleRef[];
  entra: { accountEnabled: boolean; salesLicensed: boolean } | null;
  salesUser: ObservedSalesUser | null;
}

export interface ObservedIntegration {
  /** System users whose applicationid is Business Central's client id. */
  applicationUsers: ObservedSalesUser[];
  /** Enabled, non-interactive (accessmode 4) people users, with roles. */
  nonInteractiveUsers: ObservedSalesUser[];
}

export interface ObservedSalespeople {
  active: number;
  blocked: number;
  /** Active salespeople whose Sales user is enabled, licensed and holds the Salesperson role. */
  ready: number;
  /**
   * The couplings as far as they can be seen: read through the coupling endpoint, or — without one,
   * when BC's couplings cannot be read — how many Match-Based Coupling would make.
   */
  couplings?: { seen: number } | { predicted: number };
}

export type PartState = 'done' | 'todo' | 'unknown';

/** A value that is itself a list to join: strings to translate, or names as the tenant has them. */
export interface KeyList {
  keys: (StringKey | { name: string })[];
}
/** A value already given in each language (a reason observed once, read in either). */
export type InEachLanguage = Record<Locale, string>;
export interface Detail {
  key: StringKey;
  vars?: Record<string, string | number | KeyList | InEachLanguage>;
}

export interface PartStatus {
  part: 'admin' | 'integration' | 'salespeople';
  state: PartState;
  /** Lines of explanation: a string key with its values. */
  details: Detail[];
}

export function adminStatus(observed: ObservedAdmin): PartStatus {
  const user = observed.upn;
  const todo = (key: StringKey, vars: Record<string, string> = {}): PartStatus => ({
    part: 'admin',
    state: 'todo',
    details: [{ key, vars: { user, ...vars } }],
  });
  if (!observed.entra) return todo('adminNoEntra');
  if (!observed.entra.accountEnabled) return todo('adminDisabled');
  if (!observed.entra.salesLicensed) return todo('adminNoLicence');
  const sales = observed.salesUser;
  if (!sales) return todo('adminNotSalesUser');
  if (sales.isdisabled) return todo('adminSalesUserDisabled');
  const missing = missingAdminRoles(sales.roles, observed.environmentRoles);
  if (missing.length > 0) return { part: 'admin', state: 'todo', details: [{ key: 'adminMissingRoles', vars: { user, roles: { keys: missing } } }] };
  const held = sales.roles.map((r) => r.name).sort().join(', ');
  return { part: 'admin', state: 'done', details: [{ key: 'adminDone', vars: { user, roles: held } }] };
}

/**
 * What the admin still lacks: a role by the environment's own name for it when the environment's
 * roles were read (its names are in its base language), else by the catalogue's name (Microsoft's
 * name in the reader's language); the non-admin role is described, not named.
 */
export function missingAdminRoles(roles: RoleRef[], environmentRoles: RoleRef[] = []): KeyList['keys'] {
  const missing: KeyList['keys'] = [];
  const named = (is: (role: RoleRef) => boolean, key: StringKey) => {
    const own = environmentRoles.find(is)?.name.trim();
    missing.push(own ? { name: own } : key);
  };
  if (!roles.some(isSystemAdministrator)) named(isSystemAdministrator, 'roleSystemAdministrator');
  if (!roles.some(isSystemCustomizer)) named(isSystemCustomizer, 'roleSystemCustomizer');
  if (!roles.some(isNonAdministrative)) missing.push('roleNonAdministrative');
  return missing;
}

/** By the role's id (BC's `IntegrationRoleIdTxt`), in any business unit: its name is in the base language. */
const holdsIntegrationRole = (user: ObservedSalesUser) => user.roles.some(isIntegrationRole);

export function integrationStatus(observed: ObservedIntegration): PartStatus {
  const apps = observed.applicationUsers;
  if (apps.length > 1) {
    return { part: 'integration', state: 'todo', details: [{ key: 'integrationSeveralAppUsers', vars: { count: apps.length } }] };
  }
  if (apps.length === 1) {
    const app = apps[0];
    const problems: StringKey[] = [];
    if (app.isdisabled) problems.push('problemDisabled');
    if (!holdsIntegrationRole(app)) problems.push('problemNoIntegrationRole');
    if (app.roles.some(isSystemAdministrator)) problems.push('problemSystemAdministrator');
    if (problems.length === 0) {
      return { part: 'integration', state: 'done', details: [{ key: 'integrationAppUserDone', vars: { name: app.fullname } }] };
    }
    return {
      part: 'integration',
      state: 'todo',
      details: [{ key: 'integrationAppUserProblems', vars: { name: app.fullname, problems: { keys: problems } } }],
    };
  }
  const dedicated = observed.nonInteractiveUsers.find((u) => !u.isdisabled && u.islicensed && !u.roles.some(isSystemAdministrator));
  if (dedicated) {
    return { part: 'integration', state: 'done', details: [{ key: 'integrationDedicatedDone', vars: { user: dedicated.domainname } }] };
  }
  return { part: 'integration', state: 'todo', details: [{ key: 'integrationNone' }] };
}

export function salespeopleStatus(observed: ObservedSalespeople): PartStatus {
  const details: PartStatus['details'] = [];
  let state: PartState;
  if (observed.active === 0) {
    state = 'done';
    details.push({ key: 'salespeopleNone' });
  } else if (observed.ready >= observed.active) {
    state = 'done';
    details.push({ key: 'salespeopleDone', vars: { total: observed.active } });
  } else {
    state = 'todo';
    details.push({
      key: 'salespeopleTodo',
      vars: { ready: observed.ready, total: observed.active, missing: observed.active - observed.ready },
    });
  }
  if (observed.blocked > 0) details.push({ key: 'salespeopleBlocked', vars: { count: observed.blocked } });
  if (observed.couplings && observed.active > 0) {
    details.push('seen' in observed.couplings
      ? { key: 'cpCouplingsObserved', vars: { count: observed.couplings.seen, total: observed.active } }
      : { key: 'cpCouplingsUnobservable', vars: { count: observed.couplings.predicted, total: observed.active } });
  }
  return { part: 'salespeople', state, details };
}

export function unknownStatus(part: PartStatus['part'], reason: string | InEachLanguage): PartStatus {
  return { part, state: 'unknown', details: [{ key: 'checkFailed', vars: { reason } }] };
}

/** The welcome card's content: labels of what was checked, and the three parts. */
export interface Overview {
  tenant: string;
  salesEnvironment: string;
  businessCentral: string;
  parts: PartStatus[];
  checkedAt: string;
}
