import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AdaptiveCard, Application } from '@microsoft/teams-ai';
import { userMessage } from '../errors';
import { t } from '../i18n';
import type { Command } from '../setup/session';
import { commandOf, localeFor } from './context';
import { fileConsentHandlers, type FileProducer } from './files';
import type { CardHandler, Make, MessageHandler } from './handler';
import type { BotServices } from './services';
import type { SetupTurnState } from './state';
import { adminPlan } from './handlers/adminPlan';
import { approvalRequest, planApprove, planRefresh, planReject } from './handlers/approval';
import { auditExport, auditFile, auditShow } from './handlers/audit';
import { cancel, restart, resume, setup, setupGoto } from './handlers/commands';
import { healthFix, healthRefresh, healthStatus } from './handlers/health';
import { environmentChange, environmentSave } from './handlers/environment';
import { help } from './handlers/help';
import {
  integrationChangePath,
  integrationCheck,
  integrationConnected,
  integrationFix,
  integrationNext,
  integrationPath,
  integrationPlan,
  secretStored,
} from './handlers/integration';
import { applyChosenLocale, language, languageSet } from './handlers/language';
import { planCancel, planContinue, planRetry } from './handlers/plan';
import { salespeopleCommand, salespeopleFailures, salespeopleFixMail, salespeoplePage, salespeoplePlan, salespeopleRefresh, salespeopleSelect } from './handlers/salespeople';
import { FILE_KIND, hasTeamsFile, salespeopleCsvFile, salespeopleCsvText, salespeopleExport, salespeopleImport, salespeopleImportProblems } from './handlers/salespeopleCsv';
import { salespeopleRole } from './handlers/salespeopleRole';
import { unknown } from './handlers/unknown';
import { unknownAction } from './handlers/unknownAction';
import { watchOff, watchOn } from './handlers/watch';
import { welcomeRefresh } from './handlers/welcomeRefresh';

/**
 * The one route table: every command typed in chat and every card verb the bot answers, one line
 * each, with who may use it. `admins(h)`: admins only. `approvers(h)`: approvers who are not admins
 * pass the gate too (gate.ts reads this flag and nothing else); the handler then applies the
 * approver policy itself. Adding a verb is one line in CARD_VERBS; test/unit/routes.test.ts fails
 * when a card carries a verb without a line here, or a line here names a verb no card carries.
 */

interface Route<H> {
  handler: Make<H>;
  /** May an approver who is not an admin use it? */
  approvers: boolean;
}

const admins = <H>(handler: Make<H>): Route<H> => ({ handler, approvers: false });
const approvers = <H>(handler: Make<H>): Route<H> => ({ handler, approvers: true });

/** Commands typed in chat, by the command each message is parsed to (setup/session.ts: the words in both languages). */
export const COMMANDS: Record<Command, Route<MessageHandler>> = {
  help: admins(help), //                    "help", "hjelp", greetings: the welcome card with the live status
  setup: admins(setup), //                  "set up", "sett opp": the setup at its current step
  status: admins(healthStatus), //          "status": the health check, one row per check
  cancel: admins(cancel), //                "cancel", "avbryt": the plan waiting here (its requester only), then the setup
  restart: admins(restart), //              "restart", "start på nytt": the setup from the start
  resume: admins(resume), //                "resume", "fortsett": unfinished runs continue; the setup where it stood
  audit: admins(auditShow), //              "audit", "logg": the latest audit entries
  language: admins(language), //            "language nb", "språk en": the conversation's language
  salespeople: admins(salespeopleCommand), // "salespeople", "selgere": Part 3 straight away
};

