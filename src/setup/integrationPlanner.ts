import type { StringKey } from '../i18n';
import { skuDisplayName } from './skuNames';
import { chooseSalesSku, type EnvironmentRole, type PlanResult, type SkuInfo } from './adminPlanner';
import { actionKey, groupMemberAction, type Action, type EnvironmentSecurityGroup, type PlanEnvironment } from './plan';
import { BC_INTEGRATION_ROLE_ID, isIntegrationRole, isSystemAdministrator, rootRoleId, type RoleRef } from './roles';

/**
 * Part 2 of the procedure, pure: the integration account. BC online uses an application user that
 * BC's setup creates; on-premises and legacy setups use a dedicated, licensed user that is made
 * non-interactive after the connection exists. The checks are Business Central's own (codeunit
 * 7201 "CDS Integration Impl.").
 */

export const ACCESS_MODE = { readWrite: 0, nonInteractive: 4 } as const;

export type IntegrationPath = 'application' | 'dedicated';

export interface SalesUserFacts {
  systemuserid: string;
  fullname: string;
  businessUnitId: string;
  isdisabled: boolean;
  islicensed: boolean;
  accessmode: number;
  roles: RoleRef[];
}

export interface ApplicationUserObservation {
  users: SalesUserFacts[];
  /** Every business unit's copy of the BC integration role (root role id `BC_INTEGRATION_ROLE_ID`). */
  integrationRoles: EnvironmentRole[];
}

export interface Rule {
  key: StringKey;
  pass: boolean;
  vars?: Record<string, string | number>;
  /** How a failing rule is fixed: by a plan action, or by the admin elsewhere. */
  fix?: 'plan' | 'businessCentral' | 'powerPlatform';
}

export const recommendedPath = (deployment: 'online' | 'onpremises'): IntegrationPath =>
  deployment === 'online' ? 'application' : 'dedicated';

/** Business Central identifies its integration role by the root copy's id, in every business unit. */
const holdsIntegrationRole = (roles: RoleRef[]) => roles.some(isIntegrationRole);

export function checkApplicationUser(observed: ApplicationUserObservation): Rule[] {
  const { users } = observed;
  const rules: Rule[] = [
    { key: 'ruleAppUserExists', pass: users.length > 0, fix: 'businessCentral' },
    { key: 'ruleAppUserUnique', pass: users.length <= 1, vars: { count: users.length }, fix: 'powerPlatform' },
  ];
  if (users.length !== 1) return rules;
  const [user] = users;
  rules.push(
    { key: 'ruleEnabled', pass: !user.isdisabled, fix: 'powerPlatform' },
    { key: 'ruleHasIntegrationRole', pass: holdsIntegrationRole(user.roles), fix: 'plan' },
    { key: 'ruleNotSystemAdministrator', pass: !user.roles.some(isSystemAdministrator), fix: 'plan' },
  );
  return rules;
}

/** What the API can fix for the application user: the integration role, and System Administrator taken away. */
export function planApplicationFixes(observed: ApplicationUserObservation): Action[] {
  if (observed.users.length !== 1 || observed.users[0].isdisabled) return [];
  const [user] = observed.users;
  const target = { systemUserId: user.systemuserid, userPrincipalName: user.fullname };
  const actions: Action[] = [];
  if (!holdsIntegrationRole(user.roles)) {
    const copies = observed.integrationRoles.filter(isIntegrationRole);
    const copy = copies.find((r) => r.businessUnitId === user.businessUnitId) ?? copies.find((r) => r.roleid === BC_INTEGRATION_ROLE_ID) ?? copies[0];
    if (copy) {
      const root = rootRoleId(copy);
      actions.push({
        key: actionKey.assignRole(user.systemuserid, root),
        type: 'assignRole',
        target,
        params: { roleId: root, roleName: copy.name, roleTemplateId: copy.roletemplateid ?? null },
      });
    }
  }
  for (const role of user.roles.filter(isSystemAdministrator)) {
    actions.push({
      key: actionKey.removeRole(user.systemuserid, role.roleid),
      type: 'removeRole',
      target,
      params: { roleId: role.roleid, roleName: role.name, roleTemplateId: role.roletemplateid ?? null },
    });
  }
  return actions;
}

export interface DedicatedObservation {
  entra: { id: string; userPrincipalName: string; displayName: string; accountEnabled: boolean; salesLicensed: boolean } | null;
  salesUser: SalesUserFacts | null;
  skus: SkuInfo[];
  /** Enabled non-interactive people users in the environment, this user not counted. */
  otherNonInteractive: number;
  /**
   * The environment's limit on non-interactive users (RetrieveOrganizationResources'
   * MaxNumberOfNonInteractiveUsers); `published: false` when it did not say and the usual 7 is assumed.
   */
  nonInteractiveLimit: { limit: number; published: boolean };
  verifiedDomains: string[];
  /** The environment's security group (absent or null: it has none). */
  securityGroup?: EnvironmentSecurityGroup | null;
}

export interface DedicatedDesired {
  userPrincipalName: string;
  displayName: string;
  usageLocation: string;
  skuId: string;
}

