import { localeOf } from '../i18n';
import type { Logger } from '../log';
import type { RunEvents } from '../provisioning/run/events';
import { failureReason } from '../provisioning/run/outcomes';
import type { Plan, Run } from '../setup/plan';
import type { AuditEntry, AuditLog } from './audit';

/**
 * The audit of a run, beside the approvals that started it: when it started, and when it ended
 * each action's result and the run's. Subscribed to the runner's events before anything that
 * shows the run (main.ts): its writes are issued first, and they neither wait for nor depend on
 * a card update (the events call every listener independently), so whatever a card update does
 * cannot lose them. A record that cannot be written is logged; the run is not stopped for it.
 *
 * The results are written once, at the end, from the journal (as the journal is the record of
 * what was done): writing them as each batch settles would put thousands of storage writes beside
 * the run's own journal and lease writes while it runs.
 */
export function auditRuns(events: RunEvents, audit: AuditLog, logger: Logger): void {
  events.on('run.started', async ({ plan }) => {
    await write(audit, logger, plan, [
      { event: 'run.started', planId: plan.id, digest: plan.digest, outcome: 'run started', outcomeKey: 'auditOutcomeRunStarted' },
    ]);
  });
  events.on('run.finished', async ({ plan, run }) => {
    await write(audit, logger, plan, runEndEntries(plan, run));
  });
}

/** One record per action with its result (why it failed, in the run's language), then the run's. */
function runEndEntries(plan: Plan, run: Run): AuditEntry[] {
  const locale = localeOf(run.report.locale);
  return [
    ...plan.actions.map((action): AuditEntry => {
      const outcome = run.journal[action.key];
      return {
        event: outcome?.status === 'done' ? 'action.done' : 'action.failed',
        planId: plan.id,
        digest: plan.digest,
        subject: action.key,
        outcome: outcome?.status === 'failed' ? failureReason(outcome, locale) : outcome?.status === 'done' && outcome.note ? outcome.note : outcome?.status,
        ...(outcome?.status === 'done' && !outcome.note ? { outcomeKey: 'auditOutcomeDone' as const } : {}),
      };
    }),
    { event: 'run.completed', planId: plan.id, digest: plan.digest, outcome: run.status, outcomeKey: run.status === 'completed' ? 'auditOutcomeCompleted' : 'auditOutcomeFailed' },
  ];
}

async function write(audit: AuditLog, logger: Logger, plan: Plan, entries: AuditEntry[]): Promise<void> {
  try {
    await audit.appendMany(entries);
  } catch (error) {
    logger.error({ err: error, planId: plan.id, records: entries.length }, 'could not write the run to the audit trail');
  }
}
