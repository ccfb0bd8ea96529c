import { UPN_PATTERN } from './validation';

/**
 * Part 3, pure: each Business Central salesperson matched to a Microsoft Entra account (by the
 * salesperson's e-mail, as sign-in name or as mail address, ignoring case), to a Sales user, and to
 * a coupling; and from that, where the salesperson stands.
 */

export const SALESPERSON_STATUSES = ['noAccount', 'unlicensed', 'notInSales', 'noRole', 'ready', 'coupled', 'blocked'] as const;
export type SalespersonStatus = (typeof SALESPERSON_STATUSES)[number];

/** Why a salesperson who needs work cannot be part of a plan until someone fixes something. */
export type SalespersonIssue =
  | 'noEmail'
  | 'invalidEmail'
  | 'domainNotVerified'
  | 'sharedEmail'
  | 'accountDisabled'
  | 'salesUserDisabled'
  | 'salesUserIntegration'
  | 'salesUserApplication'
  | 'salesUserCoupled';

/** Something the plan takes care of that the status alone does not say. */
export type SalespersonNote = 'salesUserUnlicensed';

/**
 * Why Business Central would not couple this Sales user. Its pages 5340 "Users - Dataverse" and
 * 7209 "Couple Dataverse Users with Salespersons" (where Match-Based Coupling lives) list only
 * `IsIntegrationUser = false, IsDisabled = false, IsLicensed = true` (SourceTableView of
 * CRMSystemuserList.Page.al and CDSCoupleSalespersons.Page.al, Business Central base app).
 * Application users are refused as well: they are never a salesperson's account.
 */
export type CouplingBar = 'applicationUser' | 'integrationUser' | 'disabled' | 'unlicensed';

export function couplingBar(user: Pick<SalesUserFact, 'isDisabled' | 'isLicensed' | 'isIntegrationUser' | 'isApplicationUser'>): CouplingBar | undefined {
  if (user.isApplicationUser) return 'applicationUser';
  if (user.isIntegrationUser) return 'integrationUser';
  if (user.isDisabled) return 'disabled';
  if (!user.isLicensed) return 'unlicensed';
  return undefined;
}

export interface BcSalesperson {
  id: string;
  code: string;
  displayName: string;
  email: string;
  phoneNo: string;
  jobTitle: string;
  blocked: boolean;
}

export interface EntraFact {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  salesLicensed: boolean;
  /** true when the account is synchronised from an on-premises directory. */
  onPremisesSyncEnabled?: boolean | null;
}

export interface SalesUserFact {
  systemuserid: string;
  aadObjectId: string;
  domainName: string;
  isDisabled: boolean;
  /** systemuser.islicensed: Dataverse knows of the user's Sales licence. */
  isLicensed: boolean;
  /** systemuser.isintegrationuser */
  isIntegrationUser: boolean;
  /** systemuser.applicationid is set: an application user, not a person. */
  isApplicationUser: boolean;
  hasSalespersonRole: boolean;
  /** systemuser.internalemailaddress ("Primary Email"), what Business Central's Match-Based Coupling matches on. */
  internalEmail?: string | null;
}

export interface CouplingFact {
  salespersonId: string;
  systemUserId: string;
}

export interface SalespeopleFacts {
  salespeople: BcSalesperson[];
  entraUsers: EntraFact[];
  salesUsers: SalesUserFact[];
  /** null when no coupling endpoint is configured: couplings cannot be read. */
  couplings: CouplingFact[] | null;
  verifiedDomains: string[];
  /** Sales users whose primary e-mail is one of the salespeople's e-mails (whoever's account they are). */
  primaryEmailUsers?: SalesUserFact[];
}

export interface SalespersonRow {
  id: string;
  code: string;
  displayName: string;
  email: string;
  phoneNo: string;
  jobTitle: string;
  status: SalespersonStatus;
  issue?: SalespersonIssue;
  note?: SalespersonNote;
  entra?: { id: string; userPrincipalName: string; usageLocation: string | null };
  sales?: { systemuserid: string; userPrincipalName: string };
  /** The Sales user this salesperson is coupled to (its sign-in name when known). */
  coupledTo?: { systemUserId: string; userPrincipalName?: string };
}

const lower = (value: string | null | undefined) => (value ?? '').trim().toLowerCase();
const upnPattern = new RegExp(UPN_PATTERN);