const sameUpn = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The refusals every dedicated-user plan shares (also checked before setting the access mode). */
function refusal(upn: string, observed: DedicatedObservation, adminUpns: string[]): PlanResult | undefined {
  if (adminUpns.some((admin) => sameUpn(admin, upn))) return { ok: false, refusal: { key: 'refuseIsAdminAccount', vars: { user: upn } } };
  if (observed.entra && !observed.entra.accountEnabled) return { ok: false, refusal: { key: 'refuseUserDisabled', vars: { user: upn } } };
  if (observed.salesUser?.roles.some(isSystemAdministrator)) {
    return { ok: false, refusal: { key: 'refuseHoldsSystemAdministrator', vars: { user: upn } } };
  }
  const { limit, published } = observed.nonInteractiveLimit;
  if (observed.salesUser?.accessmode !== ACCESS_MODE.nonInteractive && observed.otherNonInteractive >= limit) {
    return { ok: false, refusal: { key: published ? 'refuseNonInteractiveLimit' : 'refuseNonInteractiveLimitDefault', vars: { count: observed.otherNonInteractive, limit } } };
  }
  return undefined;
}

export function planDedicatedUser(
  desired: DedicatedDesired,
  observed: DedicatedObservation,
  adminUpns: string[],
  environment: PlanEnvironment,
): PlanResult {
  const upn = desired.userPrincipalName;
  const domain = upn.split('@')[1]?.toLowerCase() ?? '';
  if (!observed.entra && !observed.verifiedDomains.some((d) => d.toLowerCase() === domain)) {
    return { ok: false, refusal: { key: 'refuseDomainNotVerified', vars: { domain } } };
  }
  const refused = refusal(upn, observed, adminUpns);
  if (refused) return refused;

  const target = { userId: observed.entra?.id, userPrincipalName: observed.entra?.userPrincipalName ?? upn, displayName: desired.displayName };
  const key = target.userPrincipalName;
  const actions: Action[] = [];
  if (!observed.entra) {
    actions.push({
      key: actionKey.createUser(upn),
      type: 'createUser',
      target,
      params: { mailNickname: upn.split('@')[0].replace(/[^A-Za-z0-9._-]/g, ''), usageLocation: desired.usageLocation.toUpperCase(), deliverPassword: true },
    });
  }
  if (!observed.entra?.salesLicensed) {
    const sku = observed.skus.find((s) => s.skuId.toLowerCase() === desired.skuId.toLowerCase());
    if (!sku || !sku.salesCapable || sku.freeSeats < 1) {
      const fallback = chooseSalesSku(observed.skus);
      return {
        ok: false,
        refusal: fallback
          ? { key: 'refuseSkuNotAvailable', vars: { sku: sku ? skuDisplayName(sku) : desired.skuId } }
          : { key: 'refuseNoFreeSeats', vars: { skus: observed.skus.filter((s) => s.salesCapable).map((s) => `${skuDisplayName(s)} (${s.freeSeats})`).join(', ') || '—' } },
      };
    }
    actions.push({ key: actionKey.assignLicense(key, sku.skuId), type: 'assignLicense', target, params: { skuId: sku.skuId, skuPartNumber: sku.skuPartNumber } });
  }
  const joins = groupMemberAction(observed.securityGroup, target);
  if (joins) actions.push(joins);
  if (!observed.salesUser || observed.salesUser.isdisabled) {
    actions.push({
      key: actionKey.addUserToEnvironment(key, environment.bapEnvironmentId),
      type: 'addUserToEnvironment',
      target,
      params: { bapEnvironmentId: environment.bapEnvironmentId },
    });
  }
  return { ok: true, actions };
}

/** After the connection exists: make the integration user non-interactive (if it is not yet). */
export function planAccessMode(upn: string, observed: DedicatedObservation, adminUpns: string[]): PlanResult {
  if (!observed.entra || !observed.salesUser) return { ok: false, refusal: { key: 'refuseNotSalesUser', vars: { user: upn } } };
  const refused = refusal(upn, observed, adminUpns);
  if (refused) return refused;
  if (observed.salesUser.accessmode === ACCESS_MODE.nonInteractive) return { ok: true, actions: [] };
  const target = { userId: observed.entra.id, userPrincipalName: observed.entra.userPrincipalName };
  return {
    ok: true,
    actions: [
      {
        key: actionKey.setAccessMode(observed.entra.id, ACCESS_MODE.nonInteractive),
        type: 'setAccessMode',
        target,
        params: { accessMode: ACCESS_MODE.nonInteractive, accessModeName: 'Non-interactive' },
      },
    ],
  };
}

/** Business Central's own checks of an integration user, plus the procedure's. */
export function checkDedicatedUser(upn: string, observed: DedicatedObservation, adminUpns: string[]): Rule[] {
  const sales = observed.salesUser;
  const mode = sales?.accessmode;
  const licensedOk = !!sales && (sales.islicensed || mode === ACCESS_MODE.nonInteractive);
  return [
    { key: 'ruleAccountExists', pass: !!observed.entra && !!sales, vars: { user: upn }, fix: 'plan' },
    { key: 'ruleNotAdminAccount', pass: !adminUpns.some((a) => sameUpn(a, upn)) },
    { key: 'ruleEnabled', pass: !!observed.entra?.accountEnabled && !!sales && !sales.isdisabled, fix: 'powerPlatform' },
    { key: 'ruleLicensed', pass: licensedOk, fix: 'plan' },
    { key: 'ruleAccessModeAllowed', pass: mode === ACCESS_MODE.readWrite || mode === ACCESS_MODE.nonInteractive },
    { key: 'ruleNotSystemAdministrator', pass: !!sales && !sales.roles.some(isSystemAdministrator), fix: 'powerPlatform' },
    { key: 'ruleNonInteractive', pass: mode === ACCESS_MODE.nonInteractive, fix: 'plan' },
  ];
}
