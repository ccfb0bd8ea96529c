import type { Action } from '../../setup/plan';
import { applyAction, type ActionContext } from './actions';
import type { Executor, ExecutionHooks } from './executor';
import { blockedOutcome, doneOutcome, failedOutcome } from './outcomes';

/**
 * The in-turn executor: each action in plan order, journalled as soon as it has its outcome. Once
 * a step for a user failed, that user's later steps are not attempted (blocked).
 */

/** Lower-cased UPN → the UPN as planned, of users one of whose steps failed. */
export type Blocked = Map<string, string>;

export const upnOf = (action: Action) => action.target.userPrincipalName.toLowerCase();

/**
 * Applies `actions` one after another, saving each outcome. `blocked` is shared with whatever ran
 * before (a bulk run's phases). Resolves false when stopped; an action applied when the run had
 * meanwhile been stopped is not journalled (whoever continues the run observes and applies it again).
 */
export async function applyInTurn(planId: string, actions: Action[], context: ActionContext, hooks: ExecutionHooks, blocked: Blocked): Promise<boolean> {
  const { logger } = context;
  for (const action of actions) {
    if (hooks.stopped()) return false;
    const at = () => new Date(context.now()).toISOString();
    const blockedBy = blocked.get(upnOf(action));
    let outcome;
    if (blockedBy) outcome = blockedOutcome(at(), blockedBy);
    else {
      try {
        const result = await applyAction(action, context);
        outcome = doneOutcome(at(), !!result.already);
        logger.info({ planId, action: action.key, already: !!result.already }, 'action done');
      } catch (error) {
        outcome = failedOutcome(at(), error);
        blocked.set(upnOf(action), action.target.userPrincipalName);
        logger.warn({ planId, action: action.key, err: error }, 'action failed');
      }
    }
    if (hooks.stopped()) return false;
    await hooks.save({ [action.key]: outcome });
  }
  return true;
}

export const inTurn: Executor = (plan, journal, context, hooks) =>
  applyInTurn(
    plan.id,
    plan.actions.filter((action) => journal[action.key]?.status !== 'done'),
    context,
    hooks,
    new Map(),
  );
