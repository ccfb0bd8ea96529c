import { MessageFactory, type TurnContext } from 'botbuilder';
import { cardAttachment } from '../../cards/render';
import { welcomeCard } from '../../cards/welcome';
import { t } from '../../i18n';
import type { BotServices } from '../services';
import { actorOf, localeFor } from '../context';
import type { SetupTurnState } from '../state';

/** "help", "hjelp" and greetings: the welcome card with the live status of the three parts. */
export function help(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const environment = state.conversation.setup?.environment ?? services.defaultEnvironment();
    if (!environment) {
      await context.sendActivity(t(localeFor(context), 'envChooseFirst'));
      return;
    }
    const overview = await services.observer.overview(actorOf(context), environment);
    await context.sendActivity(MessageFactory.attachment(cardAttachment(welcomeCard(overview, localeFor(context)))));
  };
}
