/**
 * The sandbox tenant's state: plain JSON data (Graph directory, Dataverse environment, Power
 * Platform environments, Business Central companies) and its persistence in one file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Service = 'graph' | 'dataverse' | 'bap' | 'bc';
export const SERVICES: readonly Service[] = ['graph', 'dataverse', 'bap', 'bc'];

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

// ---------------------------------------------------------------- Graph
export interface LicenseAssignment {
  skuId: string;
  disabledPlans: string[];
  /** epoch ms when the licence was assigned (drives background sync and propagation) */
  assignedAt: number;
  /** Group-based licensing: the groups this licence is inherited from (absent: none). */
  viaGroups?: string[];
  /** False when the licence is only inherited from groups (absent: assigned directly). */
  direct?: boolean;
}

/** A group licence Entra could not give the user (licenseAssignmentState with state Error). */
export interface LicenceError {
  skuId: string;
  groupId: string;
  /** CountViolation, MutuallyExclusiveViolation, DependencyViolation, ProhibitedInUsageLocationViolation, UniquenessViolation, Other */
  error: string;
  at: number;
}

/** A member whose group licence Entra processes at `dueAt` (group-based licensing is asynchronous). */
export interface LicenceWork {
  userId: string;
  groupId: string;
  skuId: string;
  dueAt: number;
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  createdDateTime: string;
  userType: string;
  /** a password was set; the password itself is never stored */
  passwordSet: boolean;
  forceChangePasswordNextSignIn: boolean;
  /** the remaining writable profile properties (department, city, businessPhones, ...) */
  profile: Record<string, Json>;
  assignedLicenses: LicenseAssignment[];
  /** Group licences that could not be assigned (absent: none). */
  licenceErrors?: LicenceError[];
  /** true: synchronised from an on-premises directory (absent: a cloud-only account, read as null) */
  onPremisesSyncEnabled?: boolean;
}

export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  appliesTo: string;
}

export interface Sku {
  skuId: string;
  skuPartNumber: string;
  enabled: number;
  suspended: number;
  warning: number;
  /** seats consumed by users that the sandbox does not model */
  consumedOffset: number;
  servicePlans: ServicePlan[];
}

export interface Domain {
  name: string;
  isVerified: boolean;
  isDefault: boolean;
  isInitial: boolean;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  members: string[];
  /** "Unified" for Microsoft 365 groups, "DynamicMembership" (absent: []). */
  groupTypes?: string[];
  /** Licences the group holds (group-based licensing; absent: none). */
  assignedLicenses?: { skuId: string; disabledPlans: string[] }[];
  createdDateTime?: string;
}

// ---------------------------------------------------------------- Dataverse
export interface BusinessUnit {
  businessunitid: string;
  name: string;
  parentbusinessunitid: string | null;
}

export interface Role {
  roleid: string;
  name: string;
  businessunitid: string;
  roletemplateid: string | null;
  parentroleid: string | null;
  parentrootroleid: string;
}

export interface SystemUser {
  systemuserid: string;
  fullname: string;
  firstname: string | null;
  lastname: string | null;
  domainname: string;
  internalemailaddress: string | null;
  azureactivedirectoryobjectid: string | null;
  applicationid: string | null;
  isdisabled: boolean;
  islicensed: boolean;
  isintegrationuser: boolean;
  accessmode: number;
  businessunitid: string;
  title: string | null;
  createdon: string;
  modifiedon: string;
  versionnumber: number;
  /** what background sync last saw in the directory (so hand-made changes are not overwritten) */
  /** `member: false` when the environment's security group did not admit the user (absent: admitted). */
  /** `mail`: the directory's mail last synchronised into internalemailaddress (absent in older state: not followed). */
  sync: { enabled: boolean; licensed: boolean; member?: boolean; mail?: string | null } | null;
}

export interface Team {
  teamid: string;
  name: string;
  teamtype: number;
  businessunitid: string;
  isdefault: boolean;
  azureactivedirectoryobjectid: string | null;
}

export interface Association {
  ownerid: string;
  roleid: string;
}

/** Dataverse `transactioncurrency`. */
export interface Currency {
  transactioncurrencyid: string;
  isocurrencycode: string;
  currencyname: string;
  currencysymbol: string;
}

/** A row of the N:N `teammembership` between team and systemuser. */
export interface TeamMember {
  teamid: string;
  systemuserid: string;
}

/** Business Central's "CDS Company" table 5393, entity `bcbi_company` in Dataverse. */
export interface BcCompanyRecord {
  bcbi_companyid: string;
  bcbi_name: string;
  /** the BC company's id (GetCompanyExternalId) */
  bcbi_externalid: string;
  /** the team that owns new records of this company by default */
  defaultowningteam: string;
}

export interface DataverseState {
  organizationId: string;
  organizationName: string;
  /** systemuserid of the caller (the application user the product signs in as) */
  callerId: string;
  /** organization.languagecode: the base language's LCID (1033 English, 1044 Norwegian Bokmål); absent in older state files: 1033 */
  languageCode?: number;
  businessUnits: BusinessUnit[];
  roles: Role[];
  systemUsers: SystemUser[];
  teams: Team[];
  userRoles: Association[];
  teamRoles: Association[];
  /** transactioncurrency rows (absent in older state files: the seed's). */
  currencies?: Currency[];
  /** Team memberships (teammembership_association); absent: none. */
  teamMembers?: TeamMember[];
  /** Business Central's company records in Dataverse (bcbi_company), made by BC's connection setup; absent: none. */
  bcCompanies?: BcCompanyRecord[];
  /**
   * OrganizationResources.MaxNumberOfNonInteractiveUsers (RetrieveOrganizationResources); absent
   * in older state files (then 7), null when the environment does not publish it.
   */
  maxNonInteractiveUsers?: number | null;
}

