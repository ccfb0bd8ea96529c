import type { TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import { actorOf, localeFor } from '../context';
import { broadcast, lookUpPlan, planCardFor } from '../planView';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { stepCard } from '../steps';

/** The plan card's verbs for the requester: cancel, retry what failed, and continue. Approvals: approval.ts. */

export function planCancel(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    const actor = actorOf(context);
    if (actor.aadObjectId?.toLowerCase() !== plan.createdBy.aadObjectId?.toLowerCase()) {
      return planCardFor(services, context, plan, t(localeFor(context), 'planCancelOnlyRequester'));
    }
    const person = { aadObjectId: actor.aadObjectId, name: actor.name };
    const result = await services.plans.decide(plan.id, 'cancel', String(data.digest ?? ''), person);
    if (result?.outcome === 'decided') {
      await services.audit.append({ event: 'plan.cancelled', actor: person, planId: plan.id, digest: plan.digest, conversationId: context.activity.conversation.id });
      await broadcast(services, plan, localeFor(context), context.activity.replyToId);
      if (sessionOf(state)?.planId === plan.id) applyEvent(state, { type: 'planSettled' });
    }
    return planCardFor(services, context, plan);
  };
}

export function planRetry(services: BotServices) {
  return async (context: TurnContext, _state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    await services.runner.retryFailed(plan.id);
    return planCardFor(services, context, plan);
  };
}

/** "Continue" after a completed (or empty) plan: the next step of the procedure. */
export function planContinue(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    const run = await services.plans.run(plan.id);
    const finished = plan.actions.length === 0 || run?.status === 'completed';
    if (!finished) return planCardFor(services, context, plan);
    let session = sessionOf(state);
    if (session?.planId === plan.id) {
      session = applyEvent(state, { type: 'planCompleted', kind: plan.kind });
      if (plan.kind === 'admin') await context.sendActivity(`${t(locale, 'adminComplete')} ${t(locale, 'nextStepIntegration')}`);
    }
    return session ? stepCard(services, context, session) : planCardFor(services, context, plan);
  };
}
