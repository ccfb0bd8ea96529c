import type { SetupSession, SessionEvent } from '../setup/session';
import { transition } from '../setup/session';
import type { SetupTurnState } from './state';

export function sessionOf(state: SetupTurnState): SetupSession | undefined {
  return state.conversation.setup;
}

/** Applies an event to the conversation's session; the state is saved at the end of the turn. */
export function applyEvent(state: SetupTurnState, event: SessionEvent): SetupSession {
  const next = transition(state.conversation.setup, event, new Date().toISOString());
  state.conversation.setup = next;
  return next;
}
