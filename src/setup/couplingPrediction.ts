/**
 * Part 3, pure: what Business Central's own Match-Based Coupling (page 7209 "Couple Dataverse Users
 * with Salespersons", action "Match-Based Coupling") would do for each salesperson on BC's
 * defaults, and what can be done about the ones it would not couple.
 *
 * How BC decides (Business Central base app, Microsoft's published source as mirrored in
 * StefanMaron/MSDyn365BC.Code.History, BaseApp/Source/Base Application/Integration/...):
 * - The SALESPEOPLE table mapping (CDSSetupDefaults.Codeunit.al, ResetSalesPeopleSystemUserMapping)
 *   maps the salesperson's "E-Mail" (caption Email) to the Sales user's InternalEMailAddress (caption
 *   "Primary Email") and filters Sales users to `IsDisabled = false, IsLicensed = true,
 *   IsIntegrationUser = false`. The match field is chosen on page 5363 "Select Coupling Criteria"
 *   ("Match on this Field"); matching is not case-sensitive unless "Case-sensitive Matching" is set.
 * - CDSIntTableCouple.Codeunit.al (codeunit 5360 "CDS Int. Table Couple", CoupleRecords) goes through
 *   the uncoupled salespeople in key order (Code) and, per salesperson, counts the eligible Sales users
 *   whose field equals the salesperson's value: an empty value matches nothing; 0 → no match;
 *   exactly 1 that is already coupled → not coupled; 1 uncoupled → coupled (and then taken for the
 *   salespeople after it); more than 1 → not coupled. For salespeople, BC never creates a Sales user
 *   when nothing matches (ShouldCreateNewRecordsInCaseOfNoMatch: 'SALESPEOPLE' → false).
 * - Dataverse fills InternalEMailAddress from the Microsoft Entra user's `mail` (Learn, "Create users",
 *   power-platform/admin/create-users, "User profile information": InternalEmailAddress ← Mail), so
 *   an account without a mailbox (no `mail`) has a Sales user that Match-Based Coupling cannot find.
 * Blocked salespeople are not predicted: this product leaves them alone.
 */
import { actionKey, type Action } from './plan';
import type { SalespeopleFacts, SalesUserFact } from './salespeopleMatch';

export type MatchOutcome =
  /** BC will couple the salesperson to this Sales user. */
  | { kind: 'match'; systemUserId: string; userPrincipalName: string }
  /** No eligible Sales user has the salesperson's e-mail as primary e-mail. */
  | { kind: 'noMatch'; cause: NoMatchCause; primaryEmail?: string }
  /** Several eligible Sales users have it: BC couples none of them. */
  | { kind: 'several'; count: number }
  /** The one Sales user with that primary e-mail is coupled already (to another salesperson). */
  | { kind: 'alreadyCoupled'; systemUserId: string; userPrincipalName: string; coupledToCode?: string }
  /** A Sales user has that primary e-mail but BC's filter leaves it out. */
  | { kind: 'notEligible'; reason: IneligibleReason; userPrincipalName: string };

export type NoMatchCause =
  /** The salesperson has no e-mail in BC. */
  | 'noEmail'
  /** The salesperson's account has no `mail` (no mailbox), so its Sales user has no primary e-mail. */
  | 'noMail'
  /** The salesperson's Sales user has another primary e-mail (`primaryEmail`), usually its account's `mail`. */
  | 'otherMail'
  /** No Sales user for that e-mail at all (no account, or not in Sales yet). */
  | 'noSalesUser';

export type IneligibleReason = 'disabled' | 'unlicensed' | 'integrationUser';

export type OutcomeKind = MatchOutcome['kind'];
export const OUTCOME_KINDS: readonly OutcomeKind[] = ['match', 'noMatch', 'several', 'alreadyCoupled', 'notEligible'];

/** What fixes an outcome: a change this product can plan, or a step for the admin. */
export type MatchFix =
  /** Set the account's `mail` to the salesperson's e-mail (and the Sales user's primary e-mail with it). */
  | { kind: 'setMail'; entraId: string; userPrincipalName: string; address: string; systemUserId?: string }
  | { kind: 'manual'; step: ManualStep };

export type ManualStep =
  /** Add an e-mail on the salesperson card. */
  | 'addEmail'
  /** Use the Sales user's primary e-mail as the salesperson's e-mail in BC (or change the mailbox's primary address). */
  | 'useMail'
  /** Give each of these users a primary e-mail of their own, or pick the salesperson by hand on page 7209. */
  | 'uniqueEmail'
  /** Delete the other coupling on page 7209 first. */
  | 'deleteCoupling'
  /** Enable the Sales user: enable the account and admit it to the environment (security group). */
  | 'enableUser'
  /** License the account for Sales. */
  | 'licenseUser'
  /** An integration user is never coupled: give the salesperson an e-mail of their own. */
  | 'ownEmail'
  /** Part 3's plan creates the account and the Sales user; Match-Based Coupling finds it afterwards. */
  | 'setUpFirst'
  /** The address cannot be set here (its domain is not verified, another account uses it, or the account is synchronised from on-premises): set it where the account is managed. */
  | 'setMailYourself';

