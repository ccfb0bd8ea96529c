import type { Locale, StringKey } from '../i18n';
import { t } from '../i18n';
import type { Logger } from '../log';
import { userMessage } from '../errors';
import type { RecordStore } from '../storage/records';
import type { SessionEnvironment } from '../setup/session';
import type { AuditLog } from '../approvals/audit';
import { underLease, type Leases } from '../provisioning/run/lease';
import { WATCH_PREFIX, watchKey, watchLeaseName } from '../storage/keys';
import { compareSnapshots, nextBaseline, type DriftItem, type WatchSnapshot } from './compare';
import { nextRunAfter, tickMs } from './schedule';

/**
 * The watch: for a chat that turned it on, a check of the whole setup on a schedule, posted to
 * that chat only when something changed for the worse since the check before.
 *
 * One record per chat (`watch:<conversationId>`) holds the environment, the schedule's next
 * time and the snapshot the next run compares against. Every instance looks for due runs; a run
 * happens under the watch's lease (several instances on shared storage: one runs it, the others
 * find the lease held or the run already done), and its result is written with an eTag-guarded
 * update that only the run of that scheduled time may make. Every turning on and off and every
 * run is in the audit trail.
 */


export interface WatchActor {
  aadObjectId?: string;
  name?: string;
}

export interface WatchRecord {
  conversationId: string;
  environment: SessionEnvironment;
  /** The language the watch posts in: that of whoever turned it on. */
  locale: Locale;
  enabled: boolean;
  enabledAt: string;
  enabledBy: WatchActor;
  /** Whose admin roles the check reads (the admin Part 1 set up, else whoever turned the watch on). */
  admin?: string;
  /** When the next run is due. */
  nextRunAt: string;
  lastRunAt?: string;
  /** What the next run compares against. */
  baseline: WatchSnapshot;
  /** The latest post, so turning the watch off can update it (its card's view, re-rendered). */
  lastPost?: { activityId: string; at: string; view: unknown };
  disabledAt?: string;
  disabledBy?: WatchActor;
}

/** The clock the schedule runs by (tests move it by hand). */
export interface WatchClock {
  now(): number;
  every(ms: number, task: () => Promise<void>): () => void;
}

export interface WatchCheck<R> {
  report: R;
  snapshot: WatchSnapshot;
}

export interface WatcherOptions<R> {
  records: RecordStore;
  audit: AuditLog;
  /** Several instances on shared storage; absent with one instance. */
  leases?: Leases;
  clock: WatchClock;
  intervalMs: number;
  logger: Logger;
  /** The check of the whole setup of an environment, as `actor` (a watch's run: as the one who turned it on). */
  check(input: { environment: SessionEnvironment; actor: WatchActor; admin?: string }): Promise<WatchCheck<R>>;
  /** Posts the drift in the watch's chat: the message and the view it was rendered from, or undefined when the chat is unknown. */
  post(watch: WatchRecord, drift: DriftItem[], report: R): Promise<{ activityId: string; view: unknown } | undefined>;
}

type RunOutcome = 'posted' | 'unchanged' | 'failed' | 'not due';

/** Text for the audit trail's CSV (English, as every stored outcome) beside its catalogue key. */
function outcome(key: StringKey, vars: Record<string, string | number> = {}) {
  return { outcome: t('en', key, vars), outcomeKey: key, outcomeVars: vars };
}

export function scheduleText(intervalMs: number, enabledAt: string, locale: Locale): string {
  const day = 24 * 3_600_000;
  if (intervalMs === day) return t(locale, 'watchScheduleDaily', { time: enabledAt.slice(11, 16) });
  const minutes = Math.round(intervalMs / 60_000);
  return minutes === 1 ? t(locale, 'watchScheduleMinute') : t(locale, 'watchScheduleMinutes', { minutes });
}

export class Watcher<R> {
  private stopTimer?: () => void;
  private ticking?: Promise<void>;

  constructor(private readonly options: WatcherOptions<R>) {}

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  now(): number {
    return this.options.clock.now();
  }

  /** The check a watch runs, now (for the status card, and the baseline when the watch is turned on). */
  check(actor: WatchActor, environment: SessionEnvironment, admin?: string): Promise<WatchCheck<R>> {
    return this.options.check({ environment, actor, admin });
  }

