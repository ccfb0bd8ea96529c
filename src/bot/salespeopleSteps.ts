import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { salespeopleCard } from '../cards/salespeople';
import type { AdaptiveCardJson } from '../cards/render';
import { userMessage } from '../errors';
import { t } from '../i18n';
import { isCountryCode } from '../setup/csvCountries';
import { matchSalespeople } from '../setup/salespeopleMatch';
import { applyPagePicks, STATUS_FILTERS, type StatusFilter } from '../setup/salespeopleView';
import type { SetupSession } from '../setup/session';
import { guid } from '../setup/validation';
import { localeFor } from './context';
import { environmentKey } from './salespeopleServices';
import type { SalespeopleView } from '../setup/salespeopleView';
import type { BotServices } from './services';
import { applyEvent, sessionOf } from './session';
import type { SetupTurnState } from './state';

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
});

export type ViewData = z.infer<typeof ViewInput>;

export function environmentOf(services: BotServices, session: SetupSession) {
  return session.environment ?? services.defaultEnvironment();
}

/** A fresh view: observed now, keeping how the admin looked at the previous one (same environment). */
export async function observeView(services: BotServices, context: TurnContext, session: SetupSession, previous?: SalespeopleView): Promise<SalespeopleView> {
  const environment = environmentOf(services, session);
  const { facts, ...observation } = await services.salespeople.observe(environment);
  const key = environmentKey(environment);
  const keep = previous && previous.environmentKey === key ? previous : undefined;
  return {
    conversationId: context.activity.conversation.id,
    environmentKey: key,
    observedAt: new Date().toISOString(),
    observation,
    rows: matchSalespeople(facts),
    selection: keep?.selection ?? { mode: 'allMissing' },
    filter: keep?.filter ?? { status: 'all', search: '' },
    page: keep?.page ?? 0,
    usageLocation: keep?.usageLocation ?? observation.country ?? '',
    couple: keep?.couple ?? true,
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
  return { view: await observeView(services, context, session, chosen) };
}

/** The session, moved to Part 3 when a Part 3 card is used from another step; none: a hint. */
export function inPart3(state: SetupTurnState): SetupSession | undefined {
  const session = sessionOf(state);
  if (!session?.environment) return undefined;
  return session.active && session.step === 'salespeople' ? session : applyEvent(state, { type: 'goto', step: 'salespeople' });
}
