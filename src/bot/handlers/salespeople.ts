import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment, type AdaptiveCardJson } from '../../cards/render';
import { failuresCard } from '../../cards/salespeoplePlan';
import { t } from '../../i18n';
import { planSalespeople } from '../../setup/salespeoplePlanner';
import { selectedIds } from '../../setup/salespeopleView';
import { localeFor } from '../context';
import { createPlan, lookUpPlan, planCardFor } from '../planView';
import { applyEvent } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { applyInputs, chosenView, environmentOf, inPart3, loadView, renderView, salespeopleStepCard, ViewInput } from '../salespeopleSteps';
import { rememberSalespersonRole } from './salespeopleRole';

/** Part 3's card verbs and the `salespeople` command. Thin: parse, call the procedure, render. */

type CardHandler = (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>) => Promise<AdaptiveCardJson | string>;

/** `salespeople` / `selgere`: Part 3 straight away (after the environments, if none are chosen yet). */
export function salespeopleCommand(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const session = applyEvent(state, { type: 'goto', step: 'salespeople' });
    if (session.step !== 'salespeople') {
      await context.sendActivity(t(localeFor(context), 'spNoSession'));
      return;
    }
    await context.sendActivity(MessageFactory.attachment(cardAttachment(await salespeopleStepCard(services, context, session))));
  };
}

export function salespeopleHandlers(services: BotServices): Record<string, CardHandler> {
  /** The page, filter and ticks from the card, applied; the list is not read again. */
  const page: CardHandler = async (context, state, data) => {
    const session = inPart3(state);
    if (!session) return t(localeFor(context), 'spNoSession');
    const view = applyInputs(services, await loadView(services, context, session), ViewInput.catch({}).parse(data));
    return renderView(services, context, session, view);
  };

  const select: CardHandler = async (context, state, data) => {
    const session = inPart3(state);
    if (!session) return t(localeFor(context), 'spNoSession');
    const { pageIds: _ignored, ...inputs } = ViewInput.catch({}).parse(data);
    const view = applyInputs(services, await loadView(services, context, session), inputs);
    const mode = z.object({ mode: z.enum(['all', 'none']) }).safeParse(data);
    if (mode.success) view.selection = mode.data.mode === 'all' ? { mode: 'allMissing' } : { mode: 'picked', ids: [] };
    return renderView(services, context, session, view);
  };

  const refresh: CardHandler = async (context, state, data) => {
    const session = inPart3(state);
    if (!session) return t(localeFor(context), 'spNoSession');
    if (session.planId) applyEvent(state, { type: 'planSettled' });
    const stored = await services.salespeople.view.get(context.activity.conversation.id);
    if (stored) await services.salespeople.view.put(applyInputs(services, stored, ViewInput.catch({}).parse(data)));
    return salespeopleStepCard(services, context, session, true);
  };

  /** "Show the plan": the list is read again, so the plan is made from what the tenant has now. */
  const plan: CardHandler = async (context, state, data) => {
    const locale = localeFor(context);
    const session = inPart3(state);
    if (!session) return t(locale, 'spNoSession');
    // A role picked on the card (no role has a known name) counts before the list is read again.
    if (data.salespersonRoleId) await rememberSalespersonRole(services, context, environmentOf(services, session), data.salespersonRoleId);
    const chosen = await chosenView(services, context, session, data);
    if ('refusal' in chosen) return chosen.refusal;
    const { view } = chosen;
    const { observation } = view;
    const coupling = services.salespeople.couplingConfigured && view.couple && observation.couplingEndpoint ? { endpoint: observation.couplingEndpoint, companyId: observation.company.id } : undefined;
    const selected = selectedIds(view.rows, view.selection, !!coupling);
    const environment = environmentOf(services, session);
    const planEnvironment = { dataverseUrl: environment.dataverseUrl, bapEnvironmentId: environment.bapEnvironmentId, bcEnvironment: environment.bcEnvironment, bcCompanyId: environment.bcCompanyId };
    const result = planSalespeople(
      view.rows.filter((row) => selected.has(row.id)),
      { environment: planEnvironment, skus: observation.skus, salespersonRole: observation.salespersonRole, usageLocation: view.usageLocation, coupling, securityGroup: observation.securityGroup },
    );
    if (!result.ok) return renderView(services, context, session, view, t(locale, result.refusal.key, result.refusal.vars));
    await services.salespeople.view.put(view);
    const created = await createPlan(services, context, 'salespeople', planEnvironment, result.actions);
    applyEvent(state, { type: 'salespeoplePlanned', planId: created.id });
    return planCardFor(services, context, created);
  };

  /** A run's failures, page by page; page 0 is the plan card itself. */
  const failures: CardHandler = async (context, _state, data) => {
    const found = await lookUpPlan(services, context, data);
    if (typeof found === 'string') return found;
    const page = z.coerce.number().int().min(0).max(10_000).catch(0).parse(data.page);
    if (page === 0) return planCardFor(services, context, found);
    const locale = localeFor(context);
    return failuresCard(found, await services.plans.run(found.id), page, locale, t(locale, 'planTitle', { title: t(locale, 'kindSalespeople') }));
  };

  return {
    'salespeople.page': page,
    'salespeople.select': select,
    'salespeople.refresh': refresh,
    'salespeople.plan': plan,
    'salespeople.failures': failures,
  };
}