  private nowIso(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  /** Looks for due runs every tick until closed. */
  start(): void {
    this.stopTimer ??= this.options.clock.every(tickMs(this.options.intervalMs), () => this.tick());
  }

  close(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** The chat's watch, when it is on. */
  async get(conversationId: string): Promise<WatchRecord | undefined> {
    const record = await this.options.records.get<WatchRecord>(watchKey(conversationId));
    return record?.enabled ? record : undefined;
  }

  /**
   * Turns the watch on for the chat and environment, with `snapshot` (the check just shown) as
   * the baseline. On already for the same environment: left as it is (`already`).
   */
  async turnOn(input: {
    conversationId: string;
    environment: SessionEnvironment;
    locale: Locale;
    actor: WatchActor;
    admin?: string;
    snapshot: WatchSnapshot;
  }): Promise<{ watch: WatchRecord; already: boolean }> {
    const now = this.options.clock.now();
    const enabledAt = new Date(now).toISOString();
    let already = false;
    const { value } = await this.options.records.update<WatchRecord>(watchKey(input.conversationId), (current) => {
      if (current?.enabled && sameEnvironment(current.environment, input.environment)) {
        already = true;
        return undefined;
      }
      return {
        conversationId: input.conversationId,
        environment: input.environment,
        locale: input.locale,
        enabled: true,
        enabledAt,
        enabledBy: input.actor,
        ...(input.admin ? { admin: input.admin } : {}),
        nextRunAt: new Date(nextRunAfter(now, this.options.intervalMs, now)).toISOString(),
        baseline: nextBaseline({ rows: [] }, input.snapshot),
      };
    });
    if (!already) {
      await this.options.audit.append({
        event: 'watch.on',
        actor: input.actor,
        conversationId: input.conversationId,
        subject: input.environment.dataverseUrl,
        ...outcome('auditWatchOn', { schedule: scheduleText(this.options.intervalMs, enabledAt, 'en') }),
      });
    }
    return { watch: value!, already };
  }

  /** Turns the chat's watch off; the record as it was, or undefined when it was not on. */
  async turnOff(conversationId: string, actor: WatchActor): Promise<WatchRecord | undefined> {
    let was: WatchRecord | undefined;
    const at = this.nowIso();
    await this.options.records.update<WatchRecord>(watchKey(conversationId), (current) => {
      was = current?.enabled ? current : undefined;
      return was ? { ...was, enabled: false, disabledAt: at, disabledBy: actor } : undefined;
    });
    if (was) {
      await this.options.audit.append({ event: 'watch.off', actor, conversationId, subject: was.environment.dataverseUrl, ...outcome('auditWatchOff') });
    }
    return was;
  }

  /** Runs every watch that is due (one tick at a time; a tick during a slow one joins it). */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    let watches: WatchRecord[];
    try {
      watches = await this.options.records.list<WatchRecord>(WATCH_PREFIX);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not list the watches');
      return;
    }
    const now = this.options.clock.now();
    for (const watch of watches) {
      if (!watch.enabled || Date.parse(watch.nextRunAt) > now) continue;
      await this.run(watch.conversationId).catch((error) => this.options.logger.error({ err: error, conversationId: watch.conversationId }, 'the watch run failed'));
    }
  }

  /** The chat's due run, under its lease: at most one instance runs a scheduled time. */
  private async run(conversationId: string): Promise<RunOutcome> {
    let result: RunOutcome = 'not due';
    await underLease(this.options.leases, watchLeaseName(conversationId), async () => {
      result = await this.runHeld(conversationId);
    });
    return result;
  }

  private async runHeld(conversationId: string): Promise<RunOutcome> {
    const key = watchKey(conversationId);
    // Read again under the lease: another instance may have made this run already.
    const watch = await this.options.records.get<WatchRecord>(key);
    const now = this.options.clock.now();
    if (!watch?.enabled || Date.parse(watch.nextRunAt) > now) return 'not due';
    const due = watch.nextRunAt;
    const nextRunAt = new Date(nextRunAfter(Date.parse(watch.enabledAt), this.options.intervalMs, now)).toISOString();
    const base = { event: 'watch.run' as const, conversationId, subject: watch.environment.dataverseUrl };

    let checked: WatchCheck<R>;
    try {
      checked = await this.options.check({ environment: watch.environment, actor: watch.enabledBy, admin: watch.admin });
    } catch (error) {
      this.options.logger.warn({ err: error, conversationId }, 'the watch could not check the setup');
      await this.record(key, watch, { nextRunAt, lastRunAt: new Date(now).toISOString() });
      await this.options.audit.append({ ...base, ...outcome('auditWatchFailed', { reason: userMessage(error, 'en') }) });
      return 'failed';
    }
    const drift = compareSnapshots(watch.baseline, checked.snapshot);
    let posted: { activityId: string; view: unknown } | undefined;
    if (drift.length > 0) {
      // Turned off while the check ran: nothing is posted.
      if (!(await this.stillDue(key, watch, due))) return 'not due';
      try {
        posted = await this.options.post(watch, drift, checked.report);
      } catch (error) {
        this.options.logger.warn({ err: error, conversationId }, 'the watch could not post in its chat');
      }
      if (!posted) {
        // Not posted: the baseline stays, so the next run posts this drift again.
        await this.record(key, watch, { nextRunAt, lastRunAt: new Date(now).toISOString() });
        await this.options.audit.append({ ...base, ...outcome('auditWatchNotPosted') });
        return 'failed';
      }
    }
    const at = new Date(now).toISOString();
    await this.record(key, watch, {
      nextRunAt,
      lastRunAt: at,
      baseline: nextBaseline(watch.baseline, checked.snapshot),
      ...(posted ? { lastPost: { activityId: posted.activityId, at, view: posted.view } } : {}),
    });
    await this.options.audit.append({ ...base, ...(posted ? outcome('auditWatchWorse', { count: drift.length }) : outcome('auditWatchSame')) });
    return posted ? 'posted' : 'unchanged';
  }

  private async stillDue(key: string, watch: WatchRecord, due: string): Promise<boolean> {
    const current = await this.options.records.get<WatchRecord>(key);
    return !!current?.enabled && current.enabledAt === watch.enabledAt && current.nextRunAt === due;
  }

  /** The run's result, written only over the record this run read (same turning on, same due time). */
  private async record(key: string, watch: WatchRecord, change: Partial<WatchRecord>): Promise<void> {
    await this.options.records.update<WatchRecord>(key, (current) =>
      current && current.enabledAt === watch.enabledAt && current.nextRunAt === watch.nextRunAt ? { ...current, ...change } : undefined,
    );
  }
}

function sameEnvironment(a: SessionEnvironment, b: SessionEnvironment): boolean {
  return a.dataverseUrl === b.dataverseUrl && a.bcEnvironment === b.bcEnvironment && a.bcCompanyId === b.bcCompanyId && a.bapEnvironmentId === b.bapEnvironmentId;
}
