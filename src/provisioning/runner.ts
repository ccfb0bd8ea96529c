import { AppError } from '../errors';
import type { Logger } from '../log';
import type { Action, ActionOutcome, Plan, Run } from '../setup/plan';
import type { RecordStore } from '../storage/records';
import { applyAction, type ActionSettings } from './actions';
import { isBulkPlan, runBulk } from './bulkRun';
import type { Clients } from './clients';
import { abortableSleep } from './http';
import { blockedOutcome, failedOutcome } from './outcomes';
import { underLease, type HeldLease, type Leases } from './lease';

/**
 * The runner: the only code that executes plan actions. It keeps a journal per action key,
 * persisted after every action, so a restarted process resumes without repeating work; actions
 * already done are skipped, and every handler observes before it applies.
 */

/** How many times "Retry failed" may send a run's failed actions round again. */
export const MAX_RETRIES = 5;

export const runKey = (planId: string) => `run:${planId}`;
export const planKey = (planId: string) => `plan:${planId}`;
const ACTIVE_RUNS = 'runs:active';

/** An approved plan without a run, found by the plans' store; `started` once its run exists. */
export interface DueRun {
  plan: Plan;
  report: Run['report'];
  started(): Promise<void>;
}

export interface RunnerOptions {
  records: RecordStore;
  clients: Clients;
  logger: Logger;
  settings: ActionSettings;
  /** Delivers a generated password to the plan's requester (in memory; never stored). */
  deliverSecret?: (plan: Plan, run: Run, action: Action, secret: string) => Promise<void>;
  /** Called as the run progresses (throttled) and once when it ends. */
  onProgress?: (run: Run, plan: Plan) => Promise<void>;
  progressIntervalMs?: number;
  /** With shared storage: only the holder of a run's lease executes it (see lease.ts). */
  leases?: Leases;
  /** Approved plans that have no run yet (whatever stopped theirs from starting): started on resume. */
  dueRuns?: () => Promise<DueRun[]>;
  sleep?: (ms: number) => Promise<void>;
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

  constructor(private readonly options: RunnerOptions) {}

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
    this.launch(plan.id);
    return run;
  }

  /** Failed actions go back to pending and the run continues (at most MAX_RETRIES times). */
  async retryFailed(planId: string): Promise<Run | undefined> {
    const { value } = await this.options.records.update<Run>(runKey(planId), (run) => {
      if (!run || run.status === 'running' || runCounts(run).failed === 0 || (run.retries ?? 0) >= MAX_RETRIES) return undefined;
      const journal = { ...run.journal };
      for (const [key, outcome] of Object.entries(journal)) if (outcome.status === 'failed') journal[key] = { status: 'pending' };
      return { ...run, status: 'running', journal, finishedAt: undefined, retries: (run.retries ?? 0) + 1 };
    });
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

  /** Resolves when the in-process execution of a run (if any) has finished. */
  async settled(planId: string): Promise<void> {
    await this.inProcess.get(planId);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private launch(planId: string): void {
    if (this.inProcess.has(planId)) return;
    const execution = underLease(this.options.leases, planId, (lease) => this.execute(planId, lease))
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

  private async execute(planId: string, lease?: HeldLease): Promise<void> {
    const { records, clients, logger, settings } = this.options;
    const plan = await records.get<Plan>(planKey(planId));
    let run = await records.get<Run>(runKey(planId));
    if (!plan || !run || run.status !== 'running') {
      await this.track(planId, false);
      return;
    }
    if (run.digest !== plan.digest) throw new AppError('invalid_input', `Run ${planId} does not match its plan's digest.`);
    // A lease that could not be renewed aborts its signal: waits end at once, and no further action starts.
    const sleep = this.options.sleep ?? ((ms: number) => abortableSleep(ms, lease?.signal));
    const deliver = this.options.deliverSecret;
    const context = {
      clients,
      environment: plan.environment,
      settings,
      logger,
      sleep,
      now: () => this.now(),
      deliverSecret: deliver && plan.requesterChat ? (action: Action, secret: string) => deliver(plan, run!, action, secret) : undefined,
    };
    const interval = this.options.progressIntervalMs ?? 2500;
    let lastReport = 0;
    /** Lower-cased UPN → the UPN as planned, of users one of whose steps failed. */
    const failedTargets = new Map<string, string>();

    if (isBulkPlan(plan)) {
      // A bulk plan runs by phase, in batches, saving the journal after each batch (bulkRun.ts).
      const finished = await runBulk(plan, run.journal, context, {
        stopped: () => !!lease?.lost,
        save: async (outcomes) => {
          const updated = await records.update<Run>(runKey(planId), (current) => (current ? { ...current, journal: { ...current.journal, ...outcomes } } : undefined));
          run = updated.value ?? run;
          if (this.options.onProgress && this.now() - lastReport >= interval) {
            lastReport = this.now();
            await this.report(run!, plan);
          }
        },
      });
      if (!finished) return;
    }
    for (const action of isBulkPlan(plan) ? [] : plan.actions) {
      if (lease?.lost) return; // another instance has taken the run over
      if (run.journal[action.key]?.status === 'done') continue;
      const target = action.target.userPrincipalName.toLowerCase();
      let outcome: ActionOutcome;
      const blockedBy = failedTargets.get(target);
      if (blockedBy) {
        outcome = blockedOutcome(new Date(this.now()).toISOString(), blockedBy);
      } else {
        try {
          const result = await applyAction(action, context);
          outcome = { status: 'done', at: new Date(this.now()).toISOString(), note: result.already ? 'already' : undefined };
          logger.info({ planId, action: action.key, already: !!result.already }, 'action done');
        } catch (error) {
          outcome = failedOutcome(new Date(this.now()).toISOString(), error);
          failedTargets.set(target, action.target.userPrincipalName);
          logger.warn({ planId, action: action.key, err: error }, 'action failed');
        }
      }
      // Lost meanwhile: the new holder observes and applies this action again; nothing is journalled here.
      if (lease?.lost) return;
      const updated = await records.update<Run>(runKey(planId), (current) =>
        current ? { ...current, journal: { ...current.journal, [action.key]: outcome } } : undefined,
      );
      run = updated.value ?? run;
      if (this.options.onProgress && this.now() - lastReport >= interval) {
        lastReport = this.now();
        await this.report(run, plan);
      }
    }
    const finished = await records.update<Run>(runKey(planId), (current) =>
      current
        ? { ...current, status: runCounts(current).failed > 0 ? 'failed' : 'completed', finishedAt: new Date(this.now()).toISOString() }
        : undefined,
    );
    await this.track(planId, false);
    if (finished.value) await this.report(finished.value, plan);
  }

  private async report(run: Run, plan: Plan): Promise<void> {
    try {
      await this.options.onProgress?.(run, plan);
    } catch (error) {
      this.options.logger.warn({ err: error, planId: plan.id }, 'could not report run progress');
    }
  }
}
