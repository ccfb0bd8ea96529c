import type { StringKey } from '../i18n';
import { missingAdminRoles, type Detail } from './overview';
import { actionKey, type Action } from './plan';
import { isIntegrationRole, isNonAdministrative, isSystemAdministrator, isSystemCustomizer, rootRoleId, type RoleRef } from './roles';
import type { SalespersonStatus } from './salespeopleMatch';

/**
 * The integration's health check, pure: one row per check Business Central makes (codeunit 7201
 * "CDS Integration Impl.") or documents as a cause of failure, each from plain observed data. A
 * failing row carries its fix: a plan the bot can make (approved like any other plan), the Part
 * that makes it, or an instruction with the page to open. Rows are in priority order.
 *
 * `findings` are stable strings naming each problem found ("noAccount:KH"): a later report that has
 * a finding an earlier one lacked is worse, whatever the wording of its details.
 */

export const HEALTH_CHECKS = [
  'adminRoles',
  'integrationUser',
  'salespeople',
  'securityGroup',
  'nonInteractiveLimit',
  'integrationRole',
  'currency',
  'administrationMode',
  'owningTeam',
] as const;
export type HealthCheckId = (typeof HEALTH_CHECKS)[number];

export type HealthState = 'pass' | 'fail' | 'unknown';

/** Where the instruction sends the admin. */
export type HealthPlace =
  | { kind: 'businessCentral'; page: number }
  | { kind: 'powerPlatform' };

export type CheckFix =
  /** The bot plans the fix (verb `health.fix`), approved like every other plan. */
  | { kind: 'plan' }
  /** The fix is a Part of the setup: its card plans it (`setup.goto`). */
  | { kind: 'part'; part: 'admin' | 'integration' | 'salespeople' }
  /** Only a person can fix it, there. */
  | { kind: 'instruction'; key: StringKey; vars?: Record<string, string | number>; place: HealthPlace };

export interface CheckRow {
  check: HealthCheckId;
  state: HealthState;
  details: Detail[];
  fix?: CheckFix;
  findings: string[];
  /** Counts the row is about (salespeople per status, non-interactive users, …). */
  counts?: Record<string, number>;
}

// ---------------------------------------------------------------------------------- observations

export interface HealthSalesUser {
  systemuserid: string;
  name: string;
  businessUnitId: string;
  isdisabled: boolean;
  islicensed: boolean;
  accessmode: number;
  roles: RoleRef[];
}

/** 1. The admin running BC's setup (CheckAdminUserPrerequisites). */
export interface AdminHealthFacts {
  upn: string;
  /** null: no Entra account, or not a Sales user. */
  salesUser: HealthSalesUser | null;
  environmentRoles: RoleRef[];
}

/** 2. BC online's application user(s) by BC's client id, or else the dedicated non-interactive users. */
export interface IntegrationHealthFacts {
  path: 'application' | 'dedicated';
  users: HealthSalesUser[];
}

export interface SalespeopleHealthFacts {
  rows: { code: string; displayName: string; status: SalespersonStatus }[];
  /** Couplings can be observed (a coupling endpoint); without one "coupled" is unknown. */
  couplingsObservable: boolean;
  /** Seen through the coupling endpoint, or (without one) how many BC's Match-Based Coupling would make. */
  couplings?: { seen: number } | { predicted: number };
}

export interface SecurityGroupHealthFacts {
  group: { id: string; displayName: string } | null;
  /** Who needs access and is not a member (application users are exempt). */
  needed: { who: 'admin' | 'integration' | 'salesperson'; name: string; userId: string | null; member: boolean }[];
}

export interface NonInteractiveHealthFacts {
  count: number;
  limit: number;
  /** The environment did not publish its limit: 7 assumed. */
  assumed: boolean;
  users: string[];
}

export interface IntegrationRoleHealthFacts {
  businessUnits: { id: string; name: string }[];
  /** Business units holding a copy of BC's integration role. */
  unitsWithRole: string[];
  /** BC's owning teams ("BCI - <business unit>"), each with whether it holds its unit's copy. */
  teams: { teamid: string; name: string; businessUnitId: string; holdsRole: boolean }[];
}

export interface CurrencyHealthFacts {
  /** The BC company's local currency (General Ledger Setup "LCY Code"); null: not set. */
  localCurrency: string | null;
  isoCodes: string[];
}

export interface AdministrationModeHealthFacts {
  /** BAP `properties.states.runtime.id`: Enabled, AdminMode, … */
  runtimeState: string;
}

