import { BC_ENVIRONMENT_PATTERN } from './validation';

/**
 * Choosing the environments from the tenant's own lists, pure: which Business Central environment
 * and company, which Power Platform environment (and so which Dataverse URL), and which pair to
 * propose. Business Central proposes the same pair itself: when Dataverse is set up it takes the
 * environment whose id is the one its admin center links it to (codeunit 7203 "CDS Environment",
 * `SetLinkedDataverseEnvironmentUrl`, `EnvironmentInformation.GetLinkedPowerPlatformEnvironmentId()`).
 */

export interface ListedCompany {
  id: string;
  name: string;
}

export interface ListedBcEnvironment {
  name: string;
  /** "Production" or "Sandbox". */
  type: string;
  countryCode: string | null;
  /** The Power Platform environment the admin center links it to (null: none). */
  linkedPowerPlatformEnvironmentId: string | null;
  companies: ListedCompany[];
}

export interface ListedPowerPlatformEnvironment {
  id: string;
  displayName: string;
  /** The geography (`location`, e.g. "europe", "unitedstates") and the Azure region. */
  location: string | null;
  region: string | null;
  sku: string | null;
  /** The Dataverse URL; null for an environment without Dataverse (it cannot hold Sales). */
  instanceUrl: string | null;
}

export interface EnvironmentLists {
  businessCentral: ListedBcEnvironment[];
  powerPlatform: ListedPowerPlatformEnvironment[];
}

/** Why a pair is proposed: chosen before in this conversation, linked in BC's admin center, configured, or simply the first. */
export type ProposalReason = 'current' | 'linked' | 'configured' | 'first';

export interface Proposal {
  bcEnvironment: string;
  bcCompanyId: string;
  bapEnvironmentId: string;
  reason: ProposalReason;
}

export interface Chosen {
  bcEnvironment: string;
  bcCompanyId: string;
  bcCompanyName: string;
  bapEnvironmentId: string;
  /** The environment's Dataverse URL as the Power Platform admin API gives it (checked by the caller). */
  dataverseUrl: string;
}

export type ChoiceProblem = 'company' | 'powerPlatform' | 'noDataverse';

/** One choice value for "Business Central environment and company": `<environment>/<company id>`. */
export function companyValue(bcEnvironment: string, companyId: string): string {
  return `${bcEnvironment}/${companyId.toLowerCase()}`;
}

const COMPANY_VALUE = new RegExp(`^(${BC_ENVIRONMENT_PATTERN.slice(1, -1)})/([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$`);
export const COMPANY_VALUE_PATTERN = COMPANY_VALUE.source;

export function parseCompanyValue(value: string): { bcEnvironment: string; bcCompanyId: string } | undefined {
  const m = COMPANY_VALUE.exec(value.trim());
  return m ? { bcEnvironment: m[1], bcCompanyId: m[2].toLowerCase() } : undefined;
}

const sameId = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Power Platform environments that can hold Sales: those with a Dataverse URL. */
export function salesCapable(lists: EnvironmentLists): ListedPowerPlatformEnvironment[] {
  return lists.powerPlatform.filter((e) => !!e.instanceUrl);
}

/** Business Central environments with their linked Power Platform environment (one with Dataverse), production first. */
export function linkedPairs(lists: EnvironmentLists): { bc: ListedBcEnvironment; powerPlatform: ListedPowerPlatformEnvironment }[] {
  const capable = salesCapable(lists);
  const pairs = lists.businessCentral
    .filter((bc) => bc.companies.length > 0)
    .flatMap((bc) => {
      const powerPlatform = capable.find((p) => sameId(p.id, bc.linkedPowerPlatformEnvironmentId));
      return powerPlatform ? [{ bc, powerPlatform }] : [];
    });
  return pairs.sort((a, b) => Number(b.bc.type === 'Production') - Number(a.bc.type === 'Production'));
}

interface Wanted {
  bcEnvironment?: string;
  bcCompanyId?: string;
  bapEnvironmentId?: string;
}

/** The pair to preselect: the conversation's own choice, else the configured one, else the linked pair, else the first of each. */
export function propose(lists: EnvironmentLists, options: { current?: Wanted; configured?: Wanted } = {}): Proposal | undefined {
  const capable = salesCapable(lists);
  const find = (wanted: Wanted | undefined) => {
    if (!wanted?.bcEnvironment || !wanted.bapEnvironmentId) return undefined;
    const bc = lists.businessCentral.find((e) => e.name.toLowerCase() === wanted.bcEnvironment!.toLowerCase());
    const powerPlatform = capable.find((p) => sameId(p.id, wanted.bapEnvironmentId));
    const company = bc?.companies.find((c) => sameId(c.id, wanted.bcCompanyId)) ?? bc?.companies[0];
    return bc && company && powerPlatform ? { bcEnvironment: bc.name, bcCompanyId: company.id.toLowerCase(), bapEnvironmentId: powerPlatform.id } : undefined;
  };
  const linked = linkedPairs(lists);
  const isLinked = (p: { bcEnvironment: string; bapEnvironmentId: string }) =>
    linked.some((l) => l.bc.name === p.bcEnvironment && sameId(l.powerPlatform.id, p.bapEnvironmentId));
  const current = find(options.current);
  if (current) return { ...current, reason: 'current' };
  const configured = find(options.configured);
  if (configured) return { ...configured, reason: isLinked(configured) ? 'linked' : 'configured' };
  const [first] = linked;
  if (first) return { bcEnvironment: first.bc.name, bcCompanyId: first.bc.companies[0].id.toLowerCase(), bapEnvironmentId: first.powerPlatform.id, reason: 'linked' };
  const bc = lists.businessCentral.find((e) => e.companies.length > 0);
  const powerPlatform = capable[0];
  return bc && powerPlatform ? { bcEnvironment: bc.name, bcCompanyId: bc.companies[0].id.toLowerCase(), bapEnvironmentId: powerPlatform.id, reason: 'first' } : undefined;
}

/** What the admin picked, checked against the lists as they are now (never against what the card claims). */
export function resolveChoice(lists: EnvironmentLists, input: { bcCompany: string; bapEnvironmentId: string }): { ok: true; chosen: Chosen } | { ok: false; problem: ChoiceProblem } {
  const picked = parseCompanyValue(input.bcCompany);
  const bc = picked && lists.businessCentral.find((e) => e.name.toLowerCase() === picked.bcEnvironment.toLowerCase());
  const company = picked && bc?.companies.find((c) => sameId(c.id, picked.bcCompanyId));
  if (!bc || !company) return { ok: false, problem: 'company' };
  const powerPlatform = lists.powerPlatform.find((p) => sameId(p.id, input.bapEnvironmentId.trim()));
  if (!powerPlatform) return { ok: false, problem: 'powerPlatform' };
  if (!powerPlatform.instanceUrl) return { ok: false, problem: 'noDataverse' };
  return {
    ok: true,
    chosen: {
      bcEnvironment: bc.name,
      bcCompanyId: company.id.toLowerCase(),
      bcCompanyName: company.name,
      bapEnvironmentId: powerPlatform.id,
      dataverseUrl: powerPlatform.instanceUrl,
    },
  };
}
