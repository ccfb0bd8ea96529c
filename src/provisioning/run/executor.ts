import type { ActionOutcome, Plan, Run } from '../../setup/plan';
import type { ActionContext } from './actions';

/**
 * How a plan's actions are executed, behind one interface the runner calls: in turn, one action
 * after another in plan order (inTurn.ts), or by phase in batches (bulk/run.ts). Both hand every
 * outcome to `save` and stop when `stopped` says so; the runner journals, reports and finishes
 * the run the same way whichever executes it.
 *
 * Two executors rather than "one action is a bulk of one": the plans of Parts 1 and 2 are a few
 * actions whose order is the plan's (an account, its licence, the environment, roles, then the
 * access mode; a role removed after the new one is given), each observing the one thing it
 * changes. The phases reorder by action type and read and write for all users at once, through
 * `$batch` and bulk reads: for one user that is more requests, a different order and different
 * failure modes than the plan the approver read.
 */

export type Outcomes = Record<string, ActionOutcome>;

export interface ExecutionHooks {
  /** Journals outcomes (and reports them); throws when the journal cannot be saved. */
  save: (outcomes: Outcomes) => Promise<void>;
  /** True when the run must stop at once (its lease was lost, or its journal cannot be saved). */
  stopped: () => boolean;
}

/** Executes every action of the plan not yet done in `journal`. Resolves false when it was stopped part-way. */
export type Executor = (plan: Plan, journal: Run['journal'], context: ActionContext, hooks: ExecutionHooks) => Promise<boolean>;