export interface CouplingPrediction {
  salespersonId: string;
  code: string;
  email: string;
  outcome: MatchOutcome;
  fix?: MatchFix;
}

export interface PredictionSalesperson {
  id: string;
  code: string;
  email: string;
  blocked: boolean;
}

export interface PredictionSalesUser {
  systemuserid: string;
  /** systemuser.internalemailaddress ("Primary Email"). */
  internalEmail: string | null;
  domainName: string;
  aadObjectId: string;
  isDisabled: boolean;
  isLicensed: boolean;
  isIntegrationUser: boolean;
}

export interface PredictionAccount {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  /** true when the account is synchronised from an on-premises directory (its `mail` is mastered there). */
  onPremisesSyncEnabled?: boolean | null;
}

export interface PredictionFacts {
  salespeople: PredictionSalesperson[];
  /** Every Sales user whose primary e-mail is one of the salespeople's e-mails, and the salespeople's own Sales users. */
  salesUsers: PredictionSalesUser[];
  /** Accounts found for the salespeople (by sign-in name or mail) and accounts holding their addresses as mail. */
  accounts: PredictionAccount[];
  /** Couplings known (null: none can be read, so only couplings made within the run are foreseen). */
  couplings: { salespersonId: string; systemUserId: string }[] | null;
  verifiedDomains: string[];
}

const lower = (value: string | null | undefined) => (value ?? '').trim().toLowerCase();

/** Part 3's observation as the prediction reads it. */
export function predictionFacts(facts: SalespeopleFacts): PredictionFacts {
  const toUser = (u: SalesUserFact): PredictionSalesUser => ({
    systemuserid: u.systemuserid,
    internalEmail: u.internalEmail ?? null,
    domainName: u.domainName,
    aadObjectId: u.aadObjectId,
    isDisabled: u.isDisabled,
    isLicensed: u.isLicensed,
    isIntegrationUser: u.isIntegrationUser,
  });
  return {
    salespeople: facts.salespeople.map((p) => ({ id: p.id, code: p.code, email: p.email, blocked: p.blocked })),
    salesUsers: [...facts.salesUsers, ...(facts.primaryEmailUsers ?? [])].map(toUser),
    accounts: facts.entraUsers.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, mail: u.mail, onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null })),
    couplings: facts.couplings,
    verifiedDomains: facts.verifiedDomains,
  };
}

/** BC's filter on the SALESPEOPLE mapping: only these Sales users can be matched. */
export function eligibility(user: Pick<PredictionSalesUser, 'isDisabled' | 'isLicensed' | 'isIntegrationUser'>): IneligibleReason | undefined {
  if (user.isIntegrationUser) return 'integrationUser';
  if (user.isDisabled) return 'disabled';
  if (!user.isLicensed) return 'unlicensed';
  return undefined;
}

const INELIGIBLE_STEP: Record<IneligibleReason, ManualStep> = { disabled: 'enableUser', unlicensed: 'licenseUser', integrationUser: 'ownEmail' };

/**
 * Can the account's `mail` be set to `address` through Graph (PATCH /users/{id})? Only when it has
 * none (an account with a mailbox has its address from Exchange), the account is cloud-only, the
 * address is on a verified domain and no other account already has it.
 */
function mailSettable(account: PredictionAccount, address: string, facts: PredictionFacts, taken: Map<string, string>): boolean {
  if (account.mail || account.onPremisesSyncEnabled) return false;
  const domain = lower(address.slice(address.lastIndexOf('@') + 1));
  if (!facts.verifiedDomains.map(lower).includes(domain)) return false;
  const holder = taken.get(lower(address));
  return holder === undefined || holder === account.id;
}

