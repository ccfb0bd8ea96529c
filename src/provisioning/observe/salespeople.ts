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
import { observeMemberships } from './securityGroup';
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

export async function observeSalespeople(clients: Clients, environment: PlanEnvironment, options: ObserveOptions): Promise<SalespeopleObservation> {
  const { id: companyId, name } = await company(clients, environment);
  const sales = clients.sales(environment.dataverseUrl);
  const couplingEndpoint = options.couplingUrl ? couplingRoot(options.couplingUrl, options.tenantId, environment.bcEnvironment) : undefined;
  const [people, skus, organization, role, couplings] = await Promise.all([
    clients.businessCentral(environment.bcEnvironment).allSalespeople(companyId),
    skuInfo(clients),
    clients.directory.getOrganization(),
    salespersonRoleOf(sales, options.salespersonChoice),
    couplingEndpoint ? new CouplingClient(couplingEndpoint, clients.policies.bc).list(companyId) : Promise.resolve(null),
  ]);
  const salespeople: BcSalesperson[] = people.map((p) => ({
    id: p.id,
    code: p.code,
    displayName: p.displayName,
    email: p.email.trim(),
    phoneNo: p.phoneNo,
    jobTitle: p.jobTitle,
    blocked: p.blocked,
  }));
  const emails = salespeople.filter((p) => !p.blocked && p.email).map((p) => p.email);
  const found = await lookUpUsers(clients.directory, { upns: emails, mails: emails });
  const entra = new Map([...found.byUpn.values(), ...found.byMail.values()].map((u) => [u.id, u]));
  const capable = new Set(skus.filter((s) => s.salesCapable).map((s) => s.skuId.toLowerCase()));
  // Without a coupling endpoint the admin couples with BC's Match-Based Coupling, which matches the
  // salesperson's e-mail against every Sales user's primary e-mail: read those too.
  const [salesUsers, securityGroup, byPrimaryEmail] = await Promise.all([
    findSalesUsers(sales, [...entra.keys()]),
    observeMemberships(clients, environment, [...entra.keys()]),
    couplingEndpoint ? Promise.resolve([] as BulkSalesUser[]) : findSalesUsersByPrimaryEmail(sales, emails),
  ]);
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
  const groupLicensing = await observeLicenceGroup(clients, skus, options.licenceGroup ?? DEFAULT_LICENCE_GROUP, securityGroup?.id);

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
