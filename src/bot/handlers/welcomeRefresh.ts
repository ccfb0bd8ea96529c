import type { TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../../cards/render';
import { welcomeCard } from '../../cards/welcome';
import type { BotServices } from '../services';
import { actorOf, localeFor } from '../context';
import type { SetupTurnState } from '../state';

/** "Check again" on the welcome card: the same card, read anew, replaces the old one. */
export function welcomeRefresh(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<AdaptiveCardJson> => {
    const environment = services.environmentOf(state.conversation.setup?.environment);
    const overview = await services.observer.overview(actorOf(context), environment);
    return welcomeCard(overview, localeFor(context));
  };
}