// ---------------------------------------------------------------- BAP and BC
export interface PowerPlatformEnvironment {
  id: string;
  displayName: string;
  location: string;
  environmentSku: string;
  dataverseOrg: string;
  securityGroupId: string | null;
  /** `properties.azureRegion` (absent in older state files: norwayeast). */
  azureRegion?: string;
  /** false: an environment without a Dataverse database (`linkedEnvironmentMetadata` null); absent: it has one. */
  hasDataverse?: boolean;
  /** `properties.states.runtime.id`: Enabled, or AdminMode in administration mode (absent: Enabled). */
  runtimeState?: string;
}

export interface Salesperson {
  id: string;
  code: string;
  displayName: string;
  email: string;
  email2: string;
  phoneNo: string;
  jobTitle: string;
  commissionPercent: number;
  blocked: boolean;
  privacyBlocked: boolean;
  lastModifiedDateTime: string;
}

export interface Company {
  id: string;
  systemVersion: string;
  timestamp: number;
  name: string;
  displayName: string;
  businessProfileId: string;
  systemCreatedAt: string;
  systemCreatedBy: string;
  systemModifiedAt: string;
  systemModifiedBy: string;
  salespeople: Salesperson[];
  /** General Ledger Setup "LCY Code", served as companyInformation.currencyCode (absent: NOK). */
  localCurrency?: string;
}

/** A salesperson ↔ Sales user coupling made through the coupling endpoint (bcCouplings.ts). */
export interface Coupling {
  id: string;
  companyId: string;
  salespersonId: string;
  salespersonCode: string;
  systemUserId: string;
  coupledAt: string;
}

export interface BcEnvironment {
  name: string;
  companies: Company[];
  /** What the admin center API tells about it (absent in older state files: a Norwegian production environment). */
  type?: 'Production' | 'Sandbox';
  countryCode?: string;
  /** The Power Platform environment the admin center links it to (null or absent: none). */
  linkedPowerPlatformEnvironmentId?: string | null;
  /** absent until the first coupling */
  couplings?: Coupling[];
}

/**
 * The product's app registration in the sandbox tenant: what its access tokens carry (roles) and
 * where the services know it. Changed through the control API (`PATCH /_sandbox/app`).
 */
export interface AppRegistration {
  clientId: string;
  /** object id of its service principal in the tenant (the token's `oid`) */
  servicePrincipalId: string;
  displayName: string;
  /** SHA-256 (hex) of the client secret; the secret itself is never stored */
  clientSecretSha256: string;
  /** admin-consented Microsoft Graph application permissions (the Graph token's `roles`) */
  graphRoles: string[];
  /** admin-consented Dynamics 365 Business Central application permissions (the BC token's `roles`) */
  businessCentralRoles: string[];
  /** registered as a Power Platform management application (`pac admin application register`) */
  powerPlatformManagementApp: boolean;
  /** on Business Central's "Microsoft Entra Applications" page, enabled and consented */
  businessCentralEntraApplication: boolean;
  /** authorised on the Business Central admin center's "Authorized Microsoft Entra apps" (absent in older state files: true) */
  businessCentralAdminCenterApp?: boolean;
}

export interface SandboxState {
  version: 1;
  app: AppRegistration;
  tenant: { id: string; displayName: string; countryLetterCode: string; domains: Domain[] };
  /** `licenceWork`: group licences still being processed (absent: none). */
  graph: { users: GraphUser[]; skus: Sku[]; groups: Group[]; licenceWork?: LicenceWork[] };
  dataverse: DataverseState;
  bap: { environments: PowerPlatformEnvironment[] };
  bc: { environments: BcEnvironment[] };
}

// ---------------------------------------------------------------- persistence
/** JSON with object keys sorted at every level: the same state always gives the same bytes. */
export function stableStringify(value: unknown, indent = 0): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sorted(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sorted(value), null, indent);
}

/** Holds the state; writes it to `file` (tmp + rename) shortly after every change. */
export class Store {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    public state: SandboxState,
    private readonly file: string | null,
    private readonly debounceMs = 100,
  ) {}

  /** Loads the state file if there is one (and it is of this version); otherwise null. */
  static load(file: string): SandboxState | null {
    if (!fs.existsSync(file)) return null;
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxState;
    return parsed && parsed.version === 1 ? parsed : null;
  }

  /** Marks the state changed; it is written within `debounceMs`. */
  touch(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writeNow();
    }, this.debounceMs);
    this.timer.unref?.();
  }

  /** Writes any pending change at once. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.writeNow();
    }
  }

  /** Replaces the whole state (reset) and writes it. */
  replace(state: SandboxState): void {
    this.state = state;
    this.touch();
  }

  writeNow(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, stableStringify(this.state, 1));
    fs.renameSync(tmp, this.file);
  }
}
