import type { TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '@microsoft/teams-ai';
import { welcomeCard } from '../../cards/welcome';
import type { BotServices } from '../services';
import { actorOf, localeFor } from '../context';

/** "Check again" on the welcome card: the same card, read anew, replaces the old one. */
export function welcomeRefresh(services: BotServices) {
  return async (context: TurnContext): Promise<AdaptiveCard> => {
    const overview = await services.observer.overview(actorOf(context), services.defaultEnvironment());
    return welcomeCard(overview, localeFor(context)) as unknown as AdaptiveCard;
  };
}