export interface OwningTeamHealthFacts {
  /** BC's company record's default owning team; null when BC's connection has none yet. */
  team: { teamid: string; name: string } | null;
  coupled: { systemuserid: string; name: string; member: boolean }[];
  couplingsObservable: boolean;
}

/** A check's observation, or why it could not be read (shown as "could not check"). */
export type Observed<T> = { ok: true; value: T } | { ok: false; detail: Detail };

export interface HealthObservation {
  adminRoles: Observed<AdminHealthFacts>;
  integrationUser: Observed<IntegrationHealthFacts>;
  salespeople: Observed<SalespeopleHealthFacts>;
  securityGroup: Observed<SecurityGroupHealthFacts>;
  nonInteractiveLimit: Observed<NonInteractiveHealthFacts>;
  integrationRole: Observed<IntegrationRoleHealthFacts>;
  currency: Observed<CurrencyHealthFacts>;
  administrationMode: Observed<AdministrationModeHealthFacts>;
  owningTeam: Observed<OwningTeamHealthFacts>;
}

// -------------------------------------------------------------------------------------- checks

const pass = (check: HealthCheckId, details: Detail[], extra: Partial<CheckRow> = {}): CheckRow => ({ check, state: 'pass', details, findings: [], ...extra });
const fail = (check: HealthCheckId, details: Detail[], findings: string[], fix?: CheckFix, extra: Partial<CheckRow> = {}): CheckRow => ({
  check,
  state: 'fail',
  details,
  findings,
  ...(fix ? { fix } : {}),
  ...extra,
});

export function unknownRow(check: HealthCheckId, detail: Detail): CheckRow {
  return { check, state: 'unknown', details: [detail], findings: [] };
}

/** BC: System Administrator and System Customizer by template id; the procedure: at least one non-administrative role. */
export function adminRolesRow(facts: AdminHealthFacts): CheckRow {
  const user = facts.upn;
  if (!facts.salesUser) return fail('adminRoles', [{ key: 'healthAdminNotSalesUser', vars: { user } }], ['notSalesUser'], { kind: 'part', part: 'admin' });
  if (facts.salesUser.isdisabled) return fail('adminRoles', [{ key: 'healthAdminDisabled', vars: { user } }], ['disabled'], { kind: 'part', part: 'admin' });
  // BC: "The user's access mode is not Non-Interactive, but the user is not a licensed user." Part 1 plans the licence.
  if (!facts.salesUser.islicensed) return fail('adminRoles', [{ key: 'healthAdminUnlicensed', vars: { user } }], ['unlicensed'], { kind: 'plan' });
  const missing = missingAdminRoles(facts.salesUser.roles, facts.environmentRoles);
  if (missing.length > 0) {
    const findings = [
      ...(facts.salesUser.roles.some(isSystemAdministrator) ? [] : ['systemAdministrator']),
      ...(facts.salesUser.roles.some(isSystemCustomizer) ? [] : ['systemCustomizer']),
      ...(facts.salesUser.roles.some(isNonAdministrative) ? [] : ['nonAdministrative']),
    ];
    return fail('adminRoles', [{ key: 'adminMissingRoles', vars: { user, roles: { keys: missing } } }], findings, { kind: 'plan' });
  }
  return pass('adminRoles', [{ key: 'adminDone', vars: { user, roles: facts.salesUser.roles.map((r) => r.name).sort().join(', ') } }]);
}

/** BC's rules for the integration account (CheckIntegrationUserPrerequisites / CheckIntegrationUserRequirements). */
export function integrationUserProblems(user: HealthSalesUser): StringKey[] {
  const problems: StringKey[] = [];
  if (user.isdisabled) problems.push('problemDisabled');
  // Read-Write or Non-interactive; BC's requirements after setup: Non-interactive.
  if (user.accessmode !== 4) problems.push('healthProblemAccessMode');
  // Licensed unless non-interactive.
  if (!user.islicensed && user.accessmode !== 4) problems.push('healthProblemUnlicensed');
  if (user.roles.some(isSystemAdministrator)) problems.push('problemSystemAdministrator');
  if (!user.roles.some(isIntegrationRole)) problems.push('problemNoIntegrationRole');
  return problems;
}

const FINDING_OF: Partial<Record<StringKey, string>> = {
  problemDisabled: 'disabled',
  healthProblemAccessMode: 'accessMode',
  healthProblemUnlicensed: 'unlicensed',
  problemSystemAdministrator: 'systemAdministrator',
  problemNoIntegrationRole: 'noIntegrationRole',
};

