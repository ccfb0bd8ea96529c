import { MessageFactory, type TurnContext } from 'botbuilder';
import { cardAttachment } from '../../cards/render';
import { welcomeCard } from '../../cards/welcome';
import type { BotServices } from '../services';
import { actorOf, localeFor } from '../context';

/** "help", "hjelp" and greetings: the welcome card with the live status of the three parts. */
export function help(services: BotServices) {
  return async (context: TurnContext): Promise<void> => {
    const overview = await services.observer.overview(actorOf(context), services.defaultEnvironment());
    const card = welcomeCard(overview, localeFor(context));
    await context.sendActivity(MessageFactory.attachment(cardAttachment(card)));
  };
}
