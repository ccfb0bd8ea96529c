import type { StringKey } from '../i18n';
import type { SkuInfo } from './adminPlanner';
import { chooseSalesSku } from './adminPlanner';
import type { ImportedUser } from './csvImport';
import { splitName } from './csvExport';
import { actionKey, groupMemberAction, type Action, type EnvironmentSecurityGroup, type PlanEnvironment, type UserTarget } from './plan';
import type { SalespersonRow } from './salespeopleMatch';

/**
 * Part 3, pure: the selected salespeople (or the users of an imported file) → the actions that
 * get each of them an account, a Sales licence, a Sales user and the Salesperson role, and a
 * coupling in Business Central. Refuses up front when licences are short.
 */

export interface SalespeoplePlanContext {
  environment: PlanEnvironment;
  skus: SkuInfo[];
  /** The root business unit's Salesperson role; the runner assigns the copy in each user's unit. */
  salespersonRole?: { roleid: string; name: string; roletemplateid?: string | null };
  /** ISO 3166 alpha-2 for accounts that have no usage location. */
  usageLocation: string;
  /** Set when couplings are made through the coupling endpoint. */
  coupling?: { endpoint: string; companyId: string };
  /** The environment's security group (absent or null: it has none). */
  securityGroup?: EnvironmentSecurityGroup | null;
}

export interface Refusal {
  key: StringKey;
  vars?: Record<string, string | number>;
}

export type SalespeoplePlanResult = { ok: true; actions: Action[] } | { ok: false; refusal: Refusal };

/** Account steps in the order the runner applies them. */
interface Needs {
  target: UserTarget;
  create?: Extract<Action, { type: 'createUser' }>['params'];
  licence: boolean;
  /** Usage location to set before the licence (the account has none). */
  usageLocation?: string;
  environment: boolean;
  role: boolean;
  couple?: { salespersonId: string; salespersonCode: string };
}

function needsFor(row: SalespersonRow, context: SalespeoplePlanContext): Needs | undefined {
  const couple = context.coupling ? { salespersonId: row.id, salespersonCode: row.code } : undefined;
  switch (row.status) {
    case 'noAccount': {
      const { first, last } = splitName(row.displayName);
      return {
        target: { userPrincipalName: row.email, displayName: row.displayName || row.email },
        create: {
          mailNickname: row.email.split('@')[0],
          usageLocation: context.usageLocation,
          givenName: first || undefined,
          surname: last || undefined,
          jobTitle: row.jobTitle || undefined,
          profile: row.phoneNo ? { businessPhones: [row.phoneNo] } : undefined,
          deliverPassword: false,
        },
        licence: true,
        environment: true,
        role: true,
        couple,
      };
    }
    case 'unlicensed':
    case 'notInSales':
    case 'noRole':
    case 'ready': {
      const entra = row.entra!;
      const licence = row.status === 'unlicensed';
      return {
        target: { userId: entra.id, userPrincipalName: entra.userPrincipalName, displayName: row.displayName },
        licence,
        usageLocation: licence && !entra.usageLocation ? context.usageLocation : undefined,
        environment: licence || row.status === 'notInSales',
        role: row.status !== 'ready',
        couple,
      };
    }
    default:
      return undefined;
  }
}

function importedNeeds(user: ImportedUser): Needs {
  const { line: _line, userPrincipalName, displayName, givenName, surname, jobTitle, department, usageLocation, ...profile } = user;
  return {
    target: { userPrincipalName, displayName },
    create: { mailNickname: userPrincipalName.split('@')[0], usageLocation, givenName, surname, jobTitle, department, profile, deliverPassword: false },
    licence: true,
    environment: true,
    role: true,
  };
}

function toActions(all: Needs[], context: SalespeoplePlanContext): SalespeoplePlanResult {
  if (all.length === 0) return { ok: false, refusal: { key: 'spRefuseNothingSelected' } };
  const role = context.salespersonRole;
  if (!role && all.some((n) => n.role)) return { ok: false, refusal: { key: 'spRefuseNoRole' } };
  const needed = all.filter((n) => n.licence).length;
  const sku = needed > 0 ? chooseSalesSku(context.skus, needed) : undefined;
  if (needed > 0 && !sku) {
    const capable = context.skus.filter((s) => s.salesCapable).sort((a, b) => b.freeSeats - a.freeSeats);
    const best = capable[0];
    if (!best) return { ok: false, refusal: { key: 'spRefuseNoSku' } };
    return { ok: false, refusal: { key: 'spRefuseSeats', vars: { needed, sku: best.skuPartNumber, free: best.freeSeats, missing: needed - best.freeSeats } } };
  }
  const actions: Action[] = [];
  const { environment } = context;
  for (const n of all) {
    const user = n.target.userId ?? n.target.userPrincipalName;
    if (n.create) actions.push({ key: actionKey.createUser(n.target.userPrincipalName), type: 'createUser', target: n.target, params: n.create });
    if (n.licence && sku) {
      actions.push({
        key: actionKey.assignLicense(user, sku.skuId),
        type: 'assignLicense',
        target: n.target,
        params: { skuId: sku.skuId, skuPartNumber: sku.skuPartNumber, ...(n.usageLocation ? { usageLocation: n.usageLocation } : {}) },
      });
    }
    const joins = groupMemberAction(context.securityGroup, n.target);
    if (joins) actions.push(joins);
    if (n.environment) {
      actions.push({
        key: actionKey.addUserToEnvironment(user, environment.bapEnvironmentId),
        type: 'addUserToEnvironment',
        target: n.target,
        params: { bapEnvironmentId: environment.bapEnvironmentId },
      });
    }
    if (n.role && role) {
      actions.push({
        key: actionKey.assignRole(user, role.roleid),
        type: 'assignRole',
        target: n.target,
        params: { roleId: role.roleid, roleName: role.name, roleTemplateId: role.roletemplateid ?? null },
      });
    }
    if (n.couple && context.coupling) {
      actions.push({
        key: actionKey.coupleSalesperson(n.couple.salespersonId),
        type: 'coupleSalesperson',
        target: n.target,
        params: { endpoint: context.coupling.endpoint, companyId: context.coupling.companyId, ...n.couple },
      });
    }
  }
  if (actions.length === 0) return { ok: false, refusal: { key: 'spRefuseNothingToDo' } };
  return { ok: true, actions };
}

/** The plan for the selected salespeople (rows that cannot be planned are passed over). */
export function planSalespeople(selected: SalespersonRow[], context: SalespeoplePlanContext): SalespeoplePlanResult {
  const needs = selected.map((row) => (row.issue ? undefined : needsFor(row, context))).filter((n): n is Needs => !!n);
  if (selected.length > 0 && needs.length === 0) return { ok: false, refusal: { key: 'spRefuseNothingToDo' } };
  return toActions(needs, context);
}

/** The plan for the users of a checked import file: each gets everything a salesperson needs. */
export function planImportedUsers(users: ImportedUser[], context: SalespeoplePlanContext): SalespeoplePlanResult {
  return toActions(users.map(importedNeeds), { ...context, coupling: undefined });
}
