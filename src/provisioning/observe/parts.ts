import { AppError, userMessage } from '../../errors';
import { grantMessage } from '../../permissions';
import { t } from '../../i18n';
import type { Logger } from '../../log';
import type { AdminObservation, SkuInfo } from '../../setup/adminPlanner';
import type { ApplicationUserObservation, DedicatedObservation } from '../../setup/integrationPlanner';
import { BC_INTEGRATION_ROLE_ID } from '../../setup/roles';
import {
  adminStatus,
  integrationStatus,
  salespeopleStatus,
  unknownStatus,
  type ObservedSalesUser,
  type Overview,
  type PartStatus,
} from '../../setup/overview';
import type { PlanEnvironment } from '../../setup/plan';
import { countByStatus, matchSalespeople } from '../../setup/salespeopleMatch';
import { countOutcomes, predictCoupling, predictionFacts } from '../../setup/couplingPrediction';
import { observeSalespeople, type ObserveOptions } from './salespeople';
import { observeUserMembership } from './securityGroup';
import { toEnvironmentRole, toRoleRef } from './roles';
import { skuInfo } from './skus';
import type { DirectoryUser } from '../clients/graph/directory';
import type { SalesClient, SalesRole, SystemUser } from '../clients/dataverse/sales';
import type { Clients } from '../clients';

/**
 * Observation: what the tenant has, read through the clients and turned into the plain data the
 * procedure's pure functions take. Reads only; nothing here changes the tenant.
 */

export function toObservedSalesUser(user: SystemUser, roles: SalesRole[]): ObservedSalesUser {
  return {
    systemuserid: user.id,
    fullname: user.fullName ?? user.domainName ?? user.id,
    domainname: user.domainName ?? '',
    isdisabled: user.isDisabled,
    islicensed: user.isLicensed,
    accessmode: user.accessMode,
    applicationid: user.applicationId,
    roles: roles.map(toRoleRef),
  };
}

async function withRoles(sales: SalesClient, users: SystemUser[]): Promise<ObservedSalesUser[]> {
  return Promise.all(users.map(async (user) => toObservedSalesUser(user, user.roles ?? (await sales.userRoles(user.id)))));
}

function salesLicensed(user: DirectoryUser, skus: SkuInfo[]): boolean {
  const capable = new Set(skus.filter((s) => s.salesCapable).map((s) => s.skuId.toLowerCase()));
  return user.assignedLicenses.some((l) => capable.has(l.skuId.toLowerCase()));
}

/** What the procedure needs to know of an Entra account. */
function entraFacts(user: DirectoryUser, skus: SkuInfo[]) {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName ?? user.userPrincipalName,
    accountEnabled: user.accountEnabled !== false,
    usageLocation: user.usageLocation,
    salesLicensed: salesLicensed(user, skus),
  };
}

/** Everything Part 1 needs to know about one admin, in one environment. */
export async function observeAdmin(clients: Clients, environment: PlanEnvironment, userPrincipalNameOrId: string): Promise<AdminObservation> {
  const sales = clients.sales(environment.dataverseUrl);
  const [user, skus, roles, units] = await Promise.all([
    clients.directory.getUser(userPrincipalNameOrId),
    skuInfo(clients),
    sales.listRoles(),
    sales.listBusinessUnits(),
  ]);
  const root = units.find((u) => u.isRoot);
  let salesUser: AdminObservation['salesUser'] = null;
  if (user) {
    const found = await sales.findSystemUserByAadObjectId(user.id);
    if (found) {
      const held = await sales.userRoles(found.id);
      salesUser = { systemuserid: found.id, businessUnitId: found.businessUnitId ?? '', isdisabled: found.isDisabled, roles: held.map(toRoleRef) };
    }
  }
  return {
    entra: user && entraFacts(user, skus),
    skus,
    salesUser,
    roles: roles.map(toEnvironmentRole),
    rootBusinessUnitId: root?.id ?? '',
    securityGroup: await observeUserMembership(clients, environment, user?.id),
  };
}

async function adminPart(clients: Clients, environment: PlanEnvironment, actorId: string | undefined): Promise<PartStatus> {
  if (!actorId) return unknownStatus('admin', { en: t('en', 'checkNoEntraId'), nb: t('nb', 'checkNoEntraId') });
  const observed = await observeAdmin(clients, environment, actorId);
  return adminStatus({
    upn: observed.entra?.userPrincipalName ?? actorId,
    environmentRoles: observed.roles,
    entra: observed.entra && { accountEnabled: observed.entra.accountEnabled, salesLicensed: observed.entra.salesLicensed },
    salesUser: observed.salesUser && {
      systemuserid: observed.salesUser.systemuserid,
      fullname: observed.entra?.displayName ?? '',
      domainname: observed.entra?.userPrincipalName ?? '',
      isdisabled: observed.salesUser.isdisabled,
      islicensed: observed.entra?.salesLicensed ?? false,
      accessmode: 0,
      roles: observed.salesUser.roles,
    },
  });
}

