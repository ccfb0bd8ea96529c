import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment } from '../../cards/render';
import { failuresCard } from '../../cards/salespeoplePlan';
import { t } from '../../i18n';
import { planSalespeople } from '../../setup/salespeoplePlanner';
import { mailFixActions } from '../../setup/couplingPrediction';
import { licensingMode, selectedIds } from '../../setup/salespeopleView';
import { localeFor } from '../context';
import { createPlan, lookUpPlan, planCardFor } from '../planView';
import { applyEvent } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import type { CardHandler, Make } from '../handler';
import { applyInputs, chosenView, environmentOf, inPart3, loadView, rememberSalespersonRole, renderView, salespeopleStepCard, ViewInput } from '../salespeopleSteps';

/** Part 3's card verbs and the `salespeople` command. Thin: parse, call the procedure, render. */

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

/** `salespeople.page`: the page, filter and ticks from the card, applied; the list is not read again. */
export const salespeoplePage: Make<CardHandler> = (services) => async (context, state, data) => {
  const session = inPart3(state);
  if (!session) return t(localeFor(context), 'spNoSession');
  const view = applyInputs(services, await loadView(services, context, session), ViewInput.catch({}).parse(data));
  return renderView(services, context, session, view);
};

/** `salespeople.select`: all or none of the missing, with the ticks on the page shown. */
export const salespeopleSelect: Make<CardHandler> = (services) => async (context, state, data) => {
  const session = inPart3(state);
  if (!session) return t(localeFor(context), 'spNoSession');
  const { pageIds: _ignored, ...inputs } = ViewInput.catch({}).parse(data);
  const view = applyInputs(services, await loadView(services, context, session), inputs);
  const mode = z.object({ mode: z.enum(['all', 'none']) }).safeParse(data);
  if (mode.success) view.selection = mode.data.mode === 'all' ? { mode: 'allMissing' } : { mode: 'picked', ids: [] };
  return renderView(services, context, session, view);
};

/** `salespeople.refresh`: the list read again (also "Back" from a plan or a file). */
export const salespeopleRefresh: Make<CardHandler> = (services) => async (context, state, data) => {
  const session = inPart3(state);
  if (!session) return t(localeFor(context), 'spNoSession');
  // "Back" on a plan card that ran or was decided: that card stays as the record, the list comes below it.
  const found = data.planId === undefined ? undefined : await lookUpPlan(services, context, data);
  const record = typeof found === 'object' && (await isSettled(services, found.id)) ? found : undefined;
  if (session.planId) applyEvent(state, { type: 'planSettled' });
  const stored = await services.salespeople.view.get(context.activity.conversation.id);
  if (stored) await services.salespeople.view.put(applyInputs(services, stored, ViewInput.catch({}).parse(data)));
  const list = await salespeopleStepCard(services, context, session, true);
  if (!record) return list;
  await context.sendActivity(MessageFactory.attachment(cardAttachment(list)));
  return planCardFor(services, context, record, undefined, undefined, { movedOn: true });
};

/** A plan that has run, or whose approval was decided (rejected, cancelled, expired): its card is a record. */
async function isSettled(services: BotServices, planId: string): Promise<boolean> {
  const [approval, run] = await Promise.all([services.plans.approval(planId), services.plans.run(planId)]);
  return !!run || (!!approval && approval.status !== 'pending');
}

/** `salespeople.plan`: "Show the plan": the list is read again, so the plan is made from what the tenant has now. */
export const salespeoplePlan: Make<CardHandler> = (services) => async (context, state, data) => {
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
    {
      environment: planEnvironment,
      skus: observation.skus,
      salespersonRole: observation.salespersonRole,
      usageLocation: view.usageLocation,
      coupling,
      securityGroup: observation.securityGroup,
      licensing: { mode: licensingMode(view), facts: observation.groupLicensing },
    },
  );
  if (!result.ok) {
    // A choice the list card does not offer (no Entra ID P1) is not kept.
    const kept = observation.groupLicensing?.entraPremium ? view : { ...view, licensing: undefined };
    return renderView(services, context, session, kept, t(locale, result.refusal.key, result.refusal.vars));
  }
  await services.salespeople.view.put(view);
  const created = await createPlan(services, context, 'salespeople', planEnvironment, result.actions, { licensing: result.licensing });
  applyEvent(state, { type: 'salespeoplePlanned', planId: created.id });
  return planCardFor(services, context, created);
};

/**
 * `salespeople.fixMail`: "Plan the e-mail fixes": the list is read again and the missing mail
 * addresses Business Central's Match-Based Coupling needs become a plan, approved like any other.
 */
export const salespeopleFixMail: Make<CardHandler> = (services) => async (context, state, data) => {
  const locale = localeFor(context);
  const session = inPart3(state);
  if (!session) return t(locale, 'spNoSession');
  const stored = await services.salespeople.view.get(context.activity.conversation.id);
  const view = await loadView(services, context, session, true);
  const inputs = stored ? applyInputs(services, view, ViewInput.catch({}).parse(data)) : view;
  const actions = mailFixActions(inputs.coupling ?? []);
  if (actions.length === 0) return renderView(services, context, session, inputs, t(locale, 'cpNothingToFix'));
  await services.salespeople.view.put(inputs);
  const environment = environmentOf(services, session);
  const planEnvironment = { dataverseUrl: environment.dataverseUrl, bapEnvironmentId: environment.bapEnvironmentId, bcEnvironment: environment.bcEnvironment, bcCompanyId: environment.bcCompanyId };
  const created = await createPlan(services, context, 'salespeople', planEnvironment, actions);
  applyEvent(state, { type: 'salespeoplePlanned', planId: created.id });
  return planCardFor(services, context, created);
};

/** `salespeople.failures`: a run's failures, page by page; page 0 is the plan card itself. */
export const salespeopleFailures: Make<CardHandler> = (services) => async (context, _state, data) => {
  const found = await lookUpPlan(services, context, data);
  if (typeof found === 'string') return found;
  const page = z.coerce.number().int().min(0).max(10_000).catch(0).parse(data.page);
  if (page === 0) return planCardFor(services, context, found);
  const locale = localeFor(context);
  return failuresCard(found, await services.plans.run(found.id), page, locale, t(locale, 'planTitle', { title: t(locale, 'kindSalespeople') }));
};
