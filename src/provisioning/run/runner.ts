import { setTimeout } from 'node:timers/promises';
import { AppError } from '../../errors';
import type { Logger } from '../../log';
import type { Action, ActionOutcome, Plan, Run } from '../../setup/plan';
import type { RecordStore } from '../../storage/records';
import { storageFailure } from '../../storage/damage';
import type { ActionContext, ActionSettings } from './actions';
import { isBulkPlan, runBulk } from './bulk/run';
import type { Clients } from '../clients';
import { RunEvents, type RunEventMap } from './events';
import type { Executor, ExecutionHooks } from './executor';
import { inTurn } from './inTurn';
import { unsavedOutcome } from './outcomes';
import { underLease, type HeldLease, type Leases } from './lease';
import { ACTIVE_RUNS, planKey, runKey } from '../../storage/keys';

/**
 * The runner: the only code that executes plan actions. It keeps a journal per action key,
 * persisted after every action (or batch), so a restarted process resumes without repeating work;
 * actions already done are skipped, and every handler observes before it applies.
 *
 * Every run takes one path (execute): the plan's executor (executor.ts: in turn, or by phase for
 * bulk plans) hands each outcome to one `save`, which journals it and emits `actions.settled`;
 * the run then finishes and emits `run.finished`. Who shows or audits that subscribes to `events`.
 */

/** The executor of a plan: bulk plans (Part 3's salespeople) by phase, the others in turn. */
const executorFor = (plan: Pick<Plan, 'kind'>): Executor => (isBulkPlan(plan) ? runBulk : inTurn);

/** How many times "Retry failed" may send a run's failed actions round again. */
export const MAX_RETRIES = 5;


/** A write of the run's journal or state failed: the run stops and is failed visibly. */
class JournalWriteError extends Error {
  constructor(readonly failure: AppError) {
    super(failure.message, { cause: failure });
  }
}

/** An approved plan without a run, found by the plans' store; `started` once its run exists. */
export interface DueRun {
  plan: Plan;
  report: Run['report'];
  started: () => Promise<void>;
}

export interface RunnerOptions {
  records: RecordStore;
  clients: Clients;
  logger: Logger;
  settings: ActionSettings;
  /** Where the run's progress goes (events.ts); without it nobody listens. */
  events?: RunEvents;
  /** With shared storage: only the holder of a run's lease executes it (see lease.ts). */
  leases?: Leases;
  /** Approved plans that have no run yet (whatever stopped theirs from starting): started on resume. */
  dueRuns?: () => Promise<DueRun[]>;
  now?: () => number;
}

export function runCounts(run: Run) {
  const outcomes = Object.values(run.journal);
  return {
    total: outcomes.length,
    done: outcomes.filter((o) => o.status === 'done').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
  };
}

export class Runner {
  private readonly inProcess = new Map<string, Promise<void>>();
  /** Runs failed because their journal could not be written, as far as this process knows them. */
  private readonly unsavedRuns = new Map<string, Run>();

  readonly events: RunEvents;

  constructor(private readonly options: RunnerOptions) {
    this.events = options.events ?? new RunEvents();
  }

  /** Creates the run for an approved plan (once) and executes it in the background. */
  async start(plan: Plan, report: Run['report']): Promise<Run> {
    const journal: Record<string, ActionOutcome> = {};
    for (const action of plan.actions) journal[action.key] = { status: 'pending' };
    const fresh: Run = {
      id: plan.id,
      planId: plan.id,
      digest: plan.digest,
      status: 'running',
      journal,
      startedAt: new Date(this.now()).toISOString(),
      report,
    };
    await this.options.records.create(runKey(plan.id), fresh);
    await this.track(plan.id, true);
    const run = (await this.options.records.get<Run>(runKey(plan.id)))!;
    await this.report('run.started', { plan, run });
    this.launch(plan.id, plan);
    return run;
  }

