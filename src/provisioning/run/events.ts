import type { Action, ActionOutcome, Plan, Run } from '../../setup/plan';

/**
 * What a run tells the layers above it. The runner emits; the approvals' run audit, the plan
 * cards and the password messages subscribe (main.ts wires them). Nothing in the runner knows
 * who listens, so it never calls back up into the bot.
 */
export interface RunEventMap {
  /** A run was created for an approved plan (not on resume or retry). */
  'run.started': { plan: Plan; run: Run };
  /**
   * One or more actions got their outcome, and the journal holding them was saved: one action of
   * a plan run in turn, or one batch of a bulk phase. `run` is the run as now stored.
   */
  'actions.settled': { plan: Plan; run: Run; outcomes: Record<string, ActionOutcome> };
  /**
   * A generated password must reach the plan's requester. In memory only: a listener never logs
   * or stores it. The action fails when a listener throws (the password was not shown).
   */
  'secret.ready': { plan: Plan; run: Run; action: Action; secret: string };
  /** The run ended: completed, failed, or found damaged and replaced by a failed run (repairs.ts). */
  'run.finished': { plan: Plan; run: Run };
}

type RunEventType = keyof RunEventMap;
type RunListener<K extends RunEventType> = (event: RunEventMap[K]) => Promise<void> | void;

type Listeners = { [K in RunEventType]: RunListener<K>[] };

export class RunEvents {
  private readonly listeners: Listeners = { 'run.started': [], 'actions.settled': [], 'secret.ready': [], 'run.finished': [] };

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends RunEventType>(type: K, listener: RunListener<K>): () => void {
    const list = this.listeners[type] as RunListener<K>[];
    list.push(listener);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Whether anybody listens (a run without a listener for `secret.ready` cannot deliver a password). */
  listens(type: RunEventType): boolean {
    return this.listeners[type].length > 0;
  }

  /**
   * Calls every listener, in the order they subscribed, without waiting for one before calling
   * the next, and waits until all have ended: a listener that throws or is slow neither keeps the
   * later ones from being called nor delays them. Resolves with what the listeners threw (none:
   * every listener succeeded). The event itself is never logged here.
   */
  async emit<K extends RunEventType>(type: K, event: RunEventMap[K]): Promise<unknown[]> {
    const calls = [...(this.listeners[type] as RunListener<K>[])].map(async (listener) => listener(event));
    const settled = await Promise.allSettled(calls);
    return settled.flatMap((result): unknown[] => (result.status === 'rejected' ? [result.reason as unknown] : []));
  }
}
