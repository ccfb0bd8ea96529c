import { AppError, userMessage } from '../../errors';
import { grantMessage } from '../../permissions';
import type { StringKey } from '../../i18n';
import type { Logger } from '../../log';
import { nonAdminChoices, planAdmin, type EnvironmentRole } from '../../setup/adminPlanner';
import {
  healthRows,
  planGroupFix,
  planTeamMemberFix,
  planTeamRoleFix,
  type CheckRow,
  type HealthCheckId,
  type HealthObservation,
  type HealthSalesUser,
  type IntegrationRoleHealthFacts,
  type Observed,
  type OwningTeamHealthFacts,
  type SecurityGroupHealthFacts,
} from '../../setup/health';
import { planApplicationFixes } from '../../setup/integrationPlanner';
import type { Action, PlanEnvironment, PlanKind } from '../../setup/plan';
import { BC_INTEGRATION_ROLE_ID, isIntegrationRole, isNonAdministrative, resolveRole, rootRoleId, type RoleChoice } from '../../setup/roles';
import { matchSalespeople } from '../../setup/salespeopleMatch';
import { countOutcomes, predictCoupling, predictionFacts } from '../../setup/couplingPrediction';
import type { Clients } from '../clients';
import type { SalesClient, SystemUser } from '../clients/dataverse/sales';
import type { HealthFix, HealthReport, HealthRow } from './healthReport';
import { observeAdmin, observeApplicationUsers } from './parts';
import { toEnvironmentRole, toRoleRef } from './roles';
import { observeSalespeople, type ObserveOptions } from './salespeople';
import { observeMemberships } from './securityGroup';

/**
 * The integration's health check: every read behind the rows of setup/health.ts, and the one
 * report the status card and the watch read. Reads only; a fix is planned here from a fresh read
 * and applied only by the runner after approval.
 */

export interface HealthInput {
  environment: PlanEnvironment & { deployment?: 'online' | 'onpremises' };
  /** Whose roles the first check reads (UPN or Entra object id): the admin doing the setup. */
  admin?: string;
  bcAppId?: string;
  salespeople: ObserveOptions;
  /** A deep link to a Business Central page; undefined on premises without BC_WEB_CLIENT_URL. */
  businessCentralPage: (page: number) => string | undefined;
  labels?: HealthReport['labels'];
  now?: () => Date;
}

/** Business Central names its owning teams "BCI - <business unit>" (codeunit 7201, TeamNameTemplateTok). */
export const BC_TEAM_PREFIX = 'BCI - ';

/** The same key Part 3 keeps its views under: which environments, and which company. */
export const healthEnvironmentKey = (environment: PlanEnvironment) =>
  [environment.dataverseUrl, environment.bapEnvironmentId, environment.bcEnvironment, environment.bcCompanyId ?? ''].join('|').toLowerCase();

/** What the fixes need besides the rows. */
interface Extras {
  integrationCopies: EnvironmentRole[];
}

const salesUserOf = (user: SystemUser, roles: ReturnType<typeof toRoleRef>[]): HealthSalesUser => ({
  systemuserid: user.id,
  name: user.fullName ?? user.domainName ?? user.id,
  businessUnitId: user.businessUnitId ?? '',
  isdisabled: user.isDisabled,
  islicensed: user.isLicensed,
  accessmode: user.accessMode,
  roles,
});

async function withRoles(sales: SalesClient, users: SystemUser[]): Promise<HealthSalesUser[]> {
  return Promise.all(users.map(async (u) => salesUserOf(u, (u.roles ?? (await sales.userRoles(u.id))).map(toRoleRef))));
}

/** A read that may fail on its own: the row then says why, in each language (a refusal names its permission). */
async function guard<T>(read: () => Promise<T>, logger: Logger | undefined, check: HealthCheckId): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    logger?.warn({ err: error, check }, 'could not observe a health check');
    if (error === NO_COMPANY) return { ok: false, detail: { key: 'healthNoCompany' } };
    if (error instanceof AppError && error.grant) return { ok: false, detail: grantMessage(error.grant) };
    return { ok: false, detail: { key: 'checkFailed', vars: { reason: { en: userMessage(error, 'en'), nb: userMessage(error, 'nb') } } } };
  }
}

const NO_COMPANY = new AppError('invalid_input', 'No Business Central company is chosen for this setup.');

