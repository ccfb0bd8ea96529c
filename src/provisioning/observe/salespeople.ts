import { AppError } from '../../errors';
import type { PlanEnvironment } from '../../setup/plan';
import { isCopyOf, pickableRoles, resolveRole, toRoleChoice, type RoleChoice } from '../../setup/roles';
import type { BcSalesperson } from '../../setup/salespeopleMatch';
import type { SalespeopleObservation } from '../../setup/salespeopleView';
import { lookUpUsers } from './directoryReads';
import { findSalesUsers, findSalesUsersByPrimaryEmail, type BulkSalesUser } from './salesReads';
import type { Clients } from '../clients';
import { CouplingClient, couplingRoot } from '../clients/coupling';
import { toEnvironmentRole } from './roles';
import { skuInfo } from './skus';
import { environmentSecurityGroup, observeMemberships } from './securityGroup';
import { observeLicenceGroup } from './licenceGroup';
import { DEFAULT_LICENCE_GROUP } from '../../setup/groupLicensing';
import type { SalesClient } from '../clients/dataverse/sales';

/**
 * What Part 3 needs to know, read in bulk: every salesperson of the company (all pages), their
 * accounts by e-mail (as sign-in name or mail), their Sales users with roles, the couplings (when
 * a coupling endpoint is configured), licences, verified domains and the organisation's country.
 * Reads only.
 */

export interface ObserveOptions {
  tenantId: string;
  couplingUrl?: string;
  /** The role the admin chose for salespeople in this environment, when one was chosen. */
  salespersonChoice?: RoleChoice;
  /** The licence group's name (group-based licensing); default DEFAULT_LICENCE_GROUP. */
  licenceGroup?: string;
}

/** The Salesperson role (known name or remembered choice), its copies in every business unit, and what to pick from. */
async function salespersonRoleOf(sales: SalesClient, chosen: RoleChoice | undefined) {
  const [roles, units] = await Promise.all([sales.listRoles(), sales.listBusinessUnits()]);
  const root = units.find((u) => u.isRoot)?.id ?? '';
  const all = roles.map(toEnvironmentRole);
  const found = resolveRole('salesperson', all, root, chosen);
  const resolved = found?.role;
  return {
    via: found?.via,
    role: resolved && toRoleChoice(resolved),
    copies: new Set(resolved ? all.filter((r) => isCopyOf(r, resolved.roleid)).map((r) => r.roleid) : []),
    choices: resolved ? undefined : pickableRoles(all, root).map(toRoleChoice),
  };
}

async function company(clients: Clients, environment: PlanEnvironment): Promise<{ id: string; name: string }> {
  const companies = await clients.businessCentral(environment.bcEnvironment).listCompanies();
  const found = environment.bcCompanyId ? companies.find((c) => c.id === environment.bcCompanyId!.toLowerCase()) : companies[0];
  if (!found) throw new AppError('not_found', `Business Central environment ${environment.bcEnvironment} has no such company; choose the company again.`, { service: 'bc' });
  return { id: found.id, name: found.displayName ?? found.name };
}

/**
 * Every promise settled, then their values in order; or the first failure in that order (the
 * order the reads depend on one another: the company before its salespeople, and so on), so an
 * observation fails with the same reason whichever read happened to answer first.
 */
