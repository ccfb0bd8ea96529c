import { coded, isAppError } from '../../../errors';
import { createUserInput } from '../actions/createUser';
import type { Action } from '../../../setup/plan';
import { applyAction } from '../actions';
import { generatePassword } from '../actions/password';
import { DirectoryClient } from '../../clients/graph/directory';
import type { GraphBatchItem, GraphBatchResult } from '../../clients/graph/batch';
import { lookUpUsers, type BulkUser } from '../../observe/directoryReads';
import { done, failed, notBlocked, streamed, upnOf, type BulkState, type Outcomes } from './phase';
import { skuDisplayName } from '../../../setup/skuNames';

/**
 * The directory phases of a bulk run: accounts, then licences, each as Graph `$batch` envelopes
 * of 20 streamed eight at a time (the journal saved every second or so, see `streamed`). Before
 * writing, one bulk read finds what exists (the licences skip the accounts this run has just
 * created); a create whose answer says "exists" (or whose answer was lost) is read back and counts
 * as done when the account is there.
 */

type CreateUser = Extract<Action, { type: 'createUser' }>;
type AssignLicense = Extract<Action, { type: 'assignLicense' }>;

/** One Graph `$batch` envelope; eight in flight, as many as the Graph policy sends at once. */
export const GRAPH_ENVELOPE = 20;
const GRAPH_CONCURRENCY = 8;

/** Sends the items; an envelope that failed as a whole gives every item that error. */
async function send(directory: DirectoryClient, items: GraphBatchItem[]): Promise<Map<string, GraphBatchResult | { error: unknown }>> {
  try {
    const results = await directory.batch(items);
    return new Map(results.map((r) => [r.id, r]));
  } catch (error) {
    return new Map(items.map((item) => [item.id, { error }]));
  }
}

export async function createUsers(state: BulkState, actions: CreateUser[]): Promise<void> {
  const { directory } = state.context.clients;
  const first: Outcomes = {};
  const todo: CreateUser[] = [];
  for (const action of notBlocked(state, actions, first)) {
    if (!action.params.deliverPassword) todo.push(action);
    else {
      // A password someone must receive is made and shown by the one-by-one handler.
      try {
        first[action.key] = done(state, !!(await applyAction(action, state.context)).already);
      } catch (error) {
        first[action.key] = failed(state, action, error);
      }
    }
  }
  const existing = await lookUpUsers(directory, { upns: todo.map((a) => a.target.userPrincipalName) });
  const missing: CreateUser[] = [];
  for (const action of todo) {
    const user = existing.byUpn.get(upnOf(action));
    if (!user) missing.push(action);
    else {
      state.ids.set(upnOf(action), user.id);
      first[action.key] = done(state, true);
    }
  }
  await state.save(first);
  await streamed(state, missing, GRAPH_ENVELOPE, GRAPH_CONCURRENCY, async (group, outcomes) => {
    const inputs = group.map((action) => createUserInput(action, generatePassword()));
    const results = await send(directory, inputs.map((input, i) => DirectoryClient.createUserItem(String(i), input)));
    const unsure: { action: CreateUser; error: unknown }[] = [];
    group.forEach((action, i) => {
      const result = results.get(String(i))!;
      if (!result.error) {
        const id = String((('body' in result ? result.body : null) as { id?: string } | null)?.id ?? '').toLowerCase();
        const { userPrincipalName, displayName, usageLocation } = inputs[i];
        state.ids.set(upnOf(action), id);
        if (id) state.created.set(upnOf(action), { id, userPrincipalName, displayName, mail: null, accountEnabled: true, usageLocation: usageLocation ?? null, skuIds: [] });
        outcomes[action.key] = done(state);
      } else if (isAppError(result.error, 'upn_exists') || !('status' in result)) unsure.push({ action, error: result.error });
      else outcomes[action.key] = failed(state, action, result.error);
    });
    if (unsure.length > 0) {
      // "Already exists" or no answer: the account may have been made by an earlier, lost attempt.
      const found = await lookUpUsers(directory, { upns: unsure.map((u) => u.action.target.userPrincipalName) });
      for (const { action, error } of unsure) {
        const user = found.byUpn.get(upnOf(action));
        if (user) state.ids.set(upnOf(action), user.id);
        outcomes[action.key] = user ? done(state, true) : failed(state, action, error);
      }
    }
    await licenceAfterCreate(state, group, outcomes);
  });
}

/**
 * The licences of the accounts an envelope has just created, sent at once in the same slot (a
 * licence needs its account, nothing more), so the licences do not wait for every account. What
 * is not settled here is left to the licence phase, which reads again.
 */