/** Every observation, each on its own; shared reads are made once. */
export async function observeHealth(clients: Clients, input: HealthInput, logger?: Logger): Promise<{ observation: HealthObservation; extras: Extras }> {
  const env = input.environment;
  const sales = clients.sales(env.dataverseUrl);
  const application = !!input.bcAppId && (env.deployment ?? 'online') === 'online';
  // Shared reads, each allowed to fail alone.
  const salespeopleRead = observeSalespeople(clients, env, input.salespeople).then((o) => ({ observed: o, rows: matchSalespeople(o.facts) }));
  const adminRead = input.admin ? observeAdmin(clients, env, input.admin) : Promise.reject(new AppError('invalid_input', 'No admin to check.'));
  const integrationRead = (async () => {
    if (application) {
      const users = await sales.findApplicationUsers(input.bcAppId!);
      return { path: 'application' as const, users: await withRoles(sales, users), aad: [] as string[] };
    }
    const users = (await sales.listSystemUsers('accessmode eq 4 and isdisabled eq false')).filter((u) => !u.applicationId && u.aadObjectId);
    return { path: 'dedicated' as const, users: await withRoles(sales, users), aad: users.map((u) => u.aadObjectId!.toLowerCase()) };
  })();
  const rolesRead = Promise.all([sales.listBusinessUnits(), sales.listRoles({ rootRoleId: BC_INTEGRATION_ROLE_ID }), sales.listTeams(), sales.listBcCompanies()]);
  // Each is awaited below by the checks that need it; a failure is that check's, never unhandled.
  for (const p of [salespeopleRead, adminRead, integrationRead, rolesRead]) p.catch(() => undefined);

  const [adminRoles, integrationUser, salespeople, securityGroup, nonInteractiveLimit, integrationRole, currency, administrationMode, owningTeam] = await Promise.all([
    // Without anyone to check (the watch, a person without an Entra id) the row says so.
    !input.admin ? ({ ok: false, detail: { key: 'checkNoEntraId' } } as const) : guard(async () => {
      const a = await adminRead;
      return {
        upn: a.entra?.userPrincipalName ?? input.admin!,
        salesUser: a.salesUser && { systemuserid: a.salesUser.systemuserid, name: a.entra?.displayName ?? '', businessUnitId: a.salesUser.businessUnitId, isdisabled: a.salesUser.isdisabled, islicensed: a.entra?.salesLicensed ?? false, accessmode: 0, roles: a.salesUser.roles },
        environmentRoles: a.roles,
      };
    }, logger, 'adminRoles'),
    guard(async () => {
      const i = await integrationRead;
      return { path: i.path, users: i.users };
    }, logger, 'integrationUser'),
    guard(async () => {
      const s = await salespeopleRead;
      const couplings = s.observed.facts.couplings
        ? { seen: s.rows.filter((r) => r.status === 'coupled').length }
        : { predicted: countOutcomes(predictCoupling(predictionFacts(s.observed.facts))).match };
      return { rows: s.rows.map((r) => ({ code: r.code, displayName: r.displayName, status: r.status })), couplingsObservable: s.observed.facts.couplings !== null, couplings };
    }, logger, 'salespeople'),
    guard(async (): Promise<SecurityGroupHealthFacts> => {
      const [a, i, s] = await Promise.all([adminRead.catch(() => undefined), integrationRead.catch(() => undefined), salespeopleRead.catch(() => undefined)]);
      const needed: SecurityGroupHealthFacts['needed'] = [];
      if (a?.entra) needed.push({ who: 'admin', name: a.entra.userPrincipalName, userId: a.entra.id.toLowerCase(), member: true });
      // Application users are admitted without membership (Learn "Control user access to environments").
      for (const [index, user] of (i?.path === 'dedicated' ? i.users : []).entries()) needed.push({ who: 'integration', name: user.name, userId: i!.aad[index] ?? null, member: true });
      for (const row of s?.rows ?? []) {
        if (row.status === 'blocked' || !row.entra) continue;
        needed.push({ who: 'salesperson', name: row.entra.userPrincipalName, userId: row.entra.id.toLowerCase(), member: true });
      }
      const unique = [...new Map(needed.map((n) => [n.userId ?? n.name, n])).values()];
      const group = await observeMemberships(clients, env, unique.flatMap((n) => (n.userId ? [n.userId] : [])));
      if (!group) return { group: null, needed: [] };
      const outside = new Set(group.nonMembers);
      return { group: { id: group.id, displayName: group.displayName }, needed: unique.map((n) => ({ ...n, member: !!n.userId && !outside.has(n.userId) })) };
    }, logger, 'securityGroup'),
    guard(async () => {
      const [users, limit] = await Promise.all([sales.listSystemUsers('accessmode eq 4 and isdisabled eq false'), sales.nonInteractiveLimit()]);
      const people = users.filter((u) => !u.applicationId);
      return { count: people.length, limit: limit.limit, assumed: !limit.published, users: people.map((u) => u.domainName || u.fullName || u.id) };
    }, logger, 'nonInteractiveLimit'),
    guard(async (): Promise<IntegrationRoleHealthFacts> => {
      const [units, copies, teams, companies] = await rolesRead;
      const owning = new Set(companies.map((c) => c.defaultOwningTeamId).filter(Boolean));
      const bcTeams = teams.filter((team) => owning.has(team.id) || team.name.startsWith(BC_TEAM_PREFIX));
      const withRoles = await Promise.all(bcTeams.map(async (team) => ({ team, roles: await sales.teamRoles(team.id) })));
      return {
        businessUnits: units.map((u) => ({ id: u.id, name: u.name })),
        unitsWithRole: copies.map((c) => c.businessUnitId ?? '').filter(Boolean),
        teams: withRoles.map(({ team, roles }) => ({
          teamid: team.id,
          name: team.name,
          businessUnitId: team.businessUnitId,
          // BC looks for the copy in the team's own business unit (CheckOwningTeamRequirements).
          holdsRole: roles.some((r) => isIntegrationRole(toRoleRef(r)) && r.businessUnitId === team.businessUnitId),
        })),
      };
    }, logger, 'integrationRole'),
    guard(async () => {
      if (!env.bcCompanyId) throw NO_COMPANY;
      const [localCurrency, isoCodes] = await Promise.all([clients.businessCentral(env.bcEnvironment).localCurrency(env.bcCompanyId), sales.listCurrencyCodes()]);
      return { localCurrency, isoCodes };
    }, logger, 'currency'),
    guard(async () => {
      const found = await clients.powerPlatform.getEnvironment(env.bapEnvironmentId);
      if (!found) throw new AppError('not_found', `The Power Platform environment ${env.bapEnvironmentId} was not found.`, { service: 'bap' });
      return { runtimeState: found.runtimeState ?? 'Enabled' };
    }, logger, 'administrationMode'),
    guard(async (): Promise<OwningTeamHealthFacts> => {
      const [[, , teams, companies], s] = await Promise.all([rolesRead, salespeopleRead]);
      const record = companies.find((c) => c.externalId.toLowerCase() === (env.bcCompanyId ?? '').toLowerCase()) ?? (companies.length === 1 ? companies[0] : undefined);
      const team = record && teams.find((x) => x.id === record.defaultOwningTeamId);
      const couplingsObservable = s.observed.facts.couplings !== null;
      if (!team) return { team: null, coupled: [], couplingsObservable };
      const members = new Set(await sales.teamMemberIds(team.id));
      const coupled = s.rows.filter((r) => r.coupledTo).map((r) => ({ systemuserid: r.coupledTo!.systemUserId.toLowerCase(), name: r.coupledTo!.userPrincipalName ?? r.displayName }));
      const unique = [...new Map(coupled.map((c) => [c.systemuserid, c])).values()];
      return { team: { teamid: team.id, name: team.name }, coupled: unique.map((c) => ({ ...c, member: members.has(c.systemuserid) })), couplingsObservable };
    }, logger, 'owningTeam'),
  ]);
  const [, copies] = await rolesRead.catch(() => [[], []] as const);
  return {
    observation: { adminRoles, integrationUser, salespeople, securityGroup, nonInteractiveLimit, integrationRole, currency, administrationMode, owningTeam },
    extras: { integrationCopies: copies.map(toEnvironmentRole) },
  };
}