async function inOrder<T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function observeSalespeople(clients: Clients, environment: PlanEnvironment, options: ObserveOptions): Promise<SalespeopleObservation> {
  const sales = clients.sales(environment.dataverseUrl);
  const bc = clients.businessCentral(environment.bcEnvironment);
  const couplingEndpoint = options.couplingUrl ? couplingRoot(options.couplingUrl, options.tenantId, environment.bcEnvironment) : undefined;
  // Each read starts as soon as what it needs is read, not after a whole phase: the licences, the
  // organisation, the roles and the environment's security group at once; the salespeople once
  // the company is known; then their accounts, and (without a coupling endpoint) the Sales users
  // with their e-mails as primary e-mail; the Sales users of the accounts last.
  const companyRead = company(clients, environment);
  const skusRead = skuInfo(clients);
  const groupRead = environmentSecurityGroup(clients, environment);
  const peopleRead = companyRead.then(async ({ id }) =>
    (await bc.allSalespeople(id)).map((p): BcSalesperson => ({ id: p.id, code: p.code, displayName: p.displayName, email: p.email.trim(), phoneNo: p.phoneNo, jobTitle: p.jobTitle, blocked: p.blocked })),
  );
  const emailsRead = peopleRead.then((people) => people.filter((p) => !p.blocked && p.email).map((p) => p.email));
  const usersRead = emailsRead.then(async (emails) => {
    const found = await lookUpUsers(clients.directory, { upns: emails, mails: emails });
    return new Map([...found.byUpn.values(), ...found.byMail.values()].map((u) => [u.id, u]));
  });
  // The group's members are read beside the accounts (not after them): one read of the group,
  // whoever of the salespeople turns out to have an account.
  const membersRead = Promise.all([groupRead, emailsRead]).then(([group, emails]) => (group && emails.length > 0 ? clients.directory.groupMemberIds(group.id) : new Set<string>()));
  const [{ id: companyId, name }, salespeople, skus, organization, role, couplings, entra, salesUsers, group, members, byPrimaryEmail, groupLicensing] = await inOrder([
    companyRead,
    peopleRead,
    skusRead,
    clients.directory.getOrganization(),
    salespersonRoleOf(sales, options.salespersonChoice),
    couplingEndpoint ? companyRead.then(({ id }) => new CouplingClient(couplingEndpoint, clients.policies.bc).list(id)) : Promise.resolve(null),
    usersRead,
    usersRead.then((entra) => findSalesUsers(sales, [...entra.keys()])),
    groupRead,
    membersRead,
    // Without a coupling endpoint the admin couples with BC's Match-Based Coupling, which matches the
    // salesperson's e-mail against every Sales user's primary e-mail: read those too.
    couplingEndpoint ? Promise.resolve([] as BulkSalesUser[]) : emailsRead.then((emails) => findSalesUsersByPrimaryEmail(sales, emails)),
    Promise.all([skusRead, groupRead]).then(([observedSkus, group]) => observeLicenceGroup(clients, observedSkus, options.licenceGroup ?? DEFAULT_LICENCE_GROUP, group?.id)),
  ] as const);
  const securityGroup = group && { ...group, nonMembers: [...entra.keys()].map((id) => id.toLowerCase()).filter((id) => !members.has(id)) };
  const capable = new Set(skus.filter((s) => s.salesCapable).map((s) => s.skuId.toLowerCase()));
  const toFact = (u: BulkSalesUser) => ({
    systemuserid: u.id,
    aadObjectId: u.aadObjectId,
    domainName: u.domainName,
    isDisabled: u.isDisabled,
    isLicensed: u.isLicensed,
    isIntegrationUser: u.isIntegrationUser,
    isApplicationUser: u.isApplicationUser,
    hasSalespersonRole: u.roleIds.some((id) => role.copies.has(id)),
    internalEmail: u.internalEmail,
  });
  return {
    company: { id: companyId, name },
    skus,
    country: organization.countryLetterCode,
    couplingEndpoint,
    securityGroup,
    groupLicensing,
    salespersonRole: role.role,
    salespersonRoleVia: role.via,
    ...(role.choices ? { roleChoices: role.choices } : {}),
    facts: {
      salespeople,
      verifiedDomains: organization.verifiedDomains.map((d) => d.name.toLowerCase()).filter(Boolean),
      couplings: couplings && couplings.map((c) => ({ salespersonId: c.salespersonId, systemUserId: c.systemUserId })),
      entraUsers: [...entra.values()].map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        mail: u.mail,
        displayName: u.displayName,
        accountEnabled: u.accountEnabled,
        usageLocation: u.usageLocation,
        onPremisesSyncEnabled: u.onPremisesSyncEnabled === true,
        salesLicensed: u.skuIds.some((id) => capable.has(id)),
      })),
      salesUsers: [...salesUsers.values()].map(toFact),
      ...(couplingEndpoint ? {} : { primaryEmailUsers: byPrimaryEmail.map(toFact) }),
    },
  };
}

/** What planning for imported users needs: licences, the environment's security group and the Salesperson role (or the roles to pick it from). */
export async function observePlanningFacts(
  clients: Clients,
  environment: PlanEnvironment,
  salespersonChoice?: RoleChoice,
): Promise<Pick<SalespeopleObservation, 'skus' | 'salespersonRole' | 'roleChoices' | 'securityGroup'>> {
  const sales = clients.sales(environment.dataverseUrl);
  // Imported users are new accounts: none is a member of the environment's security group yet.
  const [skus, role, securityGroup] = await Promise.all([skuInfo(clients), salespersonRoleOf(sales, salespersonChoice), observeMemberships(clients, environment, [])]);
  return { skus, securityGroup, salespersonRole: role.role, ...(role.choices ? { roleChoices: role.choices } : {}) };
}

/** The root business unit's roles an admin may pick for salespeople (whatever is resolved now). */
export async function observePickableRoles(clients: Clients, environment: PlanEnvironment): Promise<RoleChoice[]> {
  const sales = clients.sales(environment.dataverseUrl);
  const [roles, units] = await Promise.all([sales.listRoles(), sales.listBusinessUnits()]);
  return pickableRoles(roles.map(toEnvironmentRole), units.find((u) => u.isRoot)?.id ?? '').map(toRoleChoice);
}