export function integrationUserRow(facts: IntegrationHealthFacts): CheckRow {
  const { users } = facts;
  if (facts.path === 'application') {
    if (users.length === 0) {
      return fail('integrationUser', [{ key: 'healthAppUserMissing' }], ['missing'], { kind: 'instruction', key: 'healthAppUserMissingFix', place: { kind: 'businessCentral', page: 7201 } });
    }
    if (users.length > 1) {
      return fail('integrationUser', [{ key: 'integrationSeveralAppUsers', vars: { count: users.length } }], ['several'], {
        kind: 'instruction',
        key: 'healthAppUserSeveralFix',
        place: { kind: 'powerPlatform' },
      });
    }
  } else if (users.length === 0) {
    return fail('integrationUser', [{ key: 'integrationNone' }], ['missing'], { kind: 'part', part: 'integration' });
  }
  // The dedicated path passes when one non-interactive user meets every rule.
  const candidates = facts.path === 'application' ? users : [users.find((u) => integrationUserProblems(u).length === 0) ?? users[0]];
  const user = candidates[0];
  const problems = integrationUserProblems(user);
  if (problems.length === 0) {
    return pass('integrationUser', [{ key: facts.path === 'application' ? 'healthAppUserDone' : 'integrationDedicatedDone', vars: { name: user.name, user: user.name } }]);
  }
  const findings = problems.map((p) => FINDING_OF[p] ?? p);
  // The API fixes the role and takes System Administrator away; the rest is the admin's.
  const planable = problems.every((p) => p === 'problemNoIntegrationRole' || p === 'problemSystemAdministrator');
  const fix: CheckFix =
    facts.path === 'application'
      ? planable
        ? { kind: 'plan' }
        : { kind: 'instruction', key: 'healthIntegrationUserFix', vars: { name: user.name }, place: { kind: 'powerPlatform' } }
      : { kind: 'part', part: 'integration' };
  return fail('integrationUser', [{ key: 'integrationAppUserProblems', vars: { name: user.name, problems: { keys: problems } } }], findings, fix);
}

const SALESPERSON_PROBLEMS: SalespersonStatus[] = ['noAccount', 'unlicensed', 'notInSales', 'noRole', 'ready'];
const PROBLEM_KEY: Record<string, StringKey> = {
  noAccount: 'healthSalespeopleNoAccount',
  unlicensed: 'healthSalespeopleUnlicensed',
  notInSales: 'healthSalespeopleNotInSales',
  noRole: 'healthSalespeopleNoRole',
  ready: 'healthSalespeopleNotCoupled',
};

/** Part 3: who has no account, no licence, is not in Sales, lacks the role, or is not coupled. At most this many names per line. */
export const NAMES_PER_LINE = 10;

