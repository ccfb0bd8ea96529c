import { localeOf } from '../i18n';
import type { RunEvents } from '../provisioning/run/events';
import type { Plan, Run } from '../setup/plan';
import { baseCard } from './planView';
import type { BotServices } from './services';

/**
 * The run's progress reaches the plan card in place (updateActivity, from outside any turn): the
 * card where it was approved and every posted copy. Subscribed to the runner's events; the audit
 * of the run is not written here but by the approvals' run audit (approvals/runAudit.ts).
 */

/** Teams allows 60 messages per 30 s per conversation: a running plan's cards change at most once per this. */
const PROGRESS_INTERVAL_MS = 2500;

/** Which progress to show: the first, then at most one per interval per plan; the end always. */
export class ProgressPacer {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the plan's progress is due to be shown now (and notes that it is). */
  due(planId: string): boolean {
    const now = this.now();
    const last = this.last.get(planId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.last.set(planId, now);
    return true;
  }

  /** The run ended: its next run (a retry) shows its first progress at once. */
  ended(planId: string): void {
    this.last.delete(planId);
  }
}

/** Updates the plan's cards as the run goes and when it ends. */
export function showRunProgress(events: RunEvents, services: BotServices, pacer = new ProgressPacer()): void {
  events.on('actions.settled', async ({ plan, run }) => {
    if (pacer.due(plan.id)) await updateRunCards(services, run, plan);
  });
  events.on('run.finished', async ({ plan, run }) => {
    pacer.ended(plan.id);
    await updateRunCards(services, run, plan);
  });
}

/** Every card of the plan (where it was approved, and each posted copy) shows the run as it is. */
async function updateRunCards(services: BotServices, run: Run, plan: Plan): Promise<void> {
  const locale = localeOf(run.report.locale);
  const approval = await services.plans.approval(plan.id);
  const copies = [{ conversationId: run.report.conversationId, activityId: run.report.activityId }, ...(approval?.postedTo ?? [])];
  const seen = new Set<string>();
  for (const copy of copies) {
    if (!copy.activityId || seen.has(copy.activityId)) continue;
    seen.add(copy.activityId);
    // One copy that cannot be updated (a deleted chat, Teams throttling) does not keep the others stale.
    try {
      await services.notifier.update(copy.conversationId, copy.activityId, await baseCard(services, plan, copy.conversationId, locale));
    } catch (error) {
      services.logger.warn({ err: error, planId: plan.id, conversationId: copy.conversationId }, 'could not update a plan card with the run');
    }
  }
}
