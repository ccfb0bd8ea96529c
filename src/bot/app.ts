import type { Storage, TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter } from '@microsoft/teams-ai';
import { t } from '../i18n';
import { localeFor } from './context';
import { accessGate } from './gate';
import { registerRoutes } from './routes';
import type { BotServices } from './services';
import { SetupTurnState } from './state';

export function createApplication(adapter: TeamsAdapter, storage: Storage, services: BotServices): Application<SetupTurnState> {
  const app = new Application<SetupTurnState>({
    adapter,
    storage,
    botAppId: services.config.bot.appId,
    startTypingTimer: false,
    removeRecipientMention: true,
    longRunningMessages: false,
    turnStateFactory: () => new SetupTurnState(),
  });
  // First: who may act, from which tenant, with which envelope. Nothing below runs for a refusal.
  app.turn('beforeTurn', accessGate(services));
  registerRoutes(app, services);
  app.error(async (context: TurnContext, error: Error) => {
    services.logger.error({ err: error, activityType: context.activity.type }, 'turn failed');
    if (context.activity.type === 'message') {
      await context.sendActivity(t(localeFor(context), 'errorGeneric'));
    }
  });
  return app;
}
