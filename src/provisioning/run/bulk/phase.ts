import pLimit from 'p-limit';
import { AppError } from '../../../errors';
import type { Action, ActionOutcome } from '../../../setup/plan';
import type { ActionContext } from '../actions';
import type { BulkUser } from '../../observe/directoryReads';
import type { BulkSalesUser } from '../../observe/salesReads';
import { blockedOutcome, doneOutcome, failedOutcome } from '../outcomes';
import type { Outcomes } from '../executor';
import type { SalesRole } from '../../clients/dataverse/sales';
import { upnOf, type Blocked } from '../inTurn';

export type { Outcomes };
export { upnOf };

/**
 * What the phases of a bulk run share: the action context, where outcomes are saved (the run's
 * journal, once per batch), what the run has learned about its users, and who must not be touched
 * any more because an earlier step for them failed.
 */

export interface BulkState {
  context: ActionContext;
  /** Persists outcomes in the run's journal (and reports progress). */
  save: (outcomes: Outcomes) => Promise<void>;
  /** True once the run must stop (another instance took it over). */
  stopped: () => boolean;
  /** Lower-cased UPN → Entra object id, learned while running. */
  ids: Map<string, string>;
  /** Lower-cased UPN → the UPN as planned, of users whose later steps are not attempted (an earlier one failed). */
  blocked: Blocked;
  /** Lower-cased UPN → an account this run created (no licences yet), so it need not be read again. */
  created: Map<string, BulkUser>;
  /** Lower-cased Entra object id → the Sales user (with roles) as this run last read it. */
  salesUsers: Map<string, BulkSalesUser>;
  /** Lower-cased UPN → when this run assigned the user's licence (the clock's ms), for the wait for the sync to Sales. */
  licensedAt?: Map<string, number>;
  /** When the plan licenses accounts it creates: their licences, right after each envelope of creates. */
  licencesAfterCreate?: LicencesAfterCreate;
  /** When the plan assigns roles to users it brings into Sales: their roles, as they arrive. */
  earlyRoles?: EarlyRoleStage;
}

export function done(state: BulkState, already = false): ActionOutcome {
  return doneOutcome(new Date(state.context.now()).toISOString(), already);
}

/** A failed outcome; later steps for the same user are then not attempted. */
export function failed(state: BulkState, action: Action, error: unknown): ActionOutcome {
  if (!(error instanceof AppError)) state.context.logger.warn({ err: error, action: action.key }, 'bulk action failed');
  state.blocked.set(upnOf(action), action.target.userPrincipalName);
  return failedOutcome(new Date(state.context.now()).toISOString(), error);
}

/** Actions whose user is blocked get their outcome here; the rest are returned. */
export function notBlocked<A extends Action>(state: BulkState, actions: A[], outcomes: Outcomes): A[] {
  return actions.filter((action) => {
    const blockedBy = state.blocked.get(upnOf(action));
    if (blockedBy) outcomes[action.key] = blockedOutcome(new Date(state.context.now()).toISOString(), blockedBy);
    return !blockedBy;
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

/** While work streams, the journal is saved once this many outcomes are unsaved or this long has passed. */
export const SAVE_EVERY_OUTCOMES = 500;
export const SAVE_EVERY_MS = 1000;

/**
 * Runs `task` over chunks of `size`, `limit` chunks in flight (the next starts as soon as one
 * ends, not when the slowest of a group does). Outcomes are saved every SAVE_EVERY_OUTCOMES or
 * SAVE_EVERY_MS and at the end, also when a chunk failed, so a restart repeats at most one unsaved
 * window of chunks. No chunk starts once the run is stopped or a chunk has failed.
 */
export async function streamed<T>(state: BulkState, items: T[], size: number, limit: number, task: (chunk: T[], outcomes: Outcomes) => Promise<void>): Promise<void> {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  let unsaved: Outcomes = {};
  let count = 0;
  let lastSave = state.context.now();
  let saving = Promise.resolve();
  const flush = () => {
    const outcomes = unsaved;
    unsaved = {};
    count = 0;
    lastSave = state.context.now();
    saving = saving.then(() => state.save(outcomes));
    return saving;
  };
  let failure: { error: unknown } | undefined;
  await pool(chunks, limit, async (chunk) => {
    if (state.stopped() || failure) return;
    const outcomes: Outcomes = {};
    try {
      await task(chunk, outcomes);
    } catch (error) {
      failure ??= { error };
      return;
    }
    Object.assign(unsaved, outcomes);
    count += Object.keys(outcomes).length;
    if (count >= SAVE_EVERY_OUTCOMES || state.context.now() - lastSave >= SAVE_EVERY_MS) await flush();
  });
  await flush();
  if (failure) throw failure.error;
}

/** At most `limit` tasks at once, in order (the HTTP policy bounds each service again underneath). */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const gate = pLimit(limit);
  await Promise.all(items.map((item) => gate(() => task(item))));
}

type AssignLicense = Extract<Action, { type: 'assignLicense' }>;

/**
 * Licences given to each envelope of new accounts as soon as it is made (users.ts; a licence
 * needs its account, nothing more). What is not settled there is left to the licence phase.
 */
export interface LicencesAfterCreate {
  /** Lower-cased UPN → the user's licence actions in this run. */
  byUpn: Map<string, AssignLicense[]>;
  /** Keys of the licence actions settled here. */
  handled: Set<string>;
}

/** Role assignments for users as they arrive in Sales, beside the wait for the others (sales.ts `EarlyRoles`). */
export interface EarlyRoleStage {
  /** Keys of the role actions settled here. */
  readonly handled: Set<string>;
  /** The role list, read once when the first users have arrived. */
  listRoles(): Promise<SalesRole[]>;
  /** Users now in Sales: their role actions are queued and sent. */
  offer(users: BulkSalesUser[]): void;
  /** Resolves once no batch is in flight. */
  settle(): Promise<void>;
}