async function integrationPart(clients: Clients, environment: PlanEnvironment, bcAppId: string | undefined): Promise<PartStatus> {
  const sales = clients.sales(environment.dataverseUrl);
  const [applicationUsers, nonInteractive] = await Promise.all([
    bcAppId ? sales.findApplicationUsers(bcAppId) : Promise.resolve([]),
    sales.listSystemUsers('accessmode eq 4 and isdisabled eq false'),
  ]);
  return integrationStatus({
    applicationUsers: await withRoles(sales, applicationUsers),
    nonInteractiveUsers: await withRoles(sales, nonInteractive.filter((u) => !u.applicationId && u.aadObjectId)),
  });
}

/** The same observation and matching as Part 3, so the status card and Part 3 count alike. */
async function salespeoplePart(clients: Clients, environment: PlanEnvironment, options: ObserveOptions): Promise<PartStatus> {
  const observed = await observeSalespeople(clients, environment, options);
  const counts = countByStatus(matchSalespeople(observed.facts));
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const couplings = observed.facts.couplings
    ? { seen: counts.coupled }
    : { predicted: countOutcomes(predictCoupling(predictionFacts(observed.facts))).match };
  return salespeopleStatus({ active: total - counts.blocked, blocked: counts.blocked, ready: counts.ready + counts.coupled, couplings });
}

export interface OverviewInput {
  actorAadObjectId?: string;
  environment: PlanEnvironment;
  bcAppId?: string;
  salespeople: ObserveOptions;
  labels: { tenant: string; salesEnvironment: string; businessCentral: string };
}

/** The three parts, each observed on its own: one failing read marks that part "could not check". */
export async function observeOverview(clients: Clients, input: OverviewInput, logger?: Logger): Promise<Overview> {
  const guard = async (part: PartStatus['part'], read: () => Promise<PartStatus>) => {
    try {
      return await read();
    } catch (error) {
      logger?.warn({ err: error, part }, 'could not observe part');
      // A refusal that names a permission is shown as that, in the reader's language.
      if (error instanceof AppError && error.grant) return { part, state: 'unknown' as const, details: [grantMessage(error.grant)] };
      return unknownStatus(part, { en: userMessage(error, 'en'), nb: userMessage(error, 'nb') });
    }
  };
  const parts = await Promise.all([
    guard('admin', () => adminPart(clients, input.environment, input.actorAadObjectId)),
    guard('integration', () => integrationPart(clients, input.environment, input.bcAppId)),
    guard('salespeople', () => salespeoplePart(clients, input.environment, input.salespeople)),
  ]);
  return { ...input.labels, parts, checkedAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' };
}

async function salesFacts(sales: SalesClient, user: SystemUser) {
  const [observed] = await withRoles(sales, [user]);
  return { ...observed, businessUnitId: user.businessUnitId ?? '' };
}

/** Part 2, BC online: the application users with Business Central's client id, and the integration role's copies. */
export async function observeApplicationUsers(clients: Clients, environment: PlanEnvironment, bcAppId: string | undefined): Promise<ApplicationUserObservation> {
  const sales = clients.sales(environment.dataverseUrl);
  const [users, roles] = await Promise.all([
    bcAppId ? sales.findApplicationUsers(bcAppId) : Promise.resolve([]),
    sales.listRoles({ rootRoleId: BC_INTEGRATION_ROLE_ID }),
  ]);
  return { users: await Promise.all(users.map((u) => salesFacts(sales, u))), integrationRoles: roles.map(toEnvironmentRole) };
}

/** Part 2, dedicated user: the account in Entra and in Sales, licences, the non-interactive count, domains. */
export async function observeDedicatedUser(clients: Clients, environment: PlanEnvironment, userPrincipalName: string): Promise<DedicatedObservation> {
  const sales = clients.sales(environment.dataverseUrl);
  const [user, skus, nonInteractive, verifiedDomains, nonInteractiveLimit] = await Promise.all([
    clients.directory.getUser(userPrincipalName),
    skuInfo(clients),
    sales.listSystemUsers('accessmode eq 4 and isdisabled eq false'),
    clients.directory.verifiedDomains(),
    sales.nonInteractiveLimit(),
  ]);
  const found = user ? await sales.findSystemUserByAadObjectId(user.id) : null;
  return {
    entra: user && entraFacts(user, skus),
    salesUser: found ? await salesFacts(sales, found) : null,
    skus,
    otherNonInteractive: nonInteractive.filter((u) => !u.applicationId && u.aadObjectId !== user?.id).length,
    nonInteractiveLimit,
    verifiedDomains,
    securityGroup: await observeUserMembership(clients, environment, user?.id),
  };
}
