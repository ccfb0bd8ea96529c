import type { Action, ActionType, Plan, Run } from '../../../setup/plan';
import { applyAction, type ActionContext } from '../actions';
import { coupleSalespeople } from './couple';
import { done, failed, upnOf, type BulkState, type Outcomes } from './phase';
import { addUsersToEnvironment, assignSalesRoles } from './sales';
import { assignLicenses, createUsers } from './users';
import { addGroupMembers } from './groups';
import { assignGroupLicences, createGroups, joinLicenceGroups, nestGroups } from './licenceGroup';
import { blockedOutcome } from '../outcomes';

/**
 * A bulk run goes by phase instead of action by action: every account, then every licence, then
 * every membership of the environment's security group, then every user into Sales, then every role, then every coupling. Each phase reads what exists for
 * all its users at once, writes in batches, and saves the journal after each batch, so a restart
 * repeats at most one batch (and the reads make that repetition harmless).
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

export interface BulkHooks {
  save(outcomes: Outcomes): Promise<void>;
  /** True when the run must stop at once (its lease was lost). */
  stopped: () => boolean;
}

/** Runs every action of the plan not yet done. Resolves false when it was stopped part-way. */
export async function runBulk(plan: Plan, journal: Run['journal'], context: ActionContext, hooks: BulkHooks): Promise<boolean> {
  const settled = new Set<string>();
  const state: BulkState = {
    context,
    stopped: hooks.stopped,
    ids: new Map(),
    blocked: new Map(),
    created: new Map(),
    salesUsers: new Map(),
    save: async (outcomes) => {
      for (const key of Object.keys(outcomes)) settled.add(key);
      if (Object.keys(outcomes).length > 0) await hooks.save(outcomes);
    },
  };
  for (const action of plan.actions) if (action.target.userId) state.ids.set(upnOf(action), action.target.userId.toLowerCase());
  const remaining = plan.actions.filter((action) => journal[action.key]?.status !== 'done');
  const phased = new Set(PHASES.map(([type]) => type));
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
    if (state.stopped()) return false;
  }
  for (const action of remaining.filter((a) => !phased.has(a.type))) {
    if (state.stopped()) return false;
    await state.save({ [action.key]: await one(state, action) });
  }
  return true;
}

async function one(state: BulkState, action: Action) {
  const blockedBy = state.blocked.get(upnOf(action));
  if (blockedBy) return blockedOutcome(new Date(state.context.now()).toISOString(), blockedBy);
  try {
    return done(state, !!(await applyAction(action, state.context)).already);
  } catch (error) {
    return failed(state, action, error);
  }
}