function index<T>(items: T[], key: (item: T) => string | null | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = lower(key(item));
    if (k && !map.has(k)) map.set(k, item);
  }
  return map;
}

export function matchSalespeople(facts: SalespeopleFacts): SalespersonRow[] {
  const byUpn = index(facts.entraUsers, (u) => u.userPrincipalName);
  const byMail = index(facts.entraUsers, (u) => u.mail);
  const salesByAad = index(facts.salesUsers, (u) => u.aadObjectId);
  const salesById = index(facts.salesUsers, (u) => u.systemuserid);
  const couplingBySalesperson = index(facts.couplings ?? [], (c) => c.salespersonId);
  const couplingBySalesUser = index(facts.couplings ?? [], (c) => c.systemUserId);
  const verified = new Set(facts.verifiedDomains.map(lower));
  const emailCount = new Map<string, number>();
  for (const person of facts.salespeople) {
    if (!person.blocked && lower(person.email)) emailCount.set(lower(person.email), (emailCount.get(lower(person.email)) ?? 0) + 1);
  }

  return facts.salespeople.map((person): SalespersonRow => {
    const email = person.email.trim();
    const row: SalespersonRow = {
      id: person.id,
      code: person.code,
      displayName: person.displayName,
      email,
      phoneNo: person.phoneNo,
      jobTitle: person.jobTitle,
      status: 'noAccount',
    };
    const coupling = couplingBySalesperson.get(lower(person.id));
    if (coupling) {
      const user = salesById.get(lower(coupling.systemUserId));
      row.coupledTo = { systemUserId: coupling.systemUserId, userPrincipalName: user?.domainName };
    }
    if (person.blocked) return { ...row, status: 'blocked' };
    if (coupling) return { ...row, status: 'coupled' };
    if (!email) return { ...row, issue: 'noEmail' };
    if (!upnPattern.test(email)) return { ...row, issue: 'invalidEmail' };
    if ((emailCount.get(lower(email)) ?? 0) > 1) row.issue = 'sharedEmail';
    const entra = byUpn.get(lower(email)) ?? byMail.get(lower(email));
    if (!entra) {
      const domain = lower(email.slice(email.lastIndexOf('@') + 1));
      return verified.has(domain) ? row : { ...row, issue: row.issue ?? 'domainNotVerified' };
    }
    row.entra = { id: entra.id, userPrincipalName: entra.userPrincipalName, usageLocation: entra.usageLocation };
    if (!entra.accountEnabled) row.issue ??= 'accountDisabled';
    if (!entra.salesLicensed) return { ...row, status: 'unlicensed' };
    const sales = salesByAad.get(lower(entra.id));
    if (!sales) return { ...row, status: 'notInSales' };
    row.sales = { systemuserid: sales.systemuserid, userPrincipalName: sales.domainName || entra.userPrincipalName };
    // "Ready to couple" only for a Sales user Business Central would couple (couplingBar).
    switch (couplingBar(sales)) {
      case 'applicationUser':
        return { ...row, status: 'notInSales', issue: row.issue ?? 'salesUserApplication' };
      case 'integrationUser':
        return { ...row, status: 'notInSales', issue: row.issue ?? 'salesUserIntegration' };
      case 'disabled':
        return { ...row, status: 'notInSales', issue: row.issue ?? 'salesUserDisabled' };
      case 'unlicensed':
        // The account holds a Sales licence that has not reached the Sales user: adding the user
        // to the environment again synchronises it.
        return { ...row, status: 'notInSales', note: 'salesUserUnlicensed' };
      default:
        break;
    }
    if (couplingBySalesUser.has(lower(sales.systemuserid))) row.issue ??= 'salesUserCoupled';
    return { ...row, status: sales.hasSalespersonRole ? 'ready' : 'noRole' };
  });
}

export type StatusCounts = Record<SalespersonStatus, number>;

export function countByStatus(rows: SalespersonRow[]): StatusCounts {
  const counts = Object.fromEntries(SALESPERSON_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) counts[row.status]++;
  return counts;
}

/**
 * Can this salesperson be part of a plan? Never when blocked, coupled or held up by an issue; a
 * ready one only when there is a coupling to make.
 */
export function isSelectable(row: SalespersonRow, couplingAvailable: boolean): boolean {
  if (row.issue || row.status === 'blocked' || row.status === 'coupled') return false;
  return row.status !== 'ready' || couplingAvailable;
}
