import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { salespeopleCard } from '../cards/salespeople';
import type { AdaptiveCardJson } from '../cards/render';
import { userMessage } from '../errors';
import { t } from '../i18n';
import { isCountryCode } from '../setup/csvCountries';
import { cleanGroupName } from '../setup/groupLicensing';
import { matchSalespeople } from '../setup/salespeopleMatch';
import { predictCoupling, predictionFacts } from '../setup/couplingPrediction';
import { applyPagePicks, STATUS_FILTERS, type StatusFilter } from '../setup/salespeopleView';
import type { SetupSession } from '../setup/session';
import { guid } from '../setup/validation';
import { actorOf, localeFor } from './context';
import { applyEvent, sessionOf } from './session';
import type { SetupTurnState } from './state';
import { environmentKey } from './salespeopleServices';
import type { SalespeopleView } from '../setup/salespeopleView';
import type { PlanEnvironment } from '../setup/plan';
import type { RoleChoice } from '../setup/roles';
import type { BotServices } from './services';

/**
 * The salespeople list between turns: loaded from its record (observed anew when asked, when the
 * environment changed, or the first time), changed by what the card submitted, and rendered.
 */

const idList = z
  .string()
  .max(20_000)
  .transform((value) => value.split(',').map((v) => v.trim()).filter((v) => guid.safeParse(v).success).map((v) => v.toLowerCase()));

/** What any salespeople card action may carry; every field is optional and checked. */
export const ViewInput = z.object({
  status: z.string().optional(),
  search: z.string().max(100).optional(),
  picked: z.union([idList, z.array(z.string())]).optional(),
  pageIds: idList.optional(),
  usageLocation: z.string().max(10).optional(),
  couple: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(0).max(100_000).optional(),
  licensing: z.enum(['group', 'perUser']).optional(),
  licenceGroup: z.string().max(1000).optional(),
});

export type ViewData = z.infer<typeof ViewInput>;

export function environmentOf(services: BotServices, session: SetupSession) {
  return services.environmentOf(session.environment);
}

/** A fresh view: observed now, keeping how the admin looked at the previous one (same environment). */
export async function observeView(services: BotServices, context: TurnContext, session: SetupSession, previous?: SalespeopleView): Promise<SalespeopleView> {
  const environment = environmentOf(services, session);
  const key = environmentKey(environment);
  const keep = previous && previous.environmentKey === key ? previous : undefined;
  const { facts, ...observation } = await services.salespeople.observe(environment, { licenceGroup: keep?.licenceGroup });
  return {
    conversationId: context.activity.conversation.id,
    environmentKey: key,
    observationId: randomUUID(),
    observedAt: new Date().toISOString(),
    observation,
    rows: matchSalespeople(facts),
    selection: keep?.selection ?? { mode: 'allMissing' },
    filter: keep?.filter ?? { status: 'all', search: '' },
    page: keep?.page ?? 0,
    usageLocation: keep?.usageLocation ?? observation.country ?? '',
    couple: keep?.couple ?? true,
    ...(keep?.licensing ? { licensing: keep.licensing } : {}),
    ...(keep?.licenceGroup ? { licenceGroup: keep.licenceGroup } : {}),
    ...(services.salespeople.couplingConfigured ? {} : { coupling: predictCoupling(predictionFacts(facts)) }),
  };
}

export async function loadView(services: BotServices, context: TurnContext, session: SetupSession, refresh = false): Promise<SalespeopleView> {
  const stored = await services.salespeople.view.get(context.activity.conversation.id);
  const current = stored && stored.environmentKey === environmentKey(environmentOf(services, session)) ? stored : undefined;
  if (current && !refresh) return current;
  return observeView(services, context, session, stored);
}

/** The card's inputs applied to the view: ticks on the page shown, filter, usage location, coupling, page. */
export function applyInputs(services: BotServices, view: SalespeopleView, data: ViewData): SalespeopleView {
  const next = { ...view };
  const coupling = services.salespeople.couplingConfigured && view.couple;
  if (data.pageIds) {
    const ticked = Array.isArray(data.picked) ? data.picked.map((v) => v.toLowerCase()) : (data.picked ?? []);
    next.selection = applyPagePicks(view.rows, view.selection, coupling, data.pageIds, ticked);
  }
  const status = STATUS_FILTERS.includes(data.status as StatusFilter) ? (data.status as StatusFilter) : undefined;
  if (status !== undefined || data.search !== undefined) {
    next.filter = { status: status ?? view.filter.status, search: (data.search ?? view.filter.search).trim() };
  }
  if (data.usageLocation !== undefined) next.usageLocation = data.usageLocation.trim().toUpperCase();
  if (data.couple !== undefined) next.couple = data.couple === 'true';
  if (data.page !== undefined) next.page = data.page;
  if (data.licensing !== undefined) next.licensing = data.licensing;
  if (data.licenceGroup !== undefined) next.licenceGroup = data.licenceGroup.trim().replace(/\s+/g, ' ');
  return next;
}

