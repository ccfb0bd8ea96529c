import type { StringKey } from '../i18n';
import { skuDisplayName } from './skuNames';
import type { SkuInfo } from './adminPlanner';
import { chooseSalesSku } from './adminPlanner';
import type { ImportedUser } from './csvImport';
import { splitName } from './csvExport';
import { actionKey, groupMemberAction, type Action, type EnvironmentSecurityGroup, type PlanEnvironment, type UserTarget } from './plan';
import type { SalespersonRow } from './salespeopleMatch';
import { groupLicensingAvailability, mailNicknameFor, type GroupLicensingFacts, type LicensingNote, type ObservedLicenceGroup } from './groupLicensing';

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
  /**
   * How licences are given: `group` licenses and admits everyone through one group (group-based
   * licensing); `perUser` (the default) one licence per person. `facts`: what group mode needs to know.
   */
  licensing?: { mode: 'group' | 'perUser'; facts?: GroupLicensingFacts };
}

export interface Refusal {
  key: StringKey;
  vars?: Record<string, string | number>;
}

export type SalespeoplePlanResult = { ok: true; actions: Action[]; licensing?: LicensingNote } | { ok: false; refusal: Refusal };

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
          // The salesperson's e-mail as mail: Match-Based Coupling matches it through the Sales user's primary e-mail.
          mail: row.email,
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
  const available = groupLicensingAvailability(context.licensing?.facts);
  if (context.licensing?.mode === 'group') {
    if (!available.ok) return { ok: false, refusal: available.refusal.key === 'glNoEntraP1' ? { key: 'glRefuseNoEntraP1' } : available.refusal };
    return groupActions(all, context, available.group, context.licensing.facts!);
  }
  const result = perUserActions(all, context);
  if (!result.ok || !result.actions.some((a) => a.type === 'assignLicense')) return result;
  const why = available.ok ? { key: 'glWhyChosen' as const } : available.refusal.key === 'glNoEntraP1' || available.refusal.key === 'glNoFacts' ? { key: 'glNoEntraP1' as const } : available.refusal;
  return context.licensing ? { ...result, licensing: { mode: 'perUser', why } } : result;
}

function seatsRefusal(context: SalespeoplePlanContext, needed: number): Refusal {
  const capable = context.skus.filter((s) => s.salesCapable).sort((a, b) => b.freeSeats - a.freeSeats);
  const best = capable[0];
  if (!best) return { key: 'spRefuseNoSku' };
  return { key: 'spRefuseSeats', vars: { needed, sku: skuDisplayName(best), free: best.freeSeats, missing: needed - best.freeSeats } };
}

/**
 * Through a group: the group created (or the one found by name), given the Sales licence unless
 * it holds one, made a member of the environment's security group when it has one; each person
 * who needs a licence or admission joins the group. Accounts, Sales users, roles and couplings as
 * per user. Seats are checked against the group's future size: its members and the joiners that
 * do not hold the licence yet.
 */
function groupActions(all: Needs[], context: SalespeoplePlanContext, group: ObservedLicenceGroup | null, facts: GroupLicensingFacts): SalespeoplePlanResult {
  const role = context.salespersonRole;
  const { securityGroup } = context;
  const name = group?.displayName ?? facts.name;
  const groupTarget: UserTarget = { userPrincipalName: name, displayName: name, ...(group ? { userId: group.id } : {}) };
  const ref = group?.id ?? name;
  const members = new Set(group?.memberIds ?? []);
  const joinsFor = (n: Needs) => n.licence || !!groupMemberAction(securityGroup, n.target);
  const held = group ? context.skus.find((s) => s.salesCapable && group.skuIds.includes(s.skuId.toLowerCase())) : undefined;
  const needing = all.filter((n) => n.licence && joinsFor(n)).length;
  // A group not yet holding the licence gives it to its present members too.
  const needed = needing + (held ? 0 : members.size);
  const best = context.skus.filter((s) => s.salesCapable).sort((a, b) => b.freeSeats - a.freeSeats)[0];
  const sku = held ?? chooseSalesSku(context.skus, needed) ?? best;
  if (!sku) return { ok: false, refusal: { key: 'spRefuseNoSku' } };
  if (sku.freeSeats < needed) {
    return { ok: false, refusal: { key: 'glRefuseSeats', vars: { group: name, members: needed, sku: skuDisplayName(sku), free: sku.freeSeats, missing: needed - sku.freeSeats } } };
  }
  const actions: Action[] = [];
  if (!group) {
    actions.push({
      key: actionKey.createGroup(name),
      type: 'createGroup',
      target: groupTarget,
      params: { displayName: name, mailNickname: mailNicknameFor(name), description: 'Dynamics 365 Sales licence and access for the salespeople of Business Central' },
    });
  }
  if (!held) {
    actions.push({
      key: actionKey.assignGroupLicense(ref, sku.skuId),
      type: 'assignGroupLicense',
      target: groupTarget,
      params: { groupName: name, ...(group ? { groupId: group.id } : {}), skuId: sku.skuId, skuPartNumber: sku.skuPartNumber, members: needed },
    });
  }
  if (securityGroup && (!group || group.admits === 'no') && securityGroup.id.toLowerCase() !== group?.id.toLowerCase()) {
    actions.push({
      key: actionKey.nestGroup(ref, securityGroup.id),
      type: 'nestGroup',
      target: groupTarget,
      params: { groupName: name, ...(group ? { groupId: group.id } : {}), parentGroupId: securityGroup.id, parentGroupName: securityGroup.displayName },
    });
  }
  for (const n of all) {
    const user = n.target.userId ?? n.target.userPrincipalName;
    if (n.create) actions.push({ key: actionKey.createUser(n.target.userPrincipalName), type: 'createUser', target: n.target, params: n.create });
    if (joinsFor(n)) {
      actions.push({
        key: actionKey.joinLicenceGroup(ref, user),
        type: 'joinLicenceGroup',
        target: n.target,
        params: { groupName: name, ...(group ? { groupId: group.id } : {}), skuId: sku.skuId, skuPartNumber: sku.skuPartNumber },
      });
    }
    pushSalesSteps(actions, n, context, role);
  }
  if (!actions.some((a) => a.target !== groupTarget)) return { ok: false, refusal: { key: 'spRefuseNothingToDo' } };
  return { ok: true, actions, licensing: { mode: 'group', why: { key: 'glModeGroup', vars: { group: name, premium: facts.entraPremium ?? '' } } } };
}

/** The Sales user, the role and the coupling: the same in both licensing modes. */
function pushSalesSteps(actions: Action[], n: Needs, context: SalespeoplePlanContext, role: SalespeoplePlanContext['salespersonRole']): void {
  const user = n.target.userId ?? n.target.userPrincipalName;
  const { environment } = context;
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

function perUserActions(all: Needs[], context: SalespeoplePlanContext): SalespeoplePlanResult {
  const role = context.salespersonRole;
  const needed = all.filter((n) => n.licence).length;
  const sku = needed > 0 ? chooseSalesSku(context.skus, needed) : undefined;
  if (needed > 0 && !sku) return { ok: false, refusal: seatsRefusal(context, needed) };
  const actions: Action[] = [];
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
    pushSalesSteps(actions, n, context, role);
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
