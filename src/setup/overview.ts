import type { StringKey } from '../i18n';
import { isIntegrationRole, isNonAdministrative, isSystemAdministrator, isSystemCustomizer, type RoleRef } from './roles';

/**
 * Where the three parts of the procedure stand, as a pure function of what was observed in the
 * tenant. The observation itself (Graph, Dataverse, BC reads) lives in provisioning/observe.ts.
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
}

export type PartState = 'done' | 'todo' | 'unknown';

/** A value that is itself a list of strings to translate and join. */
export interface KeyList {
  keys: StringKey[];
}
export interface Detail {
  key: StringKey;
  vars?: Record<string, string | number | KeyList>;
}

export interface PartStatus {
  part: 'admin' | 'integration' | 'salespeople';
  state: PartState;
  /** Lines of explanation: a string key with its values. */
  details: Detail[];
}

/** A part whose observation failed carries the reason instead of data. */
export type Observation<T> = { ok: true; value: T } | { ok: false; reason: string };

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
  const missing = missingAdminRoles(sales.roles);
  if (missing.length > 0) return todo('adminMissingRoles', { roles: missing.join(', ') });
  const held = sales.roles.map((r) => r.name).sort().join(', ');
  return { part: 'admin', state: 'done', details: [{ key: 'adminDone', vars: { user, roles: held } }] };
}

/** The names of what the admin still lacks; the non-admin role is described, not named. */
export function missingAdminRoles(roles: RoleRef[]): string[] {
  const missing: string[] = [];
  if (!roles.some(isSystemAdministrator)) missing.push('System Administrator');
  if (!roles.some(isSystemCustomizer)) missing.push('System Customizer');
  if (!roles.some(isNonAdministrative)) missing.push('a non-administrative role');
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
  return { part: 'salespeople', state, details };
}

export function unknownStatus(part: PartStatus['part'], reason: string): PartStatus {
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
