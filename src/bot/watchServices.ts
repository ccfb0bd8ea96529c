import type { Config } from '../config';
import type { Logger } from '../log';
import type { AuditLog } from '../approvals/audit';
import type { RecordStore } from '../storage/records';
import type { Leases } from '../provisioning/run/lease';
import type { HealthReport } from '../provisioning/observe/healthReport';
import type { Overview } from '../setup/overview';
import type { SessionEnvironment } from '../setup/session';
import { reportRows, watchPostCard, watchPostView } from '../cards/watch';
import { snapshotOf } from '../watch/compare';
import { overviewReport } from '../watch/fromOverview';
import { Watcher, type WatchClock } from '../watch/watcher';
import type { Actor } from './context';
import type { Notifier } from './notifier';

/** What the watch checks: the health report it compares and posts, and the overview the status card shows. */
export interface StatusCheck {
  health: HealthReport;
  overview: Overview;
}

export type WatchService = Watcher<StatusCheck>;

const DAY_MS = 24 * 60 * 60_000;

/** How the post names the environment: the Sales environment and the Business Central one. */
function environmentLabel(environment: SessionEnvironment): string {
  const bc = environment.bcCompanyName ? `${environment.bcEnvironment} · ${environment.bcCompanyName}` : environment.bcEnvironment;
  return `${environment.dataverseUrl.replace(/^https:\/\//, '').replace(/\/$/, '')} · ${bc}`;
}

export interface WatchDeps {
  config: Config;
  logger: Logger;
  records: RecordStore;
  audit: AuditLog;
  leases?: Leases;
  clock: WatchClock;
  notifier: Notifier;
  overview(actor: Actor, environment: SessionEnvironment): Promise<Overview>;
}

/** The watch over the bot's own check and notifier: its post goes to the chat through the stored conversation reference. */
export function createWatch({ config, logger, records, audit, leases, clock, notifier, overview }: WatchDeps): WatchService {
  return new Watcher<StatusCheck>({
    records,
    audit,
    leases,
    clock,
    logger,
    intervalMs: config.watchIntervalMs ?? DAY_MS,
    check: async ({ environment, actor }) => {
      const observed = await overview({ aadObjectId: actor.aadObjectId, name: actor.name, teamsId: '' }, environment);
      const health = overviewReport(observed, environment.dataverseUrl);
      return { report: { health, overview: observed }, snapshot: snapshotOf(health) };
    },
    post: async (watch, drift, report) => {
      const view = watchPostView(drift, reportRows(report.health, watch.locale), { locale: watch.locale, environment: environmentLabel(watch.environment), at: new Date(clock.now()) });
      const activityId = await notifier.post(watch.conversationId, watchPostCard(view));
      return activityId ? { activityId, view } : undefined;
    },
  });
}