async function licenceAfterCreate(state: BulkState, created: CreateUser[], outcomes: Outcomes): Promise<void> {
  const stage = state.licencesAfterCreate;
  if (!stage || state.stopped()) return;
  const users = new Map<string, BulkUser>();
  const group: AssignLicense[] = [];
  for (const action of created) {
    const user = state.created.get(upnOf(action));
    if (!user || outcomes[action.key]?.status !== 'done') continue;
    users.set(upnOf(action), user);
    for (const licence of stage.byUpn.get(upnOf(action)) ?? []) if (!state.blocked.has(upnOf(licence))) group.push(licence);
  }
  if (group.length === 0) return;
  const licences: Outcomes = {};
  try {
    await licenceChunk(state, group, users, licences);
  } catch {
    // The read-back of unanswered licences failed: those have no outcome, and the licence phase
    // assigns them again (assigning a licence the user holds changes nothing).
  }
  for (const key of Object.keys(licences)) stage.handled.add(key);
  Object.assign(outcomes, licences);
}

export async function assignLicenses(state: BulkState, allActions: AssignLicense[]): Promise<void> {
  const { directory } = state.context.clients;
  const handled = state.licencesAfterCreate?.handled;
  const actions = handled ? allActions.filter((a) => !handled.has(a.key)) : allActions;
  if (actions.length === 0) return;
  const first: Outcomes = {};
  const todo = notBlocked(state, actions, first);
  // Accounts this run has just created are known; only the others are read.
  const unread = todo.filter((a) => !state.created.has(upnOf(a))).map((a) => a.target.userPrincipalName);
  const users = await lookUpUsers(directory, { upns: unread });
  for (const action of todo) if (state.created.has(upnOf(action))) users.byUpn.set(upnOf(action), state.created.get(upnOf(action))!);
  const pending: AssignLicense[] = [];
  for (const action of todo) {
    const user = users.byUpn.get(upnOf(action));
    if (!user) first[action.key] = failed(state, action, coded('not_found', 'errNoEntraAccount', { user: action.target.userPrincipalName }));
    else {
      state.ids.set(upnOf(action), user.id);
      if (user.skuIds.includes(action.params.skuId.toLowerCase())) first[action.key] = done(state, true);
      else pending.push(action);
    }
  }
  await state.save(first);
  await streamed(state, pending, GRAPH_ENVELOPE, GRAPH_CONCURRENCY, (group, outcomes) => licenceChunk(state, group, users.byUpn, outcomes));
}

/** Licences for one envelope's worth of users whose accounts are known (`users`, by lower-cased UPN). */
async function licenceChunk(state: BulkState, group: AssignLicense[], users: Map<string, BulkUser>, outcomes: Outcomes): Promise<void> {
  const { directory } = state.context.clients;
  // Graph takes an envelope fully parallel or fully sequential, never "set usage location →
  // assign licence" chains next to plain licence items: the usage locations go first, as one
  // parallel envelope, then the licences of the accounts that have one, as another.
  const locations: GraphBatchItem[] = [];
  group.forEach((action, i) => {
    const user = users.get(upnOf(action))!;
    if (!user.usageLocation && action.params.usageLocation) locations.push(DirectoryClient.updateUserItem(`u${i}`, user.id, { usageLocation: action.params.usageLocation }));
  });
  const located = locations.length > 0 ? await send(directory, locations) : new Map<string, GraphBatchResult | { error: unknown }>();
  const items: GraphBatchItem[] = [];
  group.forEach((action, i) => {
    if (located.get(`u${i}`)?.error) outcomes[action.key] = failed(state, action, located.get(`u${i}`)!.error);
    else items.push(DirectoryClient.assignLicenseItem(`l${i}`, users.get(upnOf(action))!.id, action.params.skuId, { skuName: skuDisplayName(action.params) }));
  });
  const results = items.length > 0 ? await send(directory, items) : new Map<string, GraphBatchResult | { error: unknown }>();
  const unsure: { action: AssignLicense; error: unknown }[] = [];
  group.forEach((action, i) => {
    const result = results.get(`l${i}`);
    if (!result) return;
    if (!result.error) {
      outcomes[action.key] = done(state);
      state.licensedAt?.set(upnOf(action), state.context.now());
    } else if (!('status' in result)) unsure.push({ action, error: result.error });
    else outcomes[action.key] = failed(state, action, result.error);
  });
  if (unsure.length === 0) return;
  const found = await lookUpUsers(directory, { upns: unsure.map((u) => u.action.target.userPrincipalName) });
  for (const { action, error } of unsure) {
    const licensed = found.byUpn.get(upnOf(action))?.skuIds.includes(action.params.skuId.toLowerCase());
    outcomes[action.key] = licensed ? done(state, true) : failed(state, action, error);
  }
}
