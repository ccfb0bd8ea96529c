/**
 * The demo tenant "Contoso Norge": its fixed ids (SEED) and the state it starts from.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_NON_INTERACTIVE_LIMIT } from './dataverseLimits';
import type { SeedOptions } from './settings';
import type { AppRegistration, Company, GraphUser, Group, Role, Salesperson, SandboxState, Sku, SystemUser } from './state';

export const SEED = {
  tenantId: '7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10',
  tenantName: 'Contoso Norge',
  domains: { initial: 'contosonorge.onmicrosoft.com', verified: 'contoso.no', unverified: 'fabrikam-demo.com' },
  admin: { id: '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601', upn: 'ingrid.berg@contoso.no', displayName: 'Ingrid Berg' },
  environment: { bapId: 'c4a2e8f0-1b3d-4e5f-9a7b-2c6d8e0f1a3b', name: 'Contoso Sales (Production)', dataverseOrg: 'contososales' },
  businessCentral: { environment: 'Production', companyName: 'CRONUS Norge AS', companyId: 'd8976880-678b-457c-adad-7b5b624c6c0f' },
  /**
   * The tenant's other environments, for choosing from live lists: Business Central's production
   * environment is linked (admin center) to the Sales environment above; a BC sandbox and two more
   * Power Platform environments are not linked — one of them a Sales environment in another
   * region, one without Dataverse (the tenant's default environment).
   */
  otherEnvironments: {
    bcSandbox: { name: 'Sandbox', companyName: 'CRONUS Norge AS (test)', companyId: '2b6f4a1c-8d3e-4f5a-9c7b-1e0d2a4b6c8f' },
    salesUs: { bapId: '9d3b5f7a-1c2e-4a6b-8d0f-3e5a7c9b1d2f', name: 'Contoso Sales US', dataverseOrg: 'contososalesus', location: 'unitedstates', azureRegion: 'eastus' },
    salesTest: { bapId: 'e7c3a9b1-2d5f-4a8e-b6c0-9d1f3e5a7c2b', name: 'Contoso Sales (Test)', dataverseOrg: 'contososalestest' },
    default: { bapId: 'Default-7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10', name: 'Contoso Norge (default)' },
  },
  /** applicationid of the "Business Central Integration" application user */
  bcAppId: '6cdfa691-f9f4-49de-a40e-043b0af7b928',
  /** applicationid of the application user the product signs in to Dataverse as (WhoAmI) */
  assistantAppId: '6caeedfe-8eb8-438d-b5ca-7e0be90f6b34',
  approverGroupId: '878d9152-aae7-44c0-9181-bbff88bcf925',
  /** The environment's security group and a group nested in it (seed option environmentSecurityGroup). */
  environmentGroupId: '3f0c6a7e-2b4d-4c8e-9a61-5d2e8b7f1c04',
  environmentNestedGroupId: '7a9e1d3b-6c2f-4e5a-8b70-1f4d9c2e6a85',
  roleTemplates: {
    systemAdministrator: '627090ff-40a3-4053-8790-584edc5be201',
    systemCustomizer: '119f245c-3cc8-4b62-b31c-d1a046ced15d',
    salesManager: '495fdd77-d957-43d5-b9e6-09e1459d1c0e',
    salesperson: 'f4dbae67-33da-4776-87e4-1a86a9d7b1ca',
    bcIntegration: '2186885f-845a-4543-b06c-01b42686789c',
  },
  roleNames: {
    systemAdministrator: 'System Administrator',
    systemCustomizer: 'System Customizer',
    salesManager: 'Sales Manager',
    salesperson: 'Salesperson',
    bcIntegration: 'Business Central Dataverse Integration',
  },
  /**
   * The same roles in an environment whose base language is Norwegian Bokmål (1044), as Microsoft's
   * nb-NO documentation names them ("sikkerhetsrollen som systemansvarlig eller systemtilpasser",
   * create-edit-security-role; Salgssjef and Selger in the nb-NO procedure this product follows). The integration role comes from Business Central's solution;
   * whether it is translated is not documented, so the Norwegian seed keeps its name.
   */
  roleNamesNb: {
    systemAdministrator: 'Systemansvarlig',
    systemCustomizer: 'Systemtilpasser',
    salesManager: 'Salgssjef',
    salesperson: 'Selger',
    bcIntegration: 'Business Central Dataverse Integration',
  },
  /** Dataverse organization.languagecode (LCID) of the base language */
  languageCodes: { en: 1033, nb: 1044 },
  skus: {
    customerEngagementPlan: 'ea126fc5-a19e-42e2-a731-da9d437bffcf',
    sales: '1e1a282c-9c54-43a2-9310-98ef728faace',
    salesCustomerService: '8edc2cf8-6438-4fa9-b6e3-aa1660c640cc',
    office365E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    /** Microsoft Entra ID P1 (AAD_PREMIUM), with the seed option groupBasedLicensing */
    entraIdP1: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4',
  },
  /** Graph permissions group-based licensing needs beside the README's table (seed option groupBasedLicensing). */
  groupLicensingGraphRoles: ['LicenseAssignment.ReadWrite.All', 'Group.Create'],
  dataverse: {
    organizationId: '8f623467-cf4f-407b-be7d-64fab5d9ad9a',
    /** salgBergen (a child of Salg Vest) exists only with the seed option `nestedBusinessUnit` */
    businessUnits: { root: '7952873c-cddf-4959-9d51-a60b0749e8a4', salgVest: 'bd71b442-feb1-4233-8592-f0e9d6d5515b', salgBergen: '5c1e9a3d-7b42-4f0e-8d6a-2e9b4c7f1a58' },
    roles: {
      root: {
        systemAdministrator: 'd254c258-63ae-4a0a-b909-f8ab568d3a4f',
        systemCustomizer: 'de7432fc-d4c2-4540-bd80-bfd24b0afaf0',
        salesManager: 'c4bba2ec-2128-427a-a69c-30bca964e5ab',
        salesperson: '012cd9f7-b302-457d-80a9-d0d1a4cf0ceb',
        /** Business Central's own root role id (codeunit 7201, IntegrationRoleIdTxt) */
        bcIntegration: 'a2b18661-9ff5-e911-a812-000d3a0b9028',
      },
      salgVest: {
        systemAdministrator: 'f423d5f1-0af5-4f81-97dd-6d51b680c93b',
        systemCustomizer: '9fd5c89a-f9f1-4618-9259-ae5868ec25d3',
        salesManager: '70098935-c4fe-4144-81a2-b7504670358d',
        salesperson: '9db4053e-6884-47a2-8185-ddb9457b9534',
        bcIntegration: 'a932c10f-49fb-4ca0-9a2f-7964d2748819',
      },
      salgBergen: {
        systemAdministrator: '3f6b2d81-94c7-4e2a-b1d5-7a08c3e9f612',
        systemCustomizer: '8e2a7c40-1d5b-4f93-a6e8-0b4c9d2f7e31',
        salesManager: 'c07d4e9a-2b61-4c8f-9e3a-5d1f8b6a2c74',
        salesperson: '61b9f3e2-7a4c-4d05-8b2e-9c3a1f6d4e87',
        bcIntegration: 'e4a8c1f6-3d92-4b7e-a5c0-8f2d6b9e1a43',
      },
    },
    teams: { root: '24b6a575-6b47-4775-ad24-3cec662dc41a', salgVest: 'bbdad0f3-e00c-466c-994c-b85e53ba1a2d', salgBergen: '9a3f5c7e-1b2d-4e6f-8a9c-0d1e2f3a4b5c' },
    systemUsers: {
      system: 'ed7f4fa7-67c0-4d9c-b7cd-1ebdbc4a07fb',
      integration: '04afcb10-154c-4629-971d-051687431880',
      bcIntegrationApp: 'b69d3ccc-0835-498b-969b-2d84c9304858',
      assistantApp: '4e355aad-7384-4e23-b1ec-4aa3fe2e9548',
      admin: 'de4e48b0-f02c-4656-8c2b-ac0fdef6d263',
      kariHansen: 'cd25b264-1fab-44c5-8711-6d93e90eeeb2',
      larsJohansen: 'f2e9c202-5ede-4b49-b9ee-eaf2173e8de2',
      reporting: '09364f64-142c-4f4f-8afa-f3b335daaf93',
    },
  },
  users: {
    kariHansen: { id: '5374909c-e13a-4010-a032-9bea491d7491', upn: 'kari.hansen@contoso.no' },
    larsJohansen: { id: '6fbf6ad6-70a8-4731-a695-1f15fa696fe0', upn: 'lars.johansen@contoso.no' },
    oysteinBakke: { id: '80456ac6-e672-4023-983d-66f393a478ac', upn: 'oystein.bakke@contoso.no' },
    marteNilsen: { id: 'cf481a9c-a4b7-42c7-8d52-229a19fa0f2b', upn: 'marte.nilsen@contoso.no' },
    hegePedersen: { id: '0c3d4709-1d4d-446d-8002-5ea051bc9abd', upn: 'hege@contoso.no' },
    perOlsen: { id: '2386e860-a234-4006-bdd6-7e8560b4ccdb', upn: 'per.olsen@contoso.no' },
    siljeAndersen: { id: 'e490d22a-d60e-4559-8ffc-9d9f304ebac6', upn: 'silje.andersen@contoso.no' },
    thomasLarsen: { id: 'f5b4a3ac-8782-4f24-b80e-b66cb98eb010', upn: 'thomas.larsen@contoso.no' },
    reporting: { id: 'd09e8a8b-971a-4c47-8a56-2092ebc9dd4a', upn: 'rapport.tjeneste@contoso.no' },
  },
  servicePrincipals: { bcIntegration: '935c045e-3b27-471c-a052-c38853b20515', assistant: 'a0d9c2e4-3f1b-4c8e-9d7a-5b6e4f3a2c1d' },
  /**
   * The product's app registration: its client id is the assistant's application user in Dataverse.
   * The client secret is a fixed, public sandbox value (not a credential of any real tenant).
   */
  app: {
    clientId: '6caeedfe-8eb8-438d-b5ca-7e0be90f6b34',
    clientSecret: 'sandbox-client-secret-not-a-real-secret',
    displayName: 'BC Setup Assistant',
    /** The README's permission table: Microsoft Graph application permissions */
    graphRoles: ['User.ReadWrite.All', 'Organization.Read.All', 'GroupMember.ReadWrite.All'],
    /** ... and Dynamics 365 Business Central's (the admin center's for the environment lists) */
    businessCentralRoles: ['API.ReadWrite.All', 'AdminCenter.ReadWrite.All'],
  },
  /** free seats of the Sales SKU in the default seed (N + 50 with N synthetic salespeople) */
  freeSalesSeats: 8,
} as const;

