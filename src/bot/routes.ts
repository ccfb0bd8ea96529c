import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AdaptiveCard, Application, TurnState } from '@microsoft/teams-ai';
import { userMessage } from '../errors';
import { localeFor } from './context';
import { t } from '../i18n';
import type { BotServices } from './services';
import { help } from './handlers/help';
import { welcomeRefresh } from './handlers/welcomeRefresh';
import { unknown } from './handlers/unknown';

/** Commands, in English and Norwegian. Matching is on the whole message, case-insensitively. */
export const COMMANDS = {
  help: /^\s*(help|hjelp|hi|hello|hey|hei|hallo|god\s*dag|\?)\s*[!.?]*\s*$/i,
};

/** The one route table: every message pattern and card verb the bot answers. */
export function registerRoutes(app: Application<TurnState>, services: BotServices): void {
  const showHelp = help(services);
  app.message(COMMANDS.help, showHelp);
  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const added = context.activity.membersAdded ?? [];
    if (added.some((member) => member.id === context.activity.recipient?.id)) await showHelp(context);
  });
  const execute = <D>(verb: string, handler: (context: TurnContext, state: TurnState, data: D) => Promise<AdaptiveCard | string>) =>
    app.adaptiveCards.actionExecute<D>(verb, guarded(services, handler));
  execute('welcome.refresh', welcomeRefresh(services));
  // Last: anything else gets a hint, never silence.
  app.activity(ActivityTypes.Message, unknown);
}

/**
 * A card action always answers: a failure becomes a message the user can act on (never a stack
 * or a raw service response), so Teams does not retry the invoke.
 */
function guarded<D>(
  services: BotServices,
  handler: (context: TurnContext, state: TurnState, data: D) => Promise<AdaptiveCard | string>,
) {
  return async (context: TurnContext, state: TurnState, data: D): Promise<AdaptiveCard | string> => {
    try {
      return await handler(context, state, data);
    } catch (error) {
      services.logger.error({ err: error, verb: (context.activity.value as { action?: { verb?: string } })?.action?.verb }, 'card action failed');
      const message = userMessage(error);
      return message.startsWith('Something went wrong') ? t(localeFor(context), 'errorGeneric') : message;
    }
  };
}