export function predictCoupling(facts: PredictionFacts): CouplingPrediction[] {
  const coupledSalespeople = new Set((facts.couplings ?? []).map((c) => lower(c.salespersonId)));
  const codeBySalesperson = new Map(facts.salespeople.map((p) => [lower(p.id), p.code]));
  /** Sales user id → code of the salesperson it is coupled to (known couplings, then this run's). */
  const taken = new Map<string, string | undefined>();
  for (const c of facts.couplings ?? []) taken.set(lower(c.systemUserId), codeBySalesperson.get(lower(c.salespersonId)));
  const byEmail = new Map<string, PredictionSalesUser[]>();
  for (const u of facts.salesUsers) {
    const key = lower(u.internalEmail);
    if (!key) continue;
    const list = byEmail.get(key) ?? [];
    if (!list.some((x) => lower(x.systemuserid) === lower(u.systemuserid))) list.push(u);
    byEmail.set(key, list);
  }
  const salesByAad = new Map(facts.salesUsers.map((u) => [lower(u.aadObjectId), u]));
  /** address → account id, for every address an account holds as sign-in name or mail. */
  const addresses = new Map<string, string>();
  for (const a of facts.accounts) {
    if (a.mail) addresses.set(lower(a.mail), a.id);
    if (!addresses.has(lower(a.userPrincipalName))) addresses.set(lower(a.userPrincipalName), a.id);
  }
  const byUpn = new Map(facts.accounts.map((a) => [lower(a.userPrincipalName), a]));
  const byMail = new Map(facts.accounts.filter((a) => a.mail).map((a) => [lower(a.mail), a]));

  // BC walks the uncoupled salespeople in the order of their key, Code.
  const order = facts.salespeople
    .filter((p) => !p.blocked && !coupledSalespeople.has(lower(p.id)))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const predictions = new Map<string, CouplingPrediction>();
  for (const person of order) {
    const email = person.email.trim();
    const base = { salespersonId: person.id, code: person.code, email };
    if (!email) {
      predictions.set(person.id, { ...base, outcome: { kind: 'noMatch', cause: 'noEmail' }, fix: { kind: 'manual', step: 'addEmail' } });
      continue;
    }
    const candidates = byEmail.get(lower(email)) ?? [];
    const eligible = candidates.filter((u) => !eligibility(u));
    if (eligible.length > 1) {
      predictions.set(person.id, { ...base, outcome: { kind: 'several', count: eligible.length }, fix: { kind: 'manual', step: 'uniqueEmail' } });
      continue;
    }
    if (eligible.length === 1) {
      const user = eligible[0];
      const id = lower(user.systemuserid);
      if (taken.has(id)) {
        const code = taken.get(id);
        predictions.set(person.id, {
          ...base,
          outcome: { kind: 'alreadyCoupled', systemUserId: user.systemuserid, userPrincipalName: user.domainName, ...(code ? { coupledToCode: code } : {}) },
          fix: { kind: 'manual', step: 'deleteCoupling' },
        });
      } else {
        taken.set(id, person.code);
        predictions.set(person.id, { ...base, outcome: { kind: 'match', systemUserId: user.systemuserid, userPrincipalName: user.domainName } });
      }
      continue;
    }
    if (candidates.length > 0) {
      const user = candidates[0];
      const reason = eligibility(user)!;
      predictions.set(person.id, { ...base, outcome: { kind: 'notEligible', reason, userPrincipalName: user.domainName }, fix: { kind: 'manual', step: INELIGIBLE_STEP[reason] } });
      continue;
    }
    // Nothing carries the address as primary e-mail: why, and what would make it so.
    const account = byUpn.get(lower(email)) ?? byMail.get(lower(email));
    const salesUser = account && salesByAad.get(lower(account.id));
    if (!account || !salesUser) {
      predictions.set(person.id, { ...base, outcome: { kind: 'noMatch', cause: 'noSalesUser' }, fix: account && !account.mail && mailSettable(account, email, facts, addresses)
        ? { kind: 'setMail', entraId: account.id, userPrincipalName: account.userPrincipalName, address: email }
        : { kind: 'manual', step: 'setUpFirst' } });
      continue;
    }
    if (salesUser.internalEmail) {
      predictions.set(person.id, { ...base, outcome: { kind: 'noMatch', cause: 'otherMail', primaryEmail: salesUser.internalEmail }, fix: { kind: 'manual', step: 'useMail' } });
      continue;
    }
    const fix: MatchFix = mailSettable(account, email, facts, addresses)
      ? { kind: 'setMail', entraId: account.id, userPrincipalName: account.userPrincipalName, address: email, systemUserId: salesUser.systemuserid }
      : { kind: 'manual', step: 'setMailYourself' };
    predictions.set(person.id, { ...base, outcome: { kind: 'noMatch', cause: 'noMail' }, fix });
  }
  return facts.salespeople.flatMap((p) => predictions.get(p.id) ?? []);
}

export type OutcomeCounts = Record<OutcomeKind, number>;

export function countOutcomes(predictions: CouplingPrediction[]): OutcomeCounts {
  const counts = Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as OutcomeCounts;
  for (const p of predictions) counts[p.outcome.kind]++;
  return counts;
}

/**
 * The changes that make Match-Based Coupling find these salespeople: each account without `mail`
 * gets the salesperson's e-mail as `mail`, and its Sales user (when there is one) the same primary
 * e-mail. One action per account, however many salespeople share it.
 */
export function mailFixActions(predictions: CouplingPrediction[]): Action[] {
  const actions = new Map<string, Action>();
  for (const p of predictions) {
    if (p.fix?.kind !== 'setMail') continue;
    const { fix } = p;
    const key = actionKey.setMail(fix.userPrincipalName);
    if (actions.has(key)) continue;
    actions.set(key, {
      key,
      type: 'setMail',
      target: { userPrincipalName: fix.userPrincipalName, userId: fix.entraId, ...(fix.systemUserId ? { systemUserId: fix.systemUserId } : {}) },
      params: { mail: fix.address },
    });
  }
  return [...actions.values()];
}