/** All seeded data is dated here, so two seeds are identical byte for byte. */
export const SEED_TIME = Date.parse('2025-01-15T08:00:00Z');
const ISO = new Date(SEED_TIME).toISOString();

/** A stable GUID derived from a name. */
export function guidFrom(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const P = {
  DYN365_ENTERPRISE_P1: 'd56f3deb-50d8-465a-bedb-f079817ccac1',
  DYN365_ENTERPRISE_SALES: '2da8e897-7791-486b-b08f-cc63c8129df7',
  DYN365_ENTERPRISE_CUSTOMER_SERVICE: '99340b49-fb81-4b1e-976b-8f2ae8e9394f',
  FLOW_DYN_APPS: '7e6d7d78-73de-46ba-83b1-6d25117334ba',
  POWERAPPS_DYN_APPS: '874fc546-6efe-4d22-90b8-5c4e7aa59f4b',
  PROJECT_ESSENTIALS: '1259157c-8581-4875-bca7-2ffb18c51bda',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38',
  // Microsoft Entra ID P1 (Learn "Product names and service plan identifiers for licensing")
  AAD_PREMIUM: '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
  ADALLOM_S_DISCOVERY: '932ad362-64a8-4783-9106-97849a1a30b9',
  EXCHANGE_S_FOUNDATION: '113feb6c-3fe4-4440-bddc-54d774bf0318',
  MFA_PREMIUM: '8a256a2b-b617-496d-b51b-e76466e88db0',
} as const;

const plans = (...names: (keyof typeof P)[]) => names.map((n) => ({ servicePlanId: P[n], servicePlanName: n, appliesTo: 'User' }));

function entraIdP1(seats: number): Sku {
  return { skuId: SEED.skus.entraIdP1, skuPartNumber: 'AAD_PREMIUM', enabled: seats, suspended: 0, warning: 0, consumedOffset: 0,
    servicePlans: plans('AAD_PREMIUM', 'ADALLOM_S_DISCOVERY', 'EXCHANGE_S_FOUNDATION', 'MFA_PREMIUM') };
}

function skus(synthetic: number): Sku[] {
  const salesModelled = 4; // Ingrid, Kari, Lars, the reporting account
  const salesEnabled = 25 + (synthetic > 0 ? synthetic + 50 - SEED.freeSalesSeats : 0);
  return [
    { skuId: SEED.skus.customerEngagementPlan, skuPartNumber: 'DYN365_ENTERPRISE_PLAN1', enabled: 10, suspended: 0, warning: 0, consumedOffset: 10,
      servicePlans: plans('DYN365_ENTERPRISE_P1', 'PROJECT_ESSENTIALS', 'FLOW_DYN_APPS', 'POWERAPPS_DYN_APPS') },
    { skuId: SEED.skus.sales, skuPartNumber: 'DYN365_ENTERPRISE_SALES', enabled: salesEnabled, suspended: 0, warning: 0,
      consumedOffset: 25 - SEED.freeSalesSeats - salesModelled,
      servicePlans: plans('DYN365_ENTERPRISE_SALES', 'PROJECT_ESSENTIALS', 'FLOW_DYN_APPS', 'POWERAPPS_DYN_APPS') },
    { skuId: SEED.skus.salesCustomerService, skuPartNumber: 'DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE', enabled: 10, suspended: 0, warning: 0, consumedOffset: 8,
      servicePlans: plans('DYN365_ENTERPRISE_SALES', 'DYN365_ENTERPRISE_CUSTOMER_SERVICE', 'FLOW_DYN_APPS', 'POWERAPPS_DYN_APPS') },
    { skuId: SEED.skus.office365E3, skuPartNumber: 'ENTERPRISEPACK', enabled: 150, suspended: 0, warning: 0, consumedOffset: 36,
      servicePlans: plans('EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'MCOSTANDARD', 'TEAMS1', 'OFFICESUBSCRIPTION') },
  ];
}

interface UserSpec {
  id: string; upn: string; given: string; sur: string; display?: string; mail?: string | null; job?: string;
  enabled?: boolean; loc?: string | null; lic?: string[]; phone?: string;
}

function user(u: UserSpec): GraphUser {
  return {
    id: u.id,
    userPrincipalName: u.upn,
    displayName: u.display ?? `${u.given} ${u.sur}`,
    mailNickname: u.upn.split('@')[0],
    givenName: u.given,
    surname: u.sur,
    mail: u.mail === undefined ? u.upn : u.mail,
    jobTitle: u.job ?? null,
    accountEnabled: u.enabled ?? true,
    usageLocation: u.loc === undefined ? 'NO' : u.loc,
    createdDateTime: ISO.replace(/\.\d{3}Z$/, 'Z'),
    userType: 'Member',
    passwordSet: true,
    forceChangePasswordNextSignIn: false,
    profile: { businessPhones: u.phone ? [u.phone] : [], officeLocation: 'Oslo', preferredLanguage: 'nb-NO', department: u.job ? 'Salg' : null },
    assignedLicenses: (u.lic ?? []).map((skuId) => ({ skuId, disabledPlans: [], assignedAt: SEED_TIME })),
  };
}

function graphUsers(): GraphUser[] {
  const { sales, office365E3: e3 } = SEED.skus;
  const U = SEED.users;
  return [
    user({ id: SEED.admin.id, upn: SEED.admin.upn, given: 'Ingrid', sur: 'Berg', job: 'IT-sjef', lic: [e3, sales], phone: '+47 22 00 10 01' }),
    user({ ...U.kariHansen, given: 'Kari', sur: 'Hansen', job: 'Selger', lic: [e3, sales], phone: '+47 22 00 10 11' }),
    user({ ...U.larsJohansen, given: 'Lars', sur: 'Johansen', job: 'Selger', lic: [sales] }),
    user({ ...U.oysteinBakke, given: 'Øystein', sur: 'Bakke', job: 'Selger', lic: [e3] }),
    user({ ...U.marteNilsen, given: 'Marte', sur: 'Nilsen', job: 'Selger', loc: null }),
    user({ ...U.hegePedersen, given: 'Hege', sur: 'Pedersen', job: 'Salgssjef', mail: 'hege.pedersen@contoso.no' }),
    user({ ...U.perOlsen, given: 'Per', sur: 'Olsen', enabled: false }),
    user({ ...U.siljeAndersen, given: 'Silje', sur: 'Andersen', job: 'Regnskapsfører', lic: [e3] }),
    user({ ...U.thomasLarsen, given: 'Thomas', sur: 'Larsen', loc: null }),
    user({ ...U.reporting, given: 'Rapport', sur: 'Tjeneste', display: 'Rapport Tjeneste (Power BI)', mail: null, lic: [sales] }),
  ];
}

export type RoleKey = keyof typeof SEED.roleTemplates;

/** Role template ids Microsoft publishes (the others are the environment's own, absent in the Norwegian seed). */
const PUBLISHED_TEMPLATES: ReadonlySet<RoleKey> = new Set(['systemAdministrator', 'systemCustomizer']);

/** The role names an environment seeded with these options has. */
export function seedRoleNames(opts: SeedOptions = {}): Record<RoleKey, string> {
  return { ...(opts.language === 'nb' ? SEED.roleNamesNb : SEED.roleNames), ...(opts.roleNames ?? {}) };
}

/**
 * Every role in every business unit: a copy's parentroleid is its parent unit's copy, its
 * parentrootroleid the root unit's role (Dataverse role entity: ParentRoleId, ParentRootRoleId).
 */
function roles(opts: SeedOptions): Role[] {
  const out: Role[] = [];
  const { root, salgVest, salgBergen } = SEED.dataverse.businessUnits;
  const names = seedRoleNames(opts);
  for (const key of Object.keys(SEED.roleTemplates) as RoleKey[]) {
    const rootId = SEED.dataverse.roles.root[key];
    const template = opts.language === 'nb' && !PUBLISHED_TEMPLATES.has(key) ? null : SEED.roleTemplates[key];
    const base = { name: names[key], roletemplateid: template, parentrootroleid: rootId };
    out.push({ ...base, roleid: rootId, businessunitid: root, parentroleid: null });
    out.push({ ...base, roleid: SEED.dataverse.roles.salgVest[key], businessunitid: salgVest, parentroleid: rootId });
    if (opts.nestedBusinessUnit) {
      out.push({ ...base, roleid: SEED.dataverse.roles.salgBergen[key], businessunitid: salgBergen, parentroleid: SEED.dataverse.roles.salgVest[key] });
    }
  }
  return out;
}

function systemUser(s: Partial<SystemUser> & Pick<SystemUser, 'systemuserid' | 'fullname' | 'domainname'>): SystemUser {
  return {
    firstname: null, lastname: null, internalemailaddress: null, azureactivedirectoryobjectid: null, applicationid: null,
    isdisabled: false, islicensed: false, isintegrationuser: false, accessmode: 0, businessunitid: SEED.dataverse.businessUnits.root,
    title: null, createdon: ISO, modifiedon: ISO, versionnumber: 1000, sync: null, ...s,
  };
}

function personUser(id: string, g: GraphUser, extra: Partial<SystemUser> = {}): SystemUser {
  return systemUser({
    systemuserid: id, fullname: g.displayName, firstname: g.givenName, lastname: g.surname, domainname: g.userPrincipalName,
    internalemailaddress: g.mail, azureactivedirectoryobjectid: g.id, islicensed: true, title: g.jobTitle,
    sync: { enabled: true, licensed: true, mail: g.mail }, ...extra,
  });
}

function systemUsers(users: GraphUser[], opts: SeedOptions): SystemUser[] {
  const S = SEED.dataverse.systemUsers;
  const byId = (id: string) => users.find((u) => u.id === id)!;
  return [
    systemUser({ systemuserid: S.system, fullname: 'SYSTEM', domainname: '', accessmode: 3 }),
    systemUser({ systemuserid: S.integration, fullname: 'INTEGRATION', domainname: '', accessmode: 4 }),
    systemUser({ systemuserid: S.bcIntegrationApp, fullname: 'Business Central Integration', firstname: 'Business Central', lastname: 'Integration',
      domainname: `${SEED.bcAppId}@${SEED.domains.initial}`, applicationid: SEED.bcAppId, azureactivedirectoryobjectid: SEED.servicePrincipals.bcIntegration, accessmode: 4 }),
    systemUser({ systemuserid: S.assistantApp, fullname: 'BC Setup Assistant', firstname: 'BC Setup', lastname: 'Assistant',
      domainname: `${SEED.assistantAppId}@${SEED.domains.initial}`, applicationid: SEED.assistantAppId, azureactivedirectoryobjectid: SEED.servicePrincipals.assistant, accessmode: 4 }),
    personUser(S.admin, byId(SEED.admin.id)),
    personUser(S.kariHansen, byId(SEED.users.kariHansen.id)),
    // With a third level of business units Lars works in Salg Bergen (under Salg Vest).
    personUser(S.larsJohansen, byId(SEED.users.larsJohansen.id), {
      businessunitid: opts.nestedBusinessUnit ? SEED.dataverse.businessUnits.salgBergen : SEED.dataverse.businessUnits.salgVest,
    }),
    personUser(S.reporting, byId(SEED.users.reporting.id), { accessmode: 4 }),
  ];
}

interface SpSpec { code: string; name: string; email: string; job?: string; phone?: string; blocked?: boolean; commission?: number }

const SALESPEOPLE: SpSpec[] = [
  { code: 'KH', name: 'Kari Hansen', email: 'kari.hansen@contoso.no', job: 'Key Account Manager', phone: '+47 22 00 10 11', commission: 5 },
  { code: 'LJ', name: 'Lars Johansen', email: 'lars.johansen@contoso.no', job: 'Selger', phone: '+47 55 00 20 12', commission: 4 },
  { code: 'ØB', name: 'Øystein Bakke', email: 'oystein.bakke@contoso.no', job: 'Selger', phone: '+47 73 00 30 13', commission: 4 },
  { code: 'MN', name: 'Marte Nilsen', email: 'marte.nilsen@contoso.no', job: 'Selger', phone: '+47 22 00 10 14', commission: 3 },
  { code: 'HP', name: 'Hege Pedersen', email: 'hege.pedersen@contoso.no', job: 'Salgssjef', phone: '+47 22 00 10 15', commission: 6 },
  { code: 'OO', name: "Ola O'Brien", email: "ola.o'brien@contoso.no", job: 'Selger', phone: '+47 51 00 40 16', commission: 3 },
  { code: 'EH', name: 'Eirik Haugen', email: 'eirik.haugen@contoso.no', job: 'Selger', phone: '+47 69 00 50 17', commission: 3 },
  { code: 'SL', name: 'Siri Lunde', email: 'siri.lunde@contoso.no', job: 'Innkjøper', phone: '+47 38 00 60 18' },
  { code: 'BJ', name: 'Bjørn Jakobsen', email: 'bjorn.jakobsen@contoso.no', job: 'Selger', phone: '+47 77 00 70 19', commission: 3 },
  { code: 'AK', name: 'Anders Kristiansen', email: 'anders.kristiansen@contoso.no', job: 'Selger (sluttet)', blocked: true },
  { code: 'TM', name: 'Tone Moen', email: '', job: 'Innkjøper', phone: '+47 22 00 10 21' },
  { code: 'JD', name: 'Jonas Dahl', email: 'jonas.dahl@fabrikam-demo.com', job: 'Agent', phone: '+47 90 00 80 22', commission: 8 },
];

function salesperson(s: SpSpec, minute: number): Salesperson {
  return {
    id: guidFrom(`bc-salesperson:${s.code}`), code: s.code, displayName: s.name, email: s.email, email2: '', phoneNo: s.phone ?? '',
    jobTitle: s.job ?? '', commissionPercent: s.commission ?? 0, blocked: s.blocked ?? false, privacyBlocked: false,
    lastModifiedDateTime: new Date(SEED_TIME - 86_400_000 * 30 + minute * 60_000).toISOString(),
  };
}

function company(synthetic: number): Company {
  const people = SALESPEOPLE.map((s, i) => salesperson(s, i));
  for (let i = 1; i <= synthetic; i++) {
    const n = String(i).padStart(5, '0');
    people.push({ ...salesperson({ code: `S${n}`, name: `Selger ${n}`, email: `sales${n}@contoso.no`, job: 'Selger' }, 100 + i), id: guidFrom(`bc-salesperson:S${n}`) });
  }
  return {
    id: SEED.businessCentral.companyId, systemVersion: '25.3.28755.30010', timestamp: 115204, name: SEED.businessCentral.companyName,
    displayName: SEED.businessCentral.companyName, businessProfileId: '', systemCreatedAt: '2024-10-01T07:12:44.903Z',
    systemCreatedBy: '00000000-0000-0000-0000-000000000001', systemModifiedAt: '2024-10-01T07:12:44.903Z',
    systemModifiedBy: '00000000-0000-0000-0000-000000000001', salespeople: people,
  };
}

/** The app registration as the README's "Pointing it at a real tenant" sets it up. */
export function seedAppRegistration(): AppRegistration {
  return {
    clientId: SEED.app.clientId,
    servicePrincipalId: SEED.servicePrincipals.assistant,
    displayName: SEED.app.displayName,
    clientSecretSha256: createHash('sha256').update(SEED.app.clientSecret).digest('hex'),
    graphRoles: [...SEED.app.graphRoles],
    businessCentralRoles: [...SEED.app.businessCentralRoles],
    powerPlatformManagementApp: true,
    businessCentralEntraApplication: true,
    businessCentralAdminCenterApp: true,
  };
}

function environmentGroups(): Group[] {
  const U = SEED.users;
  const group = (id: string, displayName: string, mailNickname: string, members: string[]): Group =>
    ({ id, displayName, description: null, mailNickname, mailEnabled: false, securityEnabled: true, members });
  return [
    group(SEED.environmentGroupId, 'Contoso Sales Access', 'contososalesaccess', [U.kariHansen.id, U.reporting.id, SEED.environmentNestedGroupId]),
    group(SEED.environmentNestedGroupId, 'Salg Vest team', 'salgvestteam', [U.larsJohansen.id]),
  ];
}

/** A fresh tenant. */
export function createSeedState(opts: SeedOptions = {}): SandboxState {
  const synthetic = opts.syntheticSalespeople ?? 0;
  const users = graphUsers();
  const { root, salgVest, salgBergen } = SEED.dataverse.businessUnits;
  const R = SEED.dataverse.roles.root;
  const nested = !!opts.nestedBusinessUnit;
  const S = SEED.dataverse.systemUsers;
  return {
    version: 1,
    app: opts.groupBasedLicensing ? { ...seedAppRegistration(), graphRoles: [...SEED.app.graphRoles, ...SEED.groupLicensingGraphRoles] } : seedAppRegistration(),
    tenant: {
      id: SEED.tenantId, displayName: SEED.tenantName, countryLetterCode: 'NO',
      domains: [
        { name: SEED.domains.verified, isVerified: true, isDefault: true, isInitial: false },
        { name: SEED.domains.initial, isVerified: true, isDefault: false, isInitial: true },
        { name: SEED.domains.unverified, isVerified: false, isDefault: false, isInitial: false },
      ],
    },
    graph: {
      users,
      skus: [...skus(synthetic), ...(opts.groupBasedLicensing ? [entraIdP1(opts.groupLicensingSeats ?? 300)] : [])],
      groups: [{ id: SEED.approverGroupId, displayName: 'BC Setup Approvers', description: 'May approve account changes for Business Central and Sales.',
        mailNickname: 'bcsetupapprovers', mailEnabled: false, securityEnabled: true, members: [SEED.admin.id] },
        ...(opts.environmentSecurityGroup ? environmentGroups() : [])],
    },
    dataverse: {
      organizationId: SEED.dataverse.organizationId, organizationName: SEED.environment.dataverseOrg, callerId: S.assistantApp,
      languageCode: SEED.languageCodes[opts.language ?? 'en'],
      businessUnits: [
        { businessunitid: root, name: SEED.environment.dataverseOrg, parentbusinessunitid: null },
        { businessunitid: salgVest, name: 'Salg Vest', parentbusinessunitid: root },
        ...(nested ? [{ businessunitid: salgBergen, name: 'Salg Bergen', parentbusinessunitid: salgVest }] : []),
      ],
      roles: roles(opts),
      systemUsers: systemUsers(users, opts),
      teams: [
        { teamid: SEED.dataverse.teams.root, name: SEED.environment.dataverseOrg, teamtype: 0, businessunitid: root, isdefault: true, azureactivedirectoryobjectid: null },
        { teamid: SEED.dataverse.teams.salgVest, name: 'Salg Vest', teamtype: 0, businessunitid: salgVest, isdefault: true, azureactivedirectoryobjectid: null },
        ...(nested ? [{ teamid: SEED.dataverse.teams.salgBergen, name: 'Salg Bergen', teamtype: 0, businessunitid: salgBergen, isdefault: true, azureactivedirectoryobjectid: null }] : []),
        seedOwningTeam(),
      ],
      userRoles: [
        { ownerid: S.bcIntegrationApp, roleid: R.bcIntegration },
        { ownerid: S.assistantApp, roleid: R.systemAdministrator },
        { ownerid: S.admin, roleid: R.systemAdministrator },
        { ownerid: S.kariHansen, roleid: R.salesperson },
        { ownerid: S.reporting, roleid: R.salesManager },
      ],
      teamRoles: [{ ownerid: SEED_INTEGRATION.owningTeamId, roleid: SEED.dataverse.roles.salgVest.bcIntegration }],
      currencies: seedCurrencies(),
      bcCompanies: [seedBcCompanyRecord()],
      teamMembers: [],
      maxNonInteractiveUsers: opts.maxNonInteractiveUsers === undefined ? DEFAULT_NON_INTERACTIVE_LIMIT : opts.maxNonInteractiveUsers,
    },
    bap: {
      environments: [{ id: SEED.environment.bapId, displayName: SEED.environment.name, location: 'europe', environmentSku: 'Production',
        dataverseOrg: SEED.environment.dataverseOrg, securityGroupId: opts.environmentSecurityGroup ? SEED.environmentGroupId : null,
        ...(opts.administrationMode ? { runtimeState: 'AdminMode' } : {}) },
        ...otherPowerPlatformEnvironments()],
    },
    bc: {
      environments: [
        { name: SEED.businessCentral.environment, type: 'Production', countryCode: 'NO', linkedPowerPlatformEnvironmentId: SEED.environment.bapId, companies: [{ ...company(synthetic), ...(opts.bcLocalCurrency ? { localCurrency: opts.bcLocalCurrency } : {}) }] },
        sandboxBcEnvironment(),
      ],
    },
  };
}

/** The Power Platform environments beside the Sales environment the sandbox serves (none of them linked to Business Central). */
function otherPowerPlatformEnvironments(): SandboxState['bap']['environments'] {
  const O = SEED.otherEnvironments;
  return [
    { id: O.salesUs.bapId, displayName: O.salesUs.name, location: O.salesUs.location, azureRegion: O.salesUs.azureRegion, environmentSku: 'Production',
      dataverseOrg: O.salesUs.dataverseOrg, securityGroupId: null },
    { id: O.salesTest.bapId, displayName: O.salesTest.name, location: 'europe', environmentSku: 'Sandbox', dataverseOrg: O.salesTest.dataverseOrg, securityGroupId: null },
    { id: O.default.bapId, displayName: O.default.name, location: 'europe', environmentSku: 'Default', dataverseOrg: '', securityGroupId: null, hasDataverse: false },
  ];
}

/** Business Central's sandbox environment: a copy of the company with three salespeople, linked to nothing. */
function sandboxBcEnvironment(): SandboxState['bc']['environments'][number] {
  const O = SEED.otherEnvironments.bcSandbox;
  const base = company(0);
  const copy: Company = {
    ...base, id: O.companyId, name: O.companyName, displayName: O.companyName,
    salespeople: base.salespeople.slice(0, 3).map((p) => ({ ...p, id: guidFrom(`bc-sandbox-salesperson:${p.code}`) })),
  };
  return { name: O.name, type: 'Sandbox', countryCode: 'NO', linkedPowerPlatformEnvironmentId: null, companies: [copy] };
}

/**
 * What Business Central's Dataverse connection leaves in the environment (codeunit 7201 "CDS
 * Integration Impl."): its company record (`bcbi_company`, BC table 5393 "CDS Company") whose
 * default owning team is "BCI - <business unit>" (`TeamNameTemplateTok`), an owner team in the
 * business unit chosen for BC (here Salg Vest) holding that unit's copy of the integration role;
 * and Dataverse's currencies (NOK is the base currency of this Norwegian organisation).
 */
export const SEED_INTEGRATION = {
  owningTeamId: 'b7c1e4a2-5d3f-4a8b-9c6e-2f1d0a7b3e95',
  owningTeamName: 'BCI - Salg Vest',
  bcCompanyRecordId: 'e2f4a6c8-1b3d-4e5f-8a7c-9d0b2c4e6f81',
  currencies: { NOK: '6a1d2c3b-4e5f-4a7b-8c9d-0e1f2a3b4c5d', EUR: '7b2e3d4c-5f6a-4b8c-9d0e-1f2a3b4c5d6e' },
} as const;

function seedOwningTeam() {
  return { teamid: SEED_INTEGRATION.owningTeamId, name: SEED_INTEGRATION.owningTeamName, teamtype: 0, businessunitid: SEED.dataverse.businessUnits.salgVest, isdefault: false, azureactivedirectoryobjectid: null };
}

function seedBcCompanyRecord() {
  return { bcbi_companyid: SEED_INTEGRATION.bcCompanyRecordId, bcbi_name: SEED.businessCentral.companyName, bcbi_externalid: SEED.businessCentral.companyId, defaultowningteam: SEED_INTEGRATION.owningTeamId };
}

function seedCurrencies() {
  return [
    { transactioncurrencyid: SEED_INTEGRATION.currencies.NOK, isocurrencycode: 'NOK', currencyname: 'Norsk krone', currencysymbol: 'kr' },
    { transactioncurrencyid: SEED_INTEGRATION.currencies.EUR, isocurrencycode: 'EUR', currencyname: 'Euro', currencysymbol: '€' },
  ];
}
