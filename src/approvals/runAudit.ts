import { localeOf } from '../i18n';
import type { Logger } from '../log';
import type { RunEvents } from '../provisioning/run/events';
import { failureReason } from '../provisioning/run/outcomes';
import type { ActionOutcome, Plan, Run } from '../setup/plan';
import type { AuditEntry, AuditLog } from './audit';

/**
 * The audit of a run, beside the approvals that started it: when it started, each action's
 * result as soon as the journal holds it, and how the run ended. Subscribed to the runner's
 * events before anything that shows the run (main.ts), so its records are written first and
 * whatever a card update does cannot lose them; a record that cannot be written is logged (the
 * run is not stopped for it).
 *
 * Written as the actions settle rather than all at the end: a process that stops after a run
 * has finished loses none of it, and the end of a 5,000-user run does not wait for thousands of
 * records before its card says it is applied.
 */
export function auditRuns(events: RunEvents, audit: AuditLog, logger: Logger): void {
  events.on('run.started', async ({ plan }) => {
    await write(audit, logger, plan, [
      { event: 'run.started', planId: plan.id, digest: plan.digest, outcome: 'run started', outcomeKey: 'auditOutcomeRunStarted' },
    ]);
  });
  events.on('actions.settled', async ({ plan, run, outcomes }) => {
    await write(audit, logger, plan, actionEntries(plan, run, outcomes));
  });
  events.on('run.finished', async ({ plan, run, outcomes }) => {
    await write(audit, logger, plan, [
      ...actionEntries(plan, run, outcomes),
      { event: 'run.completed', planId: plan.id, digest: plan.digest, outcome: run.status, outcomeKey: run.status === 'completed' ? 'auditOutcomeCompleted' : 'auditOutcomeFailed' },
    ]);
  });
}

/** One record per action of `outcomes`, in plan order, with its result (why it failed, in the run's language). */
export function actionEntries(plan: Plan, run: Run, outcomes: Record<string, ActionOutcome>): AuditEntry[] {
  const locale = localeOf(run.report.locale);
  return plan.actions
    .filter((action) => action.key in outcomes)
    .map((action): AuditEntry => {
      const outcome = outcomes[action.key];
      return {
        event: outcome?.status === 'done' ? 'action.done' : 'action.failed',
        planId: plan.id,
        digest: plan.digest,
        subject: action.key,
        outcome: outcome?.status === 'failed' ? failureReason(outcome, locale) : outcome?.status === 'done' && outcome.note ? outcome.note : outcome?.status,
        ...(outcome?.status === 'done' && !outcome.note ? { outcomeKey: 'auditOutcomeDone' as const } : {}),
      };
    });
}

async function write(audit: AuditLog, logger: Logger, plan: Plan, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await audit.appendMany(entries);
  } catch (error) {
    logger.error({ err: error, planId: plan.id, records: entries.length }, 'could not write the run to the audit trail');
  }
}