  /**
   * Failed actions go back to pending and the run continues (at most MAX_RETRIES times). A run failed because its journal
   * could not be written is retried from what this process knows of it (the stored record is
   * older); while storage still refuses writes, this throws a storage_unavailable error.
   */
  async retryFailed(planId: string): Promise<Run | undefined> {
    if (this.inProcess.has(planId)) return this.unsavedRuns.get(planId) ?? this.options.records.get<Run>(runKey(planId));
    const unsaved = this.unsavedRuns.get(planId);
    let value: Run | undefined;
    try {
      ({ value } = await this.options.records.update<Run>(runKey(planId), (stored) => {
        const run = unsaved && stored ? unsaved : stored;
        if (!run || run.status === 'running' || runCounts(run).failed === 0 || (run.retries ?? 0) >= MAX_RETRIES) return undefined;
        const journal = { ...run.journal };
        for (const [key, outcome] of Object.entries(journal)) if (outcome.status === 'failed') journal[key] = { status: 'pending' };
        return { ...run, status: 'running', journal, finishedAt: undefined, retries: (run.retries ?? 0) + 1 };
      }));
    } catch (error) {
      if (/etag/i.test(String((error as Error).message))) throw error;
      throw storageFailure(error, 'the retry of this run');
    }
    if (value?.status === 'running' && unsaved) this.unsavedRuns.delete(planId);
    if (value?.status === 'running') {
      await this.track(planId, true);
      this.launch(planId);
    }
    return value;
  }

  /** On start and on "resume": every run that did not finish continues. */
  async resumeAll(): Promise<string[]> {
    // Shared storage: keep looking for runs whose instance died (their lease expires).
    this.options.leases?.watch(() => this.resumeAll());
    const active = (await this.options.records.get<{ ids: string[] }>(ACTIVE_RUNS))?.ids ?? [];
    for (const id of active) this.launch(id);
    let due: DueRun[] = [];
    try {
      due = (await this.options.dueRuns?.()) ?? [];
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not look for approved plans without a run');
    }
    for (const { plan, report, started } of due) {
      if (active.includes(plan.id)) continue;
      this.options.logger.warn({ planId: plan.id }, 'starting an approved plan that had no run');
      try {
        await this.start(plan, report);
        await started().catch(() => undefined);
        active.push(plan.id);
      } catch (error) {
        this.options.logger.error({ err: error, planId: plan.id }, 'could not start an approved plan; it is tried again on resume');
      }
    }
    return active;
  }

  /** The run as this process knows it when its last state could not be stored (see retryFailed). */
  unsaved(planId: string): Run | undefined {
    return this.unsavedRuns.get(planId);
  }