export async function renderView(services: BotServices, context: TurnContext, session: SetupSession, view: SalespeopleView, error?: string): Promise<AdaptiveCardJson> {
  await services.salespeople.view.put(view);
  return salespeopleCard(
    {
      view,
      couplingConfigured: services.salespeople.couplingConfigured,
      bcLink: services.tenant.businessCentralPage(environmentOf(services, session), 7209),
      error,
      predictions: view.coupling,
    },
    localeFor(context),
  );
}

/** A view with nothing observed: the card then carries only the reason and "Check again". */
function emptyView(context: TurnContext, services: BotServices, session: SetupSession): SalespeopleView {
  const environment = environmentOf(services, session);
  return {
    conversationId: context.activity.conversation.id,
    environmentKey: environmentKey(environment),
    observationId: randomUUID(),
    observedAt: new Date().toISOString(),
    observation: { company: { id: environment.bcCompanyId ?? '', name: environment.bcCompanyName ?? '' }, skus: [], country: null },
    rows: [],
    selection: { mode: 'allMissing' },
    filter: { status: 'all', search: '' },
    page: 0,
    usageLocation: '',
    couple: true,
  };
}

/**
 * The Part 3 card for where the session stands, read anew (it is shown on arrival and after a
 * plan ran); when the tenant cannot be read, the card says why.
 */
export async function salespeopleStepCard(services: BotServices, context: TurnContext, session: SetupSession, refresh = true): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  const empty = () => emptyView(context, services, session);
  if (!environmentOf(services, session).bcCompanyId) return salespeopleCard({ view: empty(), couplingConfigured: false, error: t(locale, 'spNoCompany') }, locale);
  try {
    return await renderView(services, context, session, await loadView(services, context, session, refresh));
  } catch (error) {
    services.logger.warn({ err: error }, 'could not read the salespeople');
    return salespeopleCard({ view: empty(), couplingConfigured: false, error: t(locale, 'spReadFailed', { reason: userMessage(error, locale) }) }, locale);
  }
}

/**
 * The admin's choices on the list card applied to the stored view, the usage location checked,
 * and the tenant read again: what "Show the plan" and "Export" both start from. A refusal comes
 * back as the list card with the reason.
 */
export async function chosenView(
  services: BotServices,
  context: TurnContext,
  session: SetupSession,
  data: unknown,
): Promise<{ view: SalespeopleView } | { refusal: AdaptiveCardJson }> {
  const chosen = applyInputs(services, await loadView(services, context, session), ViewInput.catch({}).parse(data));
  if (!isCountryCode(chosen.usageLocation)) {
    const reason = t(localeFor(context), 'spRefuseUsageLocation', { value: chosen.usageLocation.slice(0, 10) });
    return { refusal: await renderView(services, context, session, chosen, reason) };
  }
  if (chosen.licenceGroup !== undefined && !cleanGroupName(chosen.licenceGroup)) {
    const reason = t(localeFor(context), 'glGroupName', { value: chosen.licenceGroup.slice(0, 60) });
    return { refusal: await renderView(services, context, session, { ...chosen, licenceGroup: undefined }, reason) };
  }
  return { view: await observeView(services, context, session, chosen) };
}

/** The session, moved to Part 3 when a Part 3 card is used from another step; none: a hint. */
export function inPart3(state: SetupTurnState): SetupSession | undefined {
  const session = sessionOf(state);
  if (!session?.environment) return undefined;
  return session.active && session.step === 'salespeople' ? session : applyEvent(state, { type: 'goto', step: 'salespeople' });
}

/** The environments a Part 3 plan is made for (the company's name is not part of a plan). */
export const planEnvironmentOf = (environment: PlanEnvironment): PlanEnvironment => ({
  dataverseUrl: environment.dataverseUrl,
  bapEnvironmentId: environment.bapEnvironmentId,
  bcEnvironment: environment.bcEnvironment,
  bcCompanyId: environment.bcCompanyId,
});

/**
 * The role salespeople get, picked by the admin where no role has a known name: only a role of
 * the environment's root business unit (not an administrative one) is taken; the pick is
 * remembered for the environment and audited. Undefined when the value is not one of the
 * environment's pickable roles.
 */
export async function rememberSalespersonRole(services: BotServices, context: TurnContext, environment: PlanEnvironment, value: unknown): Promise<RoleChoice | undefined> {
  const parsed = guid.safeParse(value);
  if (!parsed.success) return undefined;
  const id = parsed.data.toLowerCase();
  const role = (await services.salespeople.pickableRoles(environment)).find((r) => r.roleid === id);
  if (!role) return undefined;
  const actor = actorOf(context);
  await services.salespeople.rememberRole(environment, role, actor.aadObjectId ?? actor.teamsId);
  await services.audit.append({
    event: 'role.chosen',
    actor: { aadObjectId: actor.aadObjectId, name: actor.name },
    conversationId: context.activity.conversation.id,
    subject: `salesperson:${role.roleid}`,
    outcome: `${role.name} in ${environment.dataverseUrl}`,
  });
  return role;
}
