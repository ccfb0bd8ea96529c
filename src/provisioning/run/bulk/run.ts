import type { Action, ActionType, Plan } from '../../../setup/plan';
import type { Executor } from '../executor';
import { applyInTurn } from '../inTurn';
import { coupleSalespeople } from './couple';
import { failed, upnOf, type BulkState, type Outcomes } from './phase';
import { addUsersToEnvironment, assignSalesRoles, EarlyRoles } from './sales';
import { assignLicenses, createUsers } from './users';
import { addGroupMembers } from './groups';
import { assignGroupLicences, createGroups, joinLicenceGroups, nestGroups } from './licenceGroup';

/**
 * A bulk run goes by phase instead of action by action: every account, then every licence, then
 * every membership of the environment's security group, then every user into Sales, then every role, then every coupling. Each phase reads what exists for
 * all its users at once, writes in batches, and saves the journal after each batch (written in the
 * background, in order), so a restart repeats at most the batches not yet written (and the reads
 * make that repetition harmless). Actions of a type
 * without a phase go last, in turn (inTurn.ts), with the phases' list of blocked users.
 */

export const isBulkPlan = (plan: Pick<Plan, 'kind'>) => plan.kind === 'salespeople';

type Phase = (state: BulkState, actions: never[]) => Promise<void>;

const PHASES: [ActionType, Phase][] = [
  ['createUser', createUsers],
  // Through a group (group-based licensing): the group, its licence, its admission, then its members.
  ['createGroup', createGroups],
  ['assignGroupLicense', assignGroupLicences],
  ['nestGroup', nestGroups],
  ['joinLicenceGroup', joinLicenceGroups],
  ['assignLicense', assignLicenses],
  ['addGroupMember', addGroupMembers],
  ['addUserToEnvironment', addUsersToEnvironment],
  ['assignRole', assignSalesRoles],
  ['coupleSalesperson', coupleSalespeople],
];

/** The phased executor: runs every action of the plan not yet done. Resolves false when it was stopped part-way. */
export const runBulk: Executor = async (plan, journal, context, hooks) => {
  const settled = new Set<string>();
  // Saves are written one after another, in the order they were made, while the phases go on:
  // a phase does not wait for the journal before its next request (a restart then repeats at most
  // the outcomes of the saves still queued, which the phases' reads make harmless). The run ends
  // only once every save is written; the first that fails stops the run and is what it throws.
  let saving = Promise.resolve();
  let unsaved: { error: unknown } | undefined;
  const state: BulkState = {
    context,
    stopped: () => !!unsaved || hooks.stopped(),
    ids: new Map(),
    blocked: new Map(),
    created: new Map(),
    salesUsers: new Map(),
    licensedAt: new Map(),
    save: (outcomes) => {
      for (const key of Object.keys(outcomes)) settled.add(key);
      if (Object.keys(outcomes).length > 0) {
        saving = saving
          .then(() => (unsaved ? undefined : hooks.save(outcomes)))
          .catch((error: unknown) => {
            unsaved ??= { error };
          });
      }
      return Promise.resolve();
    },
  };
  const written = async () => {
    await saving;
    if (unsaved) throw unsaved.error;
  };
  for (const action of plan.actions) if (action.target.userId) state.ids.set(upnOf(action), action.target.userId.toLowerCase());
  const remaining = plan.actions.filter((action) => journal[action.key]?.status !== 'done');
  const phased = new Set(PHASES.map(([type]) => type));
  if (remaining.some((action) => action.type === 'createUser')) {
    const byUpn = new Map<string, Extract<Action, { type: 'assignLicense' }>[]>();
    for (const action of remaining) if (action.type === 'assignLicense') byUpn.set(upnOf(action), [...(byUpn.get(upnOf(action)) ?? []), action]);
    if (byUpn.size > 0) state.licencesAfterCreate = { byUpn, handled: new Set() };
  }
  const roles = remaining.filter((action): action is Extract<Action, { type: 'assignRole' }> => action.type === 'assignRole');
  if (roles.length > 0 && remaining.some((action) => action.type === 'addUserToEnvironment')) state.earlyRoles = new EarlyRoles(state, roles);
  for (const [type, phase] of PHASES) {
    const actions = remaining.filter((action) => action.type === type);
    if (actions.length === 0) continue;
    const started = context.now();
    try {
      await phase(state, actions as never[]);
      context.logger.info({ planId: plan.id, phase: type, actions: actions.length, ms: context.now() - started }, 'bulk phase done');
    } catch (error) {
      // A read the whole phase depends on failed: what has no outcome yet fails with its reason.
      const outcomes: Outcomes = {};
      for (const action of actions) if (!settled.has(action.key)) outcomes[action.key] = failed(state, action, error);
      await state.save(outcomes);
    }
    if (state.stopped()) {
      await written();
      return false;
    }
  }
  await written();
  // One by one: each outcome is written before the next action starts.
  const save = async (outcomes: Outcomes) => {
    await state.save(outcomes);
    await written();
  };
  return applyInTurn(plan.id, remaining.filter((a) => !phased.has(a.type)), context, { save, stopped: state.stopped }, state.blocked);
};