export function salespeopleRow(facts: SalespeopleHealthFacts): CheckRow {
  const active = facts.rows.filter((r) => r.status !== 'blocked');
  const counts: Record<string, number> = {};
  for (const row of facts.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const details: Detail[] = [];
  const findings: string[] = [];
  for (const status of SALESPERSON_PROBLEMS) {
    // Without a coupling endpoint BC's couplings cannot be read: "ready" is then as far as anyone can see.
    if (status === 'ready' && !facts.couplingsObservable) continue;
    const people = active.filter((r) => r.status === status);
    if (people.length === 0) continue;
    const shown = people.slice(0, NAMES_PER_LINE).map((p) => `${p.displayName} (${p.code})`);
    const more = people.length - shown.length;
    details.push({ key: PROBLEM_KEY[status], vars: { count: people.length, names: shown.join(', ') + (more > 0 ? ` +${more}` : '') } });
    findings.push(...people.map((p) => `${status === 'ready' ? 'notCoupled' : status}:${p.code}`));
  }
  // What can be said of the couplings: counted through the endpoint, or predicted from BC's Match-Based Coupling.
  const couplings: Detail[] =
    facts.couplings && active.length > 0
      ? ['seen' in facts.couplings
          ? { key: 'cpCouplingsObserved', vars: { count: facts.couplings.seen, total: active.length } }
          : { key: 'cpCouplingsUnobservable', vars: { count: facts.couplings.predicted, total: active.length } }]
      : [];
  if (findings.length === 0) {
    const key: StringKey = active.length === 0 ? 'salespeopleNone' : facts.couplingsObservable ? 'healthSalespeopleDone' : 'healthSalespeopleReadyUncoupled';
    return pass('salespeople', [{ key, vars: { total: active.length } }, ...couplings], { counts });
  }
  return fail('salespeople', [...details, ...couplings], findings, { kind: 'part', part: 'salespeople' }, { counts });
}

export function securityGroupRow(facts: SecurityGroupHealthFacts): CheckRow {
  if (!facts.group) return pass('securityGroup', [{ key: 'healthGroupNone' }]);
  const missing = facts.needed.filter((n) => !n.member);
  if (missing.length === 0) return pass('securityGroup', [{ key: 'healthGroupDone', vars: { group: facts.group.displayName, count: facts.needed.length } }]);
  const withAccount = missing.filter((m) => m.userId);
  const shown = missing.slice(0, NAMES_PER_LINE).map((m) => m.name);
  const more = missing.length - shown.length;
  return fail(
    'securityGroup',
    [{ key: 'healthGroupMissing', vars: { group: facts.group.displayName, count: missing.length, names: shown.join(', ') + (more > 0 ? ` +${more}` : '') } }],
    missing.map((m) => `${m.who}:${m.userId ?? m.name}`),
    withAccount.length > 0 ? { kind: 'plan' } : undefined,
  );
}

/** Application users do not count; a limit reached is a warning for the next one, a limit passed a failure. */
export function nonInteractiveRow(facts: NonInteractiveHealthFacts): CheckRow {
  const vars = { count: facts.count, limit: facts.limit };
  const assumed: Detail[] = facts.assumed ? [{ key: 'healthNonInteractiveAssumed', vars: { limit: facts.limit } }] : [];
  const counts = { count: facts.count, limit: facts.limit };
  if (facts.count > facts.limit) {
    return fail('nonInteractiveLimit', [{ key: 'healthNonInteractiveOver', vars: { ...vars, names: facts.users.join(', ') } }, ...assumed], ['overLimit'], {
      kind: 'instruction',
      key: 'healthNonInteractiveFix',
      place: { kind: 'powerPlatform' },
    }, { counts });
  }
  return pass('nonInteractiveLimit', [{ key: facts.count === facts.limit ? 'healthNonInteractiveFull' : 'healthNonInteractiveDone', vars }, ...assumed], { counts });
}

/** BC's CheckOwningTeamRequirements: the role's copy in the team's business unit, held by the team. */
export function integrationRoleRow(facts: IntegrationRoleHealthFacts): CheckRow {
  const withRole = new Set(facts.unitsWithRole.map((id) => id.toLowerCase()));
  const unitsWithout = facts.businessUnits.filter((u) => !withRole.has(u.id.toLowerCase()));
  if (unitsWithout.length > 0) {
    return fail(
      'integrationRole',
      [{ key: 'healthRoleMissingInUnits', vars: { units: unitsWithout.map((u) => u.name).join(', ') } }],
      unitsWithout.map((u) => `unit:${u.id}`),
      { kind: 'instruction', key: 'healthRoleMissingFix', place: { kind: 'businessCentral', page: 7201 } },
    );
  }
  const teamsWithout = facts.teams.filter((t) => !t.holdsRole);
  if (teamsWithout.length > 0) {
    return fail(
      'integrationRole',
      [{ key: 'healthRoleMissingOnTeams', vars: { teams: teamsWithout.map((t) => t.name).join(', ') } }],
      teamsWithout.map((t) => `team:${t.teamid}`),
      { kind: 'plan' },
    );
  }
  return pass('integrationRole', [{ key: facts.teams.length > 0 ? 'healthRoleDoneTeams' : 'healthRoleDone', vars: { units: facts.businessUnits.length, teams: facts.teams.length } }]);
}

/** BC's LCYMustMatchBaseCurrencyErr: the local currency must be a Dataverse currency's ISO code. */
export function currencyRow(facts: CurrencyHealthFacts): CheckRow {
  const lcy = (facts.localCurrency ?? '').trim().toUpperCase();
  const codes = facts.isoCodes.map((c) => c.trim().toUpperCase());
  if (!lcy) {
    return fail('currency', [{ key: 'healthCurrencyNoLcy' }], ['noLcy'], { kind: 'instruction', key: 'healthCurrencyNoLcyFix', place: { kind: 'businessCentral', page: 118 } });
  }
  if (!codes.includes(lcy)) {
    return fail('currency', [{ key: 'healthCurrencyMismatch', vars: { lcy, codes: codes.join(', ') || '–' } }], [`lcy:${lcy}`], {
      kind: 'instruction',
      key: 'healthCurrencyFix',
      vars: { lcy },
      place: { kind: 'powerPlatform' },
    });
  }
  return pass('currency', [{ key: 'healthCurrencyDone', vars: { lcy } }]);
}

export function administrationModeRow(facts: AdministrationModeHealthFacts): CheckRow {
  if (facts.runtimeState.toLowerCase() === 'adminmode') {
    return fail('administrationMode', [{ key: 'healthAdminModeOn' }], ['adminMode'], { kind: 'instruction', key: 'healthAdminModeFix', place: { kind: 'powerPlatform' } });
  }
  return pass('administrationMode', [{ key: 'healthAdminModeOff' }]);
}

/** BC adds coupled users to the default owning team (AddCoupledUsersToDefaultOwningTeam); one left out owns nothing BC shares. */
export function owningTeamRow(facts: OwningTeamHealthFacts): CheckRow {
  if (!facts.team) return pass('owningTeam', [{ key: 'healthTeamNone' }]);
  if (!facts.couplingsObservable) return pass('owningTeam', [{ key: 'healthTeamNoCouplings', vars: { team: facts.team.name } }]);
  const outside = facts.coupled.filter((c) => !c.member);
  if (outside.length === 0) return pass('owningTeam', [{ key: 'healthTeamDone', vars: { team: facts.team.name, count: facts.coupled.length } }]);
  return fail(
    'owningTeam',
    [{ key: 'healthTeamMissing', vars: { team: facts.team.name, count: outside.length, names: outside.slice(0, NAMES_PER_LINE).map((c) => c.name).join(', ') } }],
    outside.map((c) => `member:${c.systemuserid}`),
    { kind: 'plan' },
  );
}

const ROWS: { [K in HealthCheckId]: (facts: Extract<HealthObservation[K], { ok: true }>['value']) => CheckRow } = {
  adminRoles: adminRolesRow,
  integrationUser: integrationUserRow,
  salespeople: salespeopleRow,
  securityGroup: securityGroupRow,
  nonInteractiveLimit: nonInteractiveRow,
  integrationRole: integrationRoleRow,
  currency: currencyRow,
  administrationMode: administrationModeRow,
  owningTeam: owningTeamRow,
};

/** Every row, in priority order; a check whose observation failed is "could not check" with the reason. */
export function healthRows(observation: HealthObservation): CheckRow[] {
  return HEALTH_CHECKS.map((check) => {
    const observed = observation[check];
    if (!observed.ok) return unknownRow(check, observed.detail);
    return (ROWS[check] as (facts: unknown) => CheckRow)(observed.value);
  });
}

// -------------------------------------------------------------------------------------- fixes

/** The security group: each user who needs access and has an account becomes a member. */
export function planGroupFix(facts: SecurityGroupHealthFacts): Action[] {
  if (!facts.group) return [];
  const group = facts.group;
  return facts.needed
    .filter((n) => !n.member && n.userId)
    .map((n) => ({
      key: actionKey.addGroupMember(group.id, n.userId!),
      type: 'addGroupMember' as const,
      target: { userId: n.userId!, userPrincipalName: n.name },
      params: { groupId: group.id, groupName: group.displayName },
    }));
}

/** The integration role's copy in each owning team's business unit, assigned to the team. */
export function planTeamRoleFix(facts: IntegrationRoleHealthFacts, copies: (RoleRef & { businessUnitId: string })[]): Action[] {
  const actions: Action[] = [];
  for (const team of facts.teams.filter((t) => !t.holdsRole)) {
    const copy = copies.filter(isIntegrationRole).find((r) => r.businessUnitId.toLowerCase() === team.businessUnitId.toLowerCase());
    if (!copy) continue;
    actions.push({
      key: actionKey.assignTeamRole(team.teamid, copy.roleid),
      type: 'assignTeamRole',
      target: { userPrincipalName: team.name },
      params: { teamId: team.teamid, teamName: team.name, roleId: copy.roleid, roleName: copy.name, rootRoleId: rootRoleId(copy) },
    });
  }
  return actions;
}

/** Coupled users who are not members of the default owning team become members. */
export function planTeamMemberFix(facts: OwningTeamHealthFacts): Action[] {
  if (!facts.team) return [];
  const team = facts.team;
  return facts.coupled
    .filter((c) => !c.member)
    .map((c) => ({
      key: actionKey.addTeamMember(team.teamid, c.systemuserid),
      type: 'addTeamMember' as const,
      target: { systemUserId: c.systemuserid, userPrincipalName: c.name },
      params: { teamId: team.teamid, teamName: team.name },
    }));
}

