import type { StringKey } from '../i18n';
import { skuDisplayName } from './skuNames';
import { actionKey, groupMemberAction, type Action, type EnvironmentSecurityGroup, type PlanEnvironment } from './plan';
import { isCopyOf, KNOWN_ROLE_NAMES, pickableRoles, resolveRole, ROLE_TEMPLATES, rootRoleId, type RoleRef } from './roles';

/**
 * Part 1 of the procedure, pure: (what the procedure wants for the admin, what the tenant has)
 * → the actions that are missing, or a refusal that says why nothing can be planned.
 */

export interface SkuInfo {
  skuId: string;
  skuPartNumber: string;
  salesCapable: boolean;
  freeSeats: number;
  /** It brings Microsoft Entra ID P1 or P2 (service plan AAD_PREMIUM or AAD_PREMIUM_P2): group-based licensing can be used. */
  entraPremium?: boolean;
}

export interface EnvironmentRole extends RoleRef {
  businessUnitId: string;
}

export interface AdminObservation {
  entra: {
    id: string;
    userPrincipalName: string;
    displayName: string;
    accountEnabled: boolean;
    usageLocation?: string | null;
    salesLicensed: boolean;
  } | null;
  skus: SkuInfo[];
  salesUser: { systemuserid: string; businessUnitId: string; isdisabled: boolean; roles: RoleRef[] } | null;
  roles: EnvironmentRole[];
  rootBusinessUnitId: string;
  /** The environment's security group (absent or null: it has none, everyone licensed is admitted). */
  securityGroup?: EnvironmentSecurityGroup | null;
}

export interface AdminDesired {
  userPrincipalName: string;
  /** Root-business-unit role ids of the chosen non-administrative roles. */
  nonAdminRoleIds: string[];
}

export interface Refusal {
  key: StringKey;
  vars?: Record<string, string | number>;
}

export type PlanResult = { ok: true; actions: Action[] } | { ok: false; refusal: Refusal };

/** The licence the procedure names first, then other Sales-capable ones. */
const SKU_PREFERENCE = ['DYN365_ENTERPRISE_PLAN1', 'DYN365_ENTERPRISE_SALES', 'DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE'];

export function chooseSalesSku(skus: SkuInfo[], needed = 1): SkuInfo | undefined {
  const rank = (sku: SkuInfo) => {
    const index = SKU_PREFERENCE.indexOf(sku.skuPartNumber);
    return index < 0 ? SKU_PREFERENCE.length : index;
  };
  return skus
    .filter((sku) => sku.salesCapable && sku.freeSeats >= needed)
    .sort((a, b) => rank(a) - rank(b) || b.freeSeats - a.freeSeats)[0];
}

/** Roles offered as the non-administrative choice: one per root role (not Business Central's own), sorted by name. */
export function nonAdminChoices(observation: Pick<AdminObservation, 'roles' | 'rootBusinessUnitId'>): EnvironmentRole[] {
  return pickableRoles(observation.roles, observation.rootBusinessUnitId);
}

/** Does the user hold the role whose root copy is `root` (any business unit's copy of it)? */
function holds(held: RoleRef[], roles: EnvironmentRole[], root: EnvironmentRole): boolean {
  return held.some((h) => {
    if (isCopyOf(h, root.roleid)) return true;
    const known = roles.find((r) => r.roleid === h.roleid);
    if (known) return rootRoleId(known) === root.roleid;
    return !!root.roletemplateid && h.roletemplateid === root.roletemplateid;
  });
}

export function planAdmin(desired: AdminDesired, observed: AdminObservation, environment: PlanEnvironment): PlanResult {
  const upn = desired.userPrincipalName;
  const entra = observed.entra;
  if (!entra) return { ok: false, refusal: { key: 'refuseNoEntraUser', vars: { user: upn } } };
  if (!entra.accountEnabled) return { ok: false, refusal: { key: 'refuseEntraDisabled', vars: { user: upn } } };
  if (desired.nonAdminRoleIds.length === 0) return { ok: false, refusal: { key: 'refuseNonAdminRoleRequired' } };

  const { roles, rootBusinessUnitId } = observed;
  const wanted: EnvironmentRole[] = [];
  for (const kind of ['systemAdministrator', 'systemCustomizer'] as const) {
    const role = resolveRole(kind, roles, rootBusinessUnitId)?.role;
    if (!role) {
      const names = KNOWN_ROLE_NAMES[kind];
      return { ok: false, refusal: { key: 'refuseRoleMissingInEnvironment', vars: { role: names[0], template: ROLE_TEMPLATES[kind], names: names.join(' / ') } } };
    }
    wanted.push(role);
  }
  const choices = nonAdminChoices(observed);
  for (const id of desired.nonAdminRoleIds) {
    const role = choices.find((r) => r.roleid === id);
    if (!role) return { ok: false, refusal: { key: 'refuseUnknownRole', vars: { role: id } } };
    wanted.push(role);
  }

  const target = { userId: entra.id, userPrincipalName: entra.userPrincipalName, displayName: entra.displayName };
  const actions: Action[] = [];
  if (!entra.salesLicensed) {
    if (!entra.usageLocation) return { ok: false, refusal: { key: 'refuseNoUsageLocation', vars: { user: upn } } };
    const sku = chooseSalesSku(observed.skus);
    if (!sku) {
      const names = observed.skus.filter((s) => s.salesCapable).map((s) => `${skuDisplayName(s)} (${s.freeSeats})`);
      return { ok: false, refusal: { key: 'refuseNoFreeSeats', vars: { skus: names.join(', ') || '—' } } };
    }
    actions.push({
      key: actionKey.assignLicense(entra.id, sku.skuId),
      type: 'assignLicense',
      target,
      params: { skuId: sku.skuId, skuPartNumber: sku.skuPartNumber },
    });
  }
  // Only members of the environment's security group are admitted: a non-member's Sales user is
  // disabled, and joining the group comes before adding the user to the environment.
  const joins = groupMemberAction(observed.securityGroup, target);
  if (joins) actions.push(joins);
  const sales = observed.salesUser;
  if (sales?.isdisabled && entra.salesLicensed && !joins) {
    return { ok: false, refusal: { key: 'refuseSalesUserDisabled', vars: { user: upn } } };
  }
  if (!sales || sales.isdisabled) {
    actions.push({
      key: actionKey.addUserToEnvironment(entra.id, environment.bapEnvironmentId),
      type: 'addUserToEnvironment',
      target,
      params: { bapEnvironmentId: environment.bapEnvironmentId },
    });
  }
  const held = sales?.roles ?? [];
  for (const role of wanted) {
    if (holds(held, roles, role)) continue;
    actions.push({
      key: actionKey.assignRole(entra.id, role.roleid),
      type: 'assignRole',
      target,
      params: { roleId: role.roleid, roleName: role.name, roleTemplateId: role.roletemplateid ?? null },
    });
  }
  return { ok: true, actions };
}
