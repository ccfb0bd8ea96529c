import type { TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/render';
import type { BotServices } from './services';
import type { SetupTurnState } from './state';

/**
 * The shapes of every handler in `handlers/`, named once. routes.ts gives each one a command or a
 * card verb; a handler module exports its handlers and nothing registers them but routes.ts.
 */

/** A card's Action.Execute: its `data`, checked by the handler; the answer replaces the card (a card) or is shown as a message (text). */
export type CardHandler = (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>) => Promise<AdaptiveCardJson | string>;

/** A command typed in chat, or another message route: it answers with activities of its own. */
export type MessageHandler = (context: TurnContext, state: SetupTurnState) => Promise<void>;

/** How routes.ts makes a handler: from the bot's services, once, at start-up. */
export type Make<H> = (services: BotServices) => H;
