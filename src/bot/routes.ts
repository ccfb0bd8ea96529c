import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AdaptiveCard, Application } from '@microsoft/teams-ai';
import { userMessage } from '../errors';
import { t } from '../i18n';
import type { Command } from '../setup/session';
import type { AdaptiveCardJson } from '../cards/render';
import { commandOf, localeFor } from './context';
import type { BotServices } from './services';
import type { SetupTurnState } from './state';
import { help } from './handlers/help';
import { welcomeRefresh } from './handlers/welcomeRefresh';
import { unknown } from './handlers/unknown';
import { unknownAction } from './handlers/unknownAction';
import { cancel, restart, resume, setup, setupGoto, status } from './handlers/commands';
import { environmentChange, environmentSave } from './handlers/environment';
import { adminPlan } from './handlers/adminPlan';
import { planCancel, planContinue, planRetry } from './handlers/plan';
import { approvalHandlers } from './handlers/approval';
import { auditExport, auditFile, auditShow } from './handlers/audit';
import { fileConsentHandlers } from './files';
import { applyChosenLocale, language, languageSet } from './handlers/language';
import { integrationHandlers } from './handlers/integration';
import { salespeopleCommand, salespeopleHandlers } from './handlers/salespeople';
import { salespeopleRole } from './handlers/salespeopleRole';
import { FILE_KIND, hasTeamsFile, salespeopleCsvFile, salespeopleCsvHandlers, salespeopleImport } from './handlers/salespeopleCsv';
import { stepCard } from './steps';

type Handler = (context: TurnContext, state: SetupTurnState) => Promise<void>;
type CardHandler = (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>) => Promise<AdaptiveCardJson | string>;

const command = (name: Command) => async (context: TurnContext) =>
  context.activity.type === ActivityTypes.Message && commandOf(context.activity) === name;

/** The one route table: every command and card verb the bot answers. */
export function registerRoutes(app: Application<SetupTurnState>, services: BotServices): void {
  app.turn('beforeTurn', applyChosenLocale);
  // Every conversation the bot is in is remembered, so approval cards can be posted there later.
  app.turn('beforeTurn', async (context) => {
    await services.notifier.remember(context);
    return true;
  });
  const commands: Record<Command, Handler> = {
    help: help(services),
    setup: setup(services),
    status: status(services),
    cancel: cancel(services),
    restart: restart(services),
    resume: resume(services),
    audit: auditShow(services),
    language: language(),
    salespeople: salespeopleCommand(services),
  };
  for (const [name, handler] of Object.entries(commands) as [Command, Handler][]) app.message(command(name), handler);
  // A CSV file sent in personal chat: the Part 3 import.
  app.message(hasTeamsFile, salespeopleImport(services));
  // Files offered with a FileConsentCard are made and uploaded when the user accepts.
  const files = fileConsentHandlers(services, { audit: auditFile, [FILE_KIND]: salespeopleCsvFile });
  app.fileConsentAccept(files.accept);
  app.fileConsentDecline(files.decline);

  app.conversationUpdate('membersAdded', async (context: TurnContext, state: SetupTurnState) => {
    const added = context.activity.membersAdded ?? [];
    if (added.some((member) => member.id === context.activity.recipient?.id)) await commands.help(context, state);
  });

  const verbs: Record<string, CardHandler> = {
    'welcome.refresh': welcomeRefresh(services),
    'setup.goto': setupGoto(services),
    'env.save': environmentSave(services),
    'env.change': environmentChange(services),
    'admin.plan': adminPlan(services),
    ...approvalHandlers(services),
    'audit.export': auditExport(services),
    'plan.cancel': planCancel(services),
    'plan.retry': planRetry(services),
    'plan.continue': planContinue(services),
    'language.set': languageSet(),
    ...integrationHandlers(services, (context, session) => stepCard(services, context, session)),
    ...salespeopleHandlers(services),
    'salespeople.role': salespeopleRole(services),
    ...salespeopleCsvHandlers(services),
  };
  for (const [verb, handler] of Object.entries(verbs)) {
    app.adaptiveCards.actionExecute<Record<string, unknown>>(verb, guarded(services, handler));
  }

  // Last: anything else gets a hint, never silence; an invoke no verb matched gets an answer too.
  app.activity(ActivityTypes.Message, unknown);
  app.activity(ActivityTypes.Invoke, unknownAction);
}

/**
 * A card action always answers: a failure becomes a message the user can act on (never a stack
 * or a raw service response), so Teams does not retry the invoke.
 */
function guarded(services: BotServices, handler: CardHandler) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCard | string> => {
    try {
      const safeData = data && typeof data === 'object' && !Array.isArray(data) ? data : {};
      return await handler(context, state, safeData);
    } catch (error) {
      services.logger.error({ err: error, verb: (context.activity.value as { action?: { verb?: string } })?.action?.verb }, 'card action failed');
      const message = userMessage(error, localeFor(context));
      return message.startsWith('Something went wrong') ? t(localeFor(context), 'errorGeneric') : message;
    }
  };
}
