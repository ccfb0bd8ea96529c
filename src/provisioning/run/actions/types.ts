import type { Logger } from '../../../log';
import type { Action, PlanEnvironment } from '../../../setup/plan';
import type { Clients } from '../../clients';

export interface ActionSettings {
  /** Wait between Power Platform addUser attempts while the licence propagates. */
  addUserRetryMs: number;
  /** Give up on addUser (and on waiting for the Sales user) after this long. */
  addUserTimeoutMs: number;
  /** Wait between reads while waiting for the Sales user to appear. */
  pollMs: number;
  /**
   * The longest wait between two reads of the group members' licence states: the wait starts at
   * `pollMs`, doubles after each read in which nobody's licence changed, and is back to `pollMs`
   * after a read that saw progress. `8 × pollMs` when not set.
   */
  pollMaxMs?: number;
}

/** Microsoft's own Terraform provider retries addUser every 10 s for up to 9 minutes. */
export const TENANT_ACTION_SETTINGS: ActionSettings = { addUserRetryMs: 10_000, addUserTimeoutMs: 9 * 60_000, pollMs: 5_000 };

export interface ActionContext {
  clients: Clients;
  environment: PlanEnvironment;
  settings: ActionSettings;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /**
   * Hands a generated password to the person who must receive it, in memory only. Absent when
   * the run cannot deliver one (then a plan must not ask for it).
   */
  secretReady?: (action: Action, secret: string) => Promise<void>;
}

/** What an action handler reports when the tenant is as the action wants it. */
export interface ActionDone {
  /** Set when nothing had to be done because it was already so. */
  already?: boolean;
}

/** One handler per action type: observe what exists, apply only what is missing. Safe to run twice. */
export type ActionHandler<A extends Action = Action> = (action: A, context: ActionContext) => Promise<ActionDone>;
