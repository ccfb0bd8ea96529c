import { AppError } from '../errors';
import type { SkuInfo } from '../setup/adminPlanner';
import type { PlanEnvironment } from '../setup/plan';
import { ROLE_NAMES, sameName } from '../setup/roles';
import type { BcSalesperson, SalespeopleFacts } from '../setup/salespeopleMatch';
import { lookUpUsers } from './bulkDirectory';
import { findSalesUsers } from './bulkSales';
import type { Clients } from './clients';
import { CouplingClient, couplingRoot } from './clients/coupling';
import { skuInfo } from './observe';
import { observeMemberships } from './securityGroup';
import type { EnvironmentSecurityGroup } from '../setup/plan';

/**
 * What Part 3 needs to know, read in bulk: every salesperson of the company (all pages), their
 * accounts by e-mail (as sign-in name or mail), their Sales users with roles, the couplings (when
 * a coupling endpoint is configured), licences, verified domains and the organisation's country.
 * Reads only.
 */

export interface SalespeopleObservation {
  company: { id: string; name: string };
  facts: SalespeopleFacts;
  skus: SkuInfo[];
  /** The root business unit's Salesperson role (absent: the environment has none). */
  salespersonRole?: { roleid: string; name: string; roletemplateid: string | null };
  /** The organisation's country (ISO 3166 alpha-2), the default usage location. */
  country: string | null;
  /** The coupling endpoint's root for this tenant and environment, when configured. */
  couplingEndpoint?: string;
  /** The environment's security group and which of the salespeople's accounts are not in it. */
  securityGroup?: EnvironmentSecurityGroup | null;
}

export interface ObserveOptions {
  tenantId: string;
  couplingUrl?: string;
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
  const [people, skus, organization, roles, units, couplings] = await Promise.all([
    clients.businessCentral(environment.bcEnvironment).allSalespeople(companyId),
    skuInfo(clients),
    clients.directory.getOrganization(),
    sales.listRoles(),
    sales.listBusinessUnits(),
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
  const [salesUsers, securityGroup] = await Promise.all([findSalesUsers(sales, [...entra.keys()]), observeMemberships(clients, environment, [...entra.keys()])]);

  const root = units.find((u) => u.isRoot)?.id;
  const salespersonRoles = roles.filter((r) => sameName(r.name, ROLE_NAMES.salesperson));
  const rootRole = salespersonRoles.find((r) => r.businessUnitId === root);
  const copies = new Set(roles.filter((r) => salespersonRoles.includes(r) || (rootRole && r.parentRoleId === rootRole.id)).map((r) => r.id));

  return {
    company: { id: companyId, name },
    skus,
    country: organization.countryLetterCode,
    couplingEndpoint,
    securityGroup,
    salespersonRole: rootRole && { roleid: rootRole.id, name: rootRole.name, roletemplateid: rootRole.templateId },
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
        salesLicensed: u.skuIds.some((id) => capable.has(id)),
      })),
      salesUsers: [...salesUsers.values()].map((u) => ({
        systemuserid: u.id,
        aadObjectId: u.aadObjectId,
        domainName: u.domainName,
        isDisabled: u.isDisabled,
        isLicensed: u.isLicensed,
        isIntegrationUser: u.isIntegrationUser,
        isApplicationUser: u.isApplicationUser,
        hasSalespersonRole: u.roleIds.some((id) => copies.has(id)),
      })),
    },
  };
}

/** What planning for imported users needs: licences and the Salesperson role. */
export async function observePlanningFacts(clients: Clients, environment: PlanEnvironment): Promise<Pick<SalespeopleObservation, 'skus' | 'salespersonRole' | 'securityGroup'>> {
  const sales = clients.sales(environment.dataverseUrl);
  // Imported users are new accounts: none is a member of the environment's security group yet.
  const [skus, roles, units, securityGroup] = await Promise.all([skuInfo(clients), sales.listRoles(), sales.listBusinessUnits(), observeMemberships(clients, environment, [])]);
  const root = units.find((u) => u.isRoot)?.id;
  const role = roles.find((r) => r.businessUnitId === root && sameName(r.name, ROLE_NAMES.salesperson));
  return { skus, securityGroup, salespersonRole: role && { roleid: role.id, name: role.name, roletemplateid: role.templateId } };
}