/** Card verbs: the `verb` of an Action.Execute in cards/*.json (and in any card built in src/cards). */
export const CARD_VERBS = {
  'welcome.refresh': admins(welcomeRefresh), //              welcome card: "Check again"
  'health.refresh': admins(healthRefresh), //                health card: "Check again"
  'health.fix': admins(healthFix), //                        health card: a failing row's "Plan the fix"
  'setup.goto': admins(setupGoto), //                        welcome card: "Set up Part N"
  'language.set': admins(languageSet), //                    language card: a language
  'audit.export': admins(auditExport), //                    audit card: the whole trail as a CSV file
  'env.save': admins(environmentSave), //                    environment card: "Continue"
  'env.change': admins(environmentChange), //                Part 1 card: "Change environment"
  'admin.plan': admins(adminPlan), //                        Part 1 card: "Show the plan"
  'integration.path': admins(integrationPath), //            Part 2: the application user or a dedicated user
  'integration.changePath': admins(integrationChangePath), // Part 2: back to the choice of path
  'integration.plan': admins(integrationPlan), //            Part 2 form: "Show the plan" for the dedicated user
  'integration.connected': admins(integrationConnected), //  Part 2: "The connection is created"
  'integration.fix': admins(integrationFix), //              Part 2 check: plan the fixes
  'integration.check': admins(integrationCheck), //          Part 2 check: "Check again"
  'integration.next': admins(integrationNext), //            Part 2 check: on to Part 3
  'secret.stored': admins(secretStored), //                  password card: "I have stored it" (the password is withdrawn)
  'salespeople.page': admins(salespeoplePage), //            Part 3 list: filter, previous, next
  'salespeople.select': admins(salespeopleSelect), //        Part 3 list: select all, none
  'salespeople.role': admins(salespeopleRole), //            Part 3: the role salespeople get, picked
  'salespeople.refresh': admins(salespeopleRefresh), //      Part 3: the list read again ("Check again", "Back to the salespeople")
  'salespeople.plan': admins(salespeoplePlan), //            Part 3 list: "Show the plan"
  'salespeople.export': admins(salespeopleExport), //        Part 3 list: the admin center's CSV files
  'salespeople.csvText': admins(salespeopleCsvText), //      Part 3 export: a file shown as text
  'salespeople.importProblems': admins(salespeopleImportProblems), // Part 3 import: its problems, page by page
  'salespeople.fixMail': admins(salespeopleFixMail), //      Part 3 list: "Plan the e-mail fixes" (Match-Based Coupling)
  'salespeople.failures': admins(salespeopleFailures), //    Part 3 plan: a run's failures, page by page
  'plan.cancel': admins(planCancel), //                      plan card: "Cancel" (its requester only)
  'plan.retry': admins(planRetry), //                        plan card: "Retry failed"
  'plan.continue': admins(planContinue), //                  applied plan card: "Continue" (the next step below it)
  'approval.request': approvers(approvalRequest), //         plan card: "Request approval" in the approvers' chat
  'plan.view': approvers(planRefresh), //                    approval card: each approver's own view (refresh)
  'plan.approve': approvers(planApprove), //                 approval card: "Approve and apply"
  'plan.reject': approvers(planReject), //                   approval card: "Reject", with a comment
  'watch.on': admins(watchOn), //                            status card: "Watch this setup" (this chat, this environment)
  'watch.off': admins(watchOff), //                          status card and the watch's post: "Turn the watch off"
} satisfies Record<string, Route<CardHandler>>;

type CardVerb = keyof typeof CARD_VERBS;

/** Files offered with a FileConsentCard, by the kind their consent carries; made when the user accepts. */
const FILES: Record<string, FileProducer> = { audit: auditFile, [FILE_KIND]: salespeopleCsvFile };

const own = <T extends object>(table: T, key: string | undefined): T[keyof T] | undefined =>
  key !== undefined && Object.hasOwn(table, key) ? table[key as keyof T] : undefined;

/** For the gate: may an approver who is not an admin use this command or verb? Unknown ones: no. */
export function approversMayUse(asked: { command?: Command } | { verb?: string }): boolean {
  const route = 'verb' in asked ? own(CARD_VERBS, asked.verb) : own(COMMANDS, 'command' in asked ? asked.command : undefined);
  return route?.approvers === true;
}

const isCommand = (name: Command) => async (context: TurnContext) =>
  context.activity.type === ActivityTypes.Message && commandOf(context.activity) === name;

export function registerRoutes(app: Application<SetupTurnState>, services: BotServices): void {
  app.turn('beforeTurn', applyChosenLocale);
  // Every conversation the bot is in is remembered, so approval cards can be posted there later.
  app.turn('beforeTurn', async (context) => {
    await services.notifier.remember(context);
    return true;
  });
  const commands = Object.fromEntries(Object.entries(COMMANDS).map(([name, route]) => [name, route.handler(services)])) as Record<Command, MessageHandler>;
  for (const [name, handler] of Object.entries(commands) as [Command, MessageHandler][]) app.message(isCommand(name), handler);
  // A CSV file sent in personal chat: the Part 3 import.
  app.message(hasTeamsFile, salespeopleImport(services));
  const files = fileConsentHandlers(services, FILES);
  app.fileConsentAccept(files.accept);
  app.fileConsentDecline(files.decline);
  // The bot added to a conversation: the welcome card, as "help".
  app.conversationUpdate('membersAdded', async (context: TurnContext, state: SetupTurnState) => {
    const added = context.activity.membersAdded ?? [];
    if (added.some((member) => member.id === context.activity.recipient?.id)) await commands.help(context, state);
  });
  for (const [verb, route] of Object.entries(CARD_VERBS) as [CardVerb, Route<CardHandler>][]) {
    app.adaptiveCards.actionExecute<Record<string, unknown>>(verb, guarded(services, route.handler(services)));
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
