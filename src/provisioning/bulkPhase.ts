import { AppError, userMessage } from '../errors';
import type { Action, ActionOutcome } from '../setup/plan';
import type { ActionContext } from './actions';

/**
 * What the phases of a bulk run share: the action context, where outcomes are saved (the run's
 * journal, once per batch), what the run has learned about its users, and who must not be touched
 * any more because an earlier step for them failed.
 */

export type Outcomes = Record<string, ActionOutcome>;

export interface BulkState {
  context: ActionContext;
  /** Persists outcomes in the run's journal (and reports progress). */
  save(outcomes: Outcomes): Promise<void>;
  /** True once the run must stop (another instance took it over). */
  stopped(): boolean;
  /** Lower-cased UPN → Entra object id, learned while running. */
  ids: Map<string, string>;
  /** Lower-cased UPN → the reason later steps for this user are not attempted. */
  blocked: Map<string, string>;
}

export const upnOf = (action: Action) => action.target.userPrincipalName.toLowerCase();

export function done(state: BulkState, already = false): ActionOutcome {
  return { status: 'done', at: new Date(state.context.now()).toISOString(), note: already ? 'already' : undefined };
}

/** A failed outcome; later steps for the same user are then not attempted. */
export function failed(state: BulkState, action: Action, error: unknown): ActionOutcome {
  const code = error instanceof AppError ? error.code : 'internal';
  if (!(error instanceof AppError)) state.context.logger.warn({ err: error, action: action.key }, 'bulk action failed');
  state.blocked.set(upnOf(action), `Not attempted: an earlier change for ${action.target.userPrincipalName} failed.`);
  return { status: 'failed', at: new Date(state.context.now()).toISOString(), code, reason: userMessage(error) };
}

/** Actions whose user is blocked get their outcome here; the rest are returned. */
export function notBlocked<A extends Action>(state: BulkState, actions: A[], outcomes: Outcomes): A[] {
  return actions.filter((action) => {
    const reason = state.blocked.get(upnOf(action));
    if (reason) outcomes[action.key] = { status: 'failed', at: new Date(state.context.now()).toISOString(), code: 'blocked', reason };
    return !reason;
  });
}

/** Runs `task` over consecutive groups of `size`, saving after each; stops early when asked to. */
export async function inGroups<T>(state: BulkState, items: T[], size: number, task: (group: T[], outcomes: Outcomes) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    if (state.stopped()) return;
    const outcomes: Outcomes = {};
    await task(items.slice(start, start + size), outcomes);
    await state.save(outcomes);
  }
}

/** At most `limit` tasks at once (the HTTP policy bounds each service again underneath). */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
