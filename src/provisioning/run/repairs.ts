import type { Logger } from '../../log';
import type { ActionOutcome, Plan, Run } from '../../setup/plan';
import type { DamagedRecord } from '../../storage/damage';
import type { RecordStore } from '../../storage/records';
import { ACTIVE_RUNS, planKey, RUN_PREFIX } from '../../storage/keys';
import type { RunEvents } from './events';
import { damagedOutcome } from './outcomes';


/**
 * What replaces a damaged record of the runner (see RecordStore.repairDamaged). The damaged text
 * was moved aside by the storage and is kept for the operator; it is never logged.
 *
 * - A run: marked failed, every change with the reason, so the card says so and "Retry failed"
 *   runs each change again (every action observes the tenant before it changes anything, so
 *   what was already made is not made twice). Where its card is shown is salvaged if readable,
 *   and the repaired run is reported as finished (`run.finished`), so its cards and audit say so.
 * - The list of active runs: the plan ids still legible in the damaged text are kept (a torn
 *   write loses only its tail); the runner checks each against its run and plan.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The `report` object of a damaged run, if that part is still legible. */
function salvageReport(raw: string, plan: Plan): Run['report'] {
  const fallback: Run['report'] = { conversationId: plan.conversationId };
  const match = /"report":(\{[^{}]*\})/.exec(raw);
  if (!match) return fallback;
  try {
    const report = JSON.parse(match[1]) as Partial<Run['report']>;
    return {
      conversationId: plan.conversationId,
      activityId: typeof report.activityId === 'string' ? report.activityId : undefined,
      locale: typeof report.locale === 'string' ? report.locale : undefined,
    };
  } catch {
    return fallback;
  }
}

export function registerRunRepairs(
  records: RecordStore,
  options: { logger: Logger; events: RunEvents; now?: () => number },
): void {
  const now = options.now ?? Date.now;
  records.repairDamaged(RUN_PREFIX, async (key: string, damage: DamagedRecord) => {
    const planId = key.slice(RUN_PREFIX.length);
    const plan = await records.get<Plan>(planKey(planId));
    if (!plan) return undefined;
    const at = new Date(now()).toISOString();
    const journal: Record<string, ActionOutcome> = {};
    for (const action of plan.actions) journal[action.key] = damagedOutcome(at);
    const run: Run = { id: plan.id, planId: plan.id, digest: plan.digest, status: 'failed', journal, startedAt: at, finishedAt: at, report: salvageReport(damage.raw, plan) };
    options.logger.warn({ key, planId, movedTo: damage.movedTo }, 'a damaged run record was replaced by a failed run that can be retried');
    return run;
  }, (value) => {
    const run = value as Run;
    void records
      .get<Plan>(planKey(run.planId))
      .then(async (plan) => {
        if (!plan) return;
        for (const error of await options.events.emit('run.finished', { plan, run })) {
          options.logger.warn({ err: error, planId: plan.id }, 'could not show the repaired run');
        }
      })
      .catch(() => undefined);
  });
  records.repairDamaged(ACTIVE_RUNS, async (key: string, damage: DamagedRecord) => {
    const ids = [...new Set((damage.raw.match(UUID) ?? []).map((id) => id.toLowerCase()))];
    options.logger.warn({ key, movedTo: damage.movedTo, salvaged: ids.length }, 'the list of active runs was damaged; the run ids still legible in it are kept');
    return { ids };
  });
}
