import { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { planCard } from '../../cards/setup';
import type { AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import type { Plan } from '../../setup/plan';
import { guid } from '../../setup/validation';
import { actorOf, localeFor } from '../context';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { stepCard } from '../steps';

/**
 * The plan card's verbs. Card data carries only a plan id and a digest: the plan is looked up,
 * must belong to this conversation, and the approval binds to the stored plan's digest.
 */

const PlanRef = z.object({ planId: guid, digest: z.string().regex(/^[0-9a-f]{64}$/).optional() });

async function lookUp(services: BotServices, context: TurnContext, data: unknown): Promise<Plan | string> {
  const locale = localeFor(context);
  const parsed = PlanRef.safeParse(data);
  if (!parsed.success) return t(locale, 'planUnknown');
  const plan = await services.plans.get(parsed.data.planId.toLowerCase());
  if (!plan || plan.conversationId !== context.activity.conversation.id) return t(locale, 'planUnknown');
  return plan;
}

async function current(services: BotServices, plan: Plan, locale: ReturnType<typeof localeFor>, notice?: string) {
  const [approval, run] = await Promise.all([services.plans.approval(plan.id), services.plans.run(plan.id)]);
  return planCard({ plan, approval, run, notice }, locale);
}

export function planApprove(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const plan = await lookUp(services, context, data);
    if (typeof plan === 'string') return plan;
    const approval = await services.plans.approval(plan.id);
    if (approval?.status === 'pending' && sessionOf(state)?.planId !== plan.id) {
      return current(services, plan, locale, t(locale, 'planStale'));
    }
    const actor = actorOf(context);
    const result = await services.plans.decide(plan.id, 'approve', String(data.digest ?? ''), { aadObjectId: actor.aadObjectId, name: actor.name });
    if (!result) return t(locale, 'planUnknown');
    if (result.outcome === 'digestMismatch') return current(services, plan, locale, t(locale, 'planStale'));
    if (result.outcome === 'decided') {
      const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown>;
      await services.runner.start(plan, {
        conversationId: plan.conversationId,
        activityId: context.activity.replyToId,
        reference,
        locale: localeFor(context),
      });
    }
    return current(services, plan, locale);
  };
}

export function planCancel(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUp(services, context, data);
    if (typeof plan === 'string') return plan;
    const actor = actorOf(context);
    const result = await services.plans.decide(plan.id, 'cancel', String(data.digest ?? ''), { aadObjectId: actor.aadObjectId, name: actor.name });
    if (result?.outcome === 'decided' && sessionOf(state)?.planId === plan.id) applyEvent(state, { type: 'planSettled' });
    return current(services, plan, localeFor(context));
  };
}

export function planRetry(services: BotServices) {
  return async (context: TurnContext, _state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUp(services, context, data);
    if (typeof plan === 'string') return plan;
    await services.runner.retryFailed(plan.id);
    return current(services, plan, localeFor(context));
  };
}

/** "Continue" after a completed (or empty) plan: the next step of the procedure. */
export function planContinue(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const plan = await lookUp(services, context, data);
    if (typeof plan === 'string') return plan;
    const run = await services.plans.run(plan.id);
    const finished = plan.actions.length === 0 || run?.status === 'completed';
    if (!finished) return current(services, plan, locale);
    let session = sessionOf(state);
    if (session?.planId === plan.id) {
      session = applyEvent(state, { type: 'planCompleted', kind: plan.kind });
      if (plan.kind === 'admin') await context.sendActivity(`${t(locale, 'adminComplete')} ${t(locale, 'nextStepIntegration')}`);
    }
    return session ? stepCard(services, context, session) : current(services, plan, locale);
  };
}
