import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment, type AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import { localeFor } from '../context';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { stepCard } from '../steps';
import { cancelPlan } from './plan';

/** Text commands of the setup: set up, status, cancel, restart, resume (en and nb). */

async function sendCard(context: TurnContext, card: AdaptiveCardJson): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(cardAttachment(card)));
}

export function setup(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const wasActive = sessionOf(state)?.active === true;
    const session = applyEvent(state, { type: 'start' });
    if (wasActive) await context.sendActivity(t(localeFor(context), 'resumed'));
    await sendCard(context, await stepCard(services, context, session));
  };
}

/**
 * `cancel` typed: a plan waiting for approval here is cancelled the way its card's Cancel does
 * (cancelPlan: only its requester, on record); refused, nothing changes, the setup included.
 */
export function cancel(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const session = sessionOf(state);
    const plan = session?.planId ? await services.plans.get(session.planId) : undefined;
    if (plan && (await services.plans.approval(plan.id))?.status === 'pending') {
      const result = await cancelPlan(services, context, state, plan, plan.digest, 'cancel');
      if (!result.done) {
        await context.sendActivity(result.notice);
        return;
      }
    }
    applyEvent(state, { type: 'cancel' });
    await context.sendActivity(t(localeFor(context), session ? 'cancelled' : 'statusNoSession'));
  };
}

export function restart(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const session = applyEvent(state, { type: 'restart' });
    await context.sendActivity(t(localeFor(context), 'restarted'));
    await sendCard(context, await stepCard(services, context, session));
  };
}

export function resume(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    // Every unfinished run continues, and every approved plan without a run starts.
    await services.runner.resumeAll().catch((error) => services.logger.error({ err: error }, 'could not resume the runs'));
    if (!sessionOf(state)) {
      await context.sendActivity(t(localeFor(context), 'statusNoSession'));
      return;
    }
    const session = applyEvent(state, { type: 'resume' });
    await context.sendActivity(t(localeFor(context), 'resumed'));
    await sendCard(context, await stepCard(services, context, session));
  };
}

/** "Set up Part N" on the status card: straight to that part (the environment first, if none is remembered). */
export function setupGoto(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> => {
    const parsed = z.object({ part: z.enum(['admin', 'integration', 'salespeople']) }).safeParse(data);
    const session = parsed.success ? applyEvent(state, { type: 'goto', step: parsed.data.part }) : applyEvent(state, { type: 'start' });
    return stepCard(services, context, session);
  };
}
