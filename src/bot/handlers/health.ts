import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { healthCard } from '../../cards/health';
import { cardAttachment, type AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import { HEALTH_CHECKS } from '../../setup/health';
import { actorOf, localeFor } from '../context';
import { createPlan, planCardFor } from '../planView';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';

/**
 * `status`: the integration's health check, one row per check. A failing row's "Plan the fix"
 * makes a plan from a fresh read, shown on the plan card and approved like every other plan.
 */

/** The conversation's environment, else the configured one (an invalid_input error asking to choose them when neither). */
function target(services: BotServices, context: TurnContext, state: SetupTurnState) {
  const session = sessionOf(state);
  return {
    environment: services.environmentOf(session?.environment),
    // The admin Part 1 set up, else the person asking.
    admin: session?.admin?.userPrincipalName ?? actorOf(context).aadObjectId,
  };
}

async function card(services: BotServices, context: TurnContext, state: SetupTurnState): Promise<AdaptiveCardJson> {
  const { environment, admin } = target(services, context, state);
  return healthCard(await services.health(environment, { admin }), localeFor(context));
}

export function healthStatus(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    if (!sessionOf(state)?.environment && !services.defaultEnvironment()) {
      await context.sendActivity(t(localeFor(context), 'envChooseFirst'));
      return;
    }
    await context.sendActivity(MessageFactory.attachment(cardAttachment(await card(services, context, state))));
  };
}

/** "Check again": the card read anew. */
export function healthRefresh(services: BotServices) {
  return (context: TurnContext, state: SetupTurnState): Promise<AdaptiveCardJson> => card(services, context, state);
}

const FixInput = z.object({ check: z.enum(HEALTH_CHECKS) });

/** "Plan the fix" on a failing row: the plan card, or why there is nothing to plan. */
export function healthFix(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const parsed = FixInput.safeParse(data);
    if (!parsed.success) return t(locale, 'healthUnknownCheck');
    const { environment, admin } = target(services, context, state);
    const result = await services.healthFix(environment, parsed.data.check, { admin });
    if (!result.ok) {
      const vars = Object.fromEntries(Object.entries(result.vars ?? {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v])) as Record<string, string | number>;
      return t(locale, 'healthFixNotPlannable', { reason: t(locale, result.key, vars) });
    }
    if (result.actions.length === 0) return card(services, context, state);
    const plan = await createPlan(services, context, result.kind, environment, result.actions);
    // In a setup, this is now the plan the conversation waits on (an older one can no longer be approved here).
    if (sessionOf(state)) applyEvent(state, { type: 'healthPlanned', planId: plan.id });
    return planCardFor(services, context, plan);
  };
}
