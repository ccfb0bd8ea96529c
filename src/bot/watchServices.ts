import type { Config } from '../config';
import type { Logger } from '../log';
import type { AuditLog } from '../approvals/audit';
import type { RecordStore } from '../storage/records';
import type { Leases } from '../provisioning/run/lease';
import type { HealthReport } from '../provisioning/observe/healthReport';
import type { SessionEnvironment } from '../setup/session';
import { healthRows, watchPostCard, watchPostView } from '../cards/watch';
import { snapshotOf } from '../watch/compare';
import { Watcher, type WatchClock } from '../watch/watcher';
import type { Notifier } from './notifier';

/** The watch checks what the status card shows: the health report. */
export type WatchService = Watcher<HealthReport>;

const DAY_MS = 24 * 60 * 60_000;

/** How the post names the environment: the Sales environment and the Business Central one. */
function environmentLabel(environment: SessionEnvironment): string {
  const bc = environment.bcCompanyName ? `${environment.bcEnvironment} · ${environment.bcCompanyName}` : environment.bcEnvironment;
  return `${environment.dataverseUrl.replace(/^https?:\/\//, '').replace(/\/$/, '')} · ${bc}`;
}

export interface WatchDeps {
  config: Config;
  logger: Logger;
  records: RecordStore;
  audit: AuditLog;
  leases?: Leases;
  clock: WatchClock;
  notifier: Notifier;
  health: (environment: SessionEnvironment, options?: { admin?: string }) => Promise<HealthReport>;
}

/** The watch over the bot's own check and notifier: its post goes to the chat through the stored conversation reference. */
export function createWatch({ config, logger, records, audit, leases, clock, notifier, health }: WatchDeps): WatchService {
  return new Watcher<HealthReport>({
    records,
    audit,
    leases,
    clock,
    logger,
    intervalMs: config.watchIntervalMs ?? DAY_MS,
    check: async ({ environment, actor, admin }) => {
      const report = await health(environment, { admin: admin ?? actor.aadObjectId });
      return { report, snapshot: snapshotOf(report) };
    },
    post: async (watch, drift, report) => {
      const view = watchPostView(drift, healthRows(report, watch.locale), { locale: watch.locale, environment: environmentLabel(watch.environment), at: new Date(clock.now()) });
      const activityId = await notifier.post(watch.conversationId, watchPostCard(view));
      return activityId ? { activityId, view } : undefined;
    },
  });
}
