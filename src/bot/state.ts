import { TurnState } from '@microsoft/teams-ai';
import type { Locale } from '../i18n';
import type { SetupSession } from '../setup/session';

/** What a conversation remembers: the setup session (step and data) and a chosen language. */
export interface ConversationMemory {
  setup?: SetupSession;
  locale?: Locale;
}

export class SetupTurnState extends TurnState<ConversationMemory> {}