  /** Resolves when the in-process execution of a run (if any) has finished. */
  async settled(planId: string): Promise<void> {
    await this.inProcess.get(planId);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** `plan`: the plan the run was just started with in this process (resumed runs read theirs). */
  private launch(planId: string, plan?: Plan): void {
    if (this.inProcess.has(planId)) return;
    const execution = underLease(this.options.leases, planId, (lease) => this.execute(planId, lease, plan))
      .catch((error) => this.options.logger.error({ err: error, planId }, 'run stopped unexpectedly'))
      .finally(() => this.inProcess.delete(planId));
    this.inProcess.set(planId, execution);
  }

  private async track(planId: string, active: boolean): Promise<void> {
    await this.options.records.update<{ ids: string[] }>(ACTIVE_RUNS, (current) => {
      const ids = new Set(current?.ids ?? []);
      if (active === ids.has(planId)) return undefined;
      if (active) ids.add(planId);
      else ids.delete(planId);
      return { ids: [...ids] };
    });
  }

  /** The one path every run takes: load, check, execute (by the plan's executor), journal, finish, report. */
  private async execute(planId: string, lease?: HeldLease, started?: Plan): Promise<void> {
    const { records, clients, logger, settings } = this.options;
    // A run started here executes the plan it was started with (its digest is the run's): the
    // stored copy is not read again, which at 20,000 salespeople is 80,000 actions parsed twice.
    const plan = started ?? (await records.get<Plan>(planKey(planId)));
    let run = await records.get<Run>(runKey(planId));
    if (!plan || !run || run.status !== 'running') {
      await this.track(planId, false);
      return;
    }
    if (run.digest !== plan.digest) throw new AppError('invalid_input', `Run ${planId} does not match its plan's digest.`);
    const events = this.events;
    // A lease that could not be renewed aborts its signal: waits end at once, and no further action starts.
    const sleep = (ms: number) => setTimeout(ms, undefined, { signal: lease?.signal });
    const context: ActionContext = {
      clients,
      environment: plan.environment,
      settings,
      logger,
      sleep,
      now: () => this.now(),
      // Only where somebody can show it: a listener, and a personal chat of the requester's.
      secretReady:
        events.listens('secret.ready') && plan.requesterChat
          ? async (action: Action, secret: string) => {
              const [error] = await events.emit('secret.ready', { plan, run: run!, action, secret });
              if (error) throw error instanceof Error ? error : new Error('the secret could not be shown', { cause: error });
            }
          : undefined,
    };
    let unsavable: JournalWriteError | undefined;
    let runETag: string | undefined;
    const hooks: ExecutionHooks = {
      stopped: () => !!lease?.lost || !!unsavable,
      save: async (outcomes) => {
        // The journal is this run's own (read for it, and read again by every save): the outcomes
        // go into it in place, not into a copy of every outcome (80,000 at 20,000 salespeople).
        Object.assign(run!.journal, outcomes);
        try {
          // The run as the last save wrote it is not read back while nobody else has written it.
          const saved = await this.save(planId, (stored) => ({ ...stored, journal: Object.assign(stored.journal, outcomes) }), runETag ? { value: run!, eTag: runETag } : undefined);
          run = saved.value ?? run;
          runETag = saved.eTag;
        } catch (error) {
          unsavable ??= error as JournalWriteError;
          throw error;
        }
        await this.report('actions.settled', { plan, run: run!, outcomes });
      },
    };
    try {
      const finished = await executorFor(plan)(plan, run.journal, context, hooks).catch((error: unknown) => {
        throw unsavable ?? error;
      });
      if (unsavable) throw unsavable;
      if (finished) await this.finish(plan);
    } catch (error) {
      if (!(error instanceof JournalWriteError)) throw error;
      await this.failUnsaved(plan, run, error.failure);
    }
  }

  /** Every action has its outcome: the run is completed, or failed when one failed. */
  private async finish(plan: Plan): Promise<void> {
    const { value: finished } = await this.save(plan.id, (stored) => ({
      ...stored,
      status: runCounts(stored).failed > 0 ? 'failed' : 'completed',
      finishedAt: new Date(this.now()).toISOString(),
    }));
    try {
      await this.track(plan.id, false);
    } catch (error) {
      // The run's own record says it ended; a stale entry in the list is dropped at the next start.
      this.options.logger.warn({ planId: plan.id, err: error }, 'could not update the list of active runs');
    }
    if (finished) await this.report('run.finished', { plan, run: finished });
  }

  /** Saves a change of the run (`known`: as this process last wrote it, see RecordStore.update); a refused write (not an eTag conflict) stops the run. */
  private async save(planId: string, change: (current: Run) => Run, known?: { value: Run; eTag: string }): Promise<{ value?: Run; eTag?: string }> {
    try {
      const { value, eTag } = await this.options.records.update<Run>(runKey(planId), (current) => (current ? change(current) : undefined), undefined, known);
      return { value, eTag };
    } catch (error) {
      throw new JournalWriteError(storageFailure(error, "the run's progress"));
    }
  }

  /**
   * The journal could not be written: every change not yet made is failed with the reason, the
   * run is failed (stored if storage takes it now, kept in memory otherwise) and the card says
   * so. "Retry failed" continues it once storage accepts writes again.
   */
  private async failUnsaved(plan: Plan, run: Run, failure: AppError): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const journal: Record<string, ActionOutcome> = { ...run.journal };
    for (const action of plan.actions) {
      if (journal[action.key]?.status === 'pending' || !journal[action.key]) journal[action.key] = unsavedOutcome(at, failure);
    }
    const failed: Run = { ...run, status: 'failed', journal, finishedAt: at };
    this.unsavedRuns.set(plan.id, failed);
    this.options.logger.error({ planId: plan.id, err: failure.cause ?? failure }, 'the run stopped: its journal could not be saved');
    try {
      await this.options.records.update<Run>(runKey(plan.id), (current) => (current ? failed : undefined));
      this.unsavedRuns.delete(plan.id);
      await this.track(plan.id, false);
    } catch (error) {
      this.options.logger.warn({ planId: plan.id, err: error }, 'the failed run could not be stored either; it is kept in memory until Retry failed');
    }
    await this.report('run.finished', { plan, run: failed });
  }

  /** Tells the subscribers; what they throw is logged and never stops the run. */
  private async report<K extends 'run.started' | 'actions.settled' | 'run.finished'>(type: K, event: RunEventMap[K]): Promise<void> {
    for (const error of await this.events.emit(type, event)) {
      this.options.logger.warn({ err: error, planId: event.plan.id, event: type }, 'a subscriber to the run failed');
    }
  }
}
