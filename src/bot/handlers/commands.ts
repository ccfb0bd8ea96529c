import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment, type AdaptiveCardJson } from '../../cards/render';
import { welcomeCard } from '../../cards/welcome';
import { t } from '../../i18n';
import { actorOf, localeFor } from '../context';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { stepCard } from '../steps';

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

export function status(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const environment = sessionOf(state)?.environment ?? services.defaultEnvironment();
    const overview = await services.observer.overview(actorOf(context), environment);
    await sendCard(context, welcomeCard(overview, localeFor(context)));
  };
}

export function cancel(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const session = sessionOf(state);
    if (session?.planId) {
      await services.plans.decide(session.planId, 'cancel', (await services.plans.get(session.planId))?.digest ?? '', {
        aadObjectId: context.activity.from?.aadObjectId,
        name: context.activity.from?.name,
      });
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