/** A pure row as the report carries it: the first line as key and values, the fix as a verb or steps with their link. */
export function toHealthRow(row: CheckRow, businessCentralPage: (page: number) => string | undefined): HealthRow {
  const [first, ...more] = row.details;
  const out: HealthRow = { id: row.check, state: row.state, key: first?.key ?? 'checkFailed', findings: row.findings };
  if (first?.vars) out.vars = first.vars;
  if (more.length > 0) out.more = more;
  if (row.findings.length > 0) {
    out.count = row.findings.length;
    out.subjects = row.findings.slice(0, 10).map((f) => f.slice(f.indexOf(':') + 1));
  }
  const fix = row.state === 'fail' ? row.fix : undefined;
  if (fix?.kind === 'plan') out.fix = { kind: 'plan', verb: 'health.fix', data: { check: row.check } };
  if (fix?.kind === 'part') out.fix = { kind: 'plan', verb: 'setup.goto', data: { part: fix.part } };
  if (fix?.kind === 'instruction') {
    const steps: HealthFix = { kind: 'steps', key: fix.key, ...(fix.vars ? { vars: fix.vars } : {}) };
    if (fix.place.kind === 'powerPlatform') steps.link = POWER_PLATFORM_ADMIN_URL;
    else {
      steps.page = fix.place.page;
      const link = businessCentralPage(fix.place.page);
      if (link) steps.link = link;
    }
    out.fix = steps;
  }
  return out;
}

/** The Power Platform admin center's environments (Learn "Manage environments in the Power Platform admin center"). */
export const POWER_PLATFORM_ADMIN_URL = 'https://admin.powerplatform.microsoft.com/environments';

/** The health report of one environment: every check, in priority order. */
export async function checkHealth(clients: Clients, input: HealthInput, logger?: Logger): Promise<HealthReport> {
  const { observation } = await observeHealth(clients, input, logger);
  return {
    at: (input.now?.() ?? new Date()).toISOString(),
    environmentKey: healthEnvironmentKey(input.environment),
    rows: healthRows(observation).map((row) => toHealthRow(row, input.businessCentralPage)),
    ...(input.labels ? { labels: input.labels } : {}),
  };
}

export type HealthFixPlan =
  | { ok: true; kind: PlanKind; actions: Action[] }
  /** Nothing to plan: the check passes now, or its fix is not a plan. */
  | { ok: false; key: StringKey; vars?: Record<string, string | number> };

/**
 * The plan that fixes one check, from a fresh read: the admin's roles (Part 1's planner, the
 * non-administrative role the admin holds or Sales Manager), the application user's role and
 * System Administrator (Part 2's), the security group's members, the integration role on BC's
 * owning teams, and the coupled users in the default owning team.
 */
export async function planHealthFix(
  clients: Clients,
  input: HealthInput & { nonAdministrativeChoice?: RoleChoice[] },
  check: HealthCheckId,
  logger?: Logger,
): Promise<HealthFixPlan> {
  const env = input.environment;
  if (check === 'adminRoles') {
    if (!input.admin) return { ok: false, key: 'checkNoEntraId' };
    const observation = await observeAdmin(clients, env, input.admin);
    const upn = observation.entra?.userPrincipalName;
    if (!upn) return { ok: false, key: 'adminNoEntra', vars: { user: input.admin } };
    // The non-administrative role: one the admin holds already, else the one chosen before for this
    // environment, else Sales Manager by name; none of these, and Part 1's card asks.
    const choices = new Set(nonAdminChoices(observation).map((r) => r.roleid));
    const held = (observation.salesUser?.roles ?? []).filter(isNonAdministrative).map(rootRoleId);
    const remembered = (input.nonAdministrativeChoice ?? []).map((c) => c.roleid);
    const salesManager = resolveRole('salesManager', observation.roles, observation.rootBusinessUnitId)?.role.roleid;
    const nonAdmin = [held, remembered, salesManager ? [salesManager] : []].map((ids) => ids.filter((id) => choices.has(id))).find((ids) => ids.length > 0);
    if (!nonAdmin) return { ok: false, key: 'healthAdminPickRole' };
    const result = planAdmin({ userPrincipalName: upn, nonAdminRoleIds: nonAdmin }, observation, env);
    return result.ok ? { ok: true, kind: 'admin', actions: result.actions } : { ok: false, key: result.refusal.key, vars: result.refusal.vars };
  }
  if (check === 'integrationUser') {
    const actions = planApplicationFixes(await observeApplicationUsers(clients, env, input.bcAppId));
    return { ok: true, kind: 'integrationApplication', actions };
  }
  const { observation, extras } = await observeHealth(clients, input, logger);
  const observed = observation[check];
  if (!observed.ok) return { ok: false, key: observed.detail.key, vars: observed.detail.vars as Record<string, string | number> };
  if (check === 'securityGroup') return { ok: true, kind: 'health', actions: planGroupFix(observed.value as SecurityGroupHealthFacts) };
  if (check === 'integrationRole') return { ok: true, kind: 'health', actions: planTeamRoleFix(observed.value as IntegrationRoleHealthFacts, extras.integrationCopies) };
  if (check === 'owningTeam') return { ok: true, kind: 'health', actions: planTeamMemberFix(observed.value as OwningTeamHealthFacts) };
  return { ok: false, key: 'healthUnknownCheck' };
}

