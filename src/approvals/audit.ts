import type { StringKey } from '../i18n';
import { createHash, randomBytes } from 'node:crypto';
import { AUDIT_FOLD_PREFIX, AUDIT_LEGACY_COUNTER, AUDIT_PREFIX, auditLegacyKey } from '../storage/keys';
import type { Logger } from '../log';
import type { RecordStore } from '../storage/records';

/**
 * The audit trail: append-only records of every request, decision, action result and refusal.
 *
 * Every record has its own key, made of the time it was written, a counter of this process and
 * a random part (`audit:r:<ms>-<n>-<random>`), so instances append side by side without a shared
 * counter to fight over; the trail is listed and read in key order, which is time order.
 *
 * Refusals are folded: within one minute, all refusals with the same event, actor, conversation,
 * subject and reason are one record whose `count` says how many there were (exactly: increments
 * of one process are written one batch at a time, and batches of several instances meet in an
 * eTag-guarded update). A small locator record per fold (`audit:g:…`) lets every instance find
 * the record the first one made. Beyond MAX_FOLDS_PER_MINUTE distinct folds in a minute, the rest
 * of that minute's refusals for a reason fold into one record without the actor ("rate limited"),
 * so a flood cannot grow storage faster than that, and every refusal is still counted.
 *
 * No secrets go in: callers pass ids, names, digests and outcomes only.
 */

export type AuditEvent =
  | 'plan.requested'
  | 'plan.approved'
  | 'plan.rejected'
  | 'plan.cancelled'
  | 'plan.superseded'
  | 'plan.expired'
  | 'plan.retried'
  | 'plan.refused'
  | 'approval.refused'
  | 'action.done'
  | 'action.failed'
  | 'run.started'
  | 'run.completed'
  | 'access.refused'
  | 'role.chosen'
  | 'watch.on'
  | 'watch.off'
  | 'watch.run';

export interface AuditRecord {
  /** The record's key after `audit:r:` (time-ordered); `seq-N` for records of the earlier numbered trail. */
  id: string;
  /** When it happened (for folded refusals, the first of them). */
  at: string;
  event: AuditEvent;
  actor?: { aadObjectId?: string; name?: string };
  planId?: string;
  digest?: string;
  conversationId?: string;
  /** What it was about: an action key, a command, a verb. */
  subject?: string;
  outcome?: string;
  /** The outcome as a catalogue key and its parameters, shown in the reader's language (`outcome` keeps the text for the CSV). */
  outcomeKey?: StringKey;
  outcomeVars?: Record<string, string | number>;
  /** Folded refusals: how many this record stands for (absent: one), and when the last was. */
  count?: number;
  lastAt?: string;
}

export type AuditEntry = Omit<AuditRecord, 'id' | 'at' | 'count' | 'lastAt'>;

/** Refusals that fold into one record per minute. */
export type RefusalEntry = AuditEntry & { event: 'access.refused' | 'approval.refused' | 'plan.refused' };

export const FOLD_WINDOW_MS = 60_000;
/** Distinct refusal records one instance writes per minute before the rest fold by reason alone. */
export const MAX_FOLDS_PER_MINUTE = 50;
const RATE_LIMITED = '(rate limited)';

/** The trail as it was before records had their own keys: a counter and numbered records. */

let counter = 0;

/** A new record id: milliseconds (15 digits), this process's counter, random; sorts by time. */
export function auditId(at: Date): string {
  counter = (counter + 1) % 1_000_000;
  return `${String(at.getTime()).padStart(15, '0')}-${String(counter).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
}

interface Fold {
  window: number;
  signature: string;
  entry: RefusalEntry;
  firstAt: string;
  lastAt: string;
  /** The record's key, once located. */
  key?: string;
  pending: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  writing: boolean;
}

export class AuditLog {
  private readonly folds = new Map<string, Fold>();
  private readonly foldsPerWindow = new Map<number, number>();

  constructor(
    private readonly records: RecordStore,
    private readonly now: () => Date = () => new Date(),
    private readonly logger?: Logger,
  ) {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    return (await this.appendMany([entry]))[0];
  }

  /** Several records, in order: their ids follow one another. Each is its own create-only write. */
  async appendMany(entries: AuditEntry[]): Promise<AuditRecord[]> {
    const now = this.now();
    const at = now.toISOString();
    const records = entries.map((entry): AuditRecord => ({ id: auditId(now), at, ...entry }));
    for (let i = 0; i < records.length; i += 50) {
      await Promise.all(records.slice(i, i + 50).map((record) => this.records.create(AUDIT_PREFIX + record.id, record)));
    }
    return records;
  }

  /**
   * A refusal, folded with the same refusals of this minute (see above). Resolves once the
   * record counting it is written; rejects when that write failed.
   */
  refusal(entry: RefusalEntry): Promise<void> {
    const now = this.now();
    const window = Math.floor(now.getTime() / FOLD_WINDOW_MS);
    this.forget(window);
    let signature = hash([window, entry.event, entry.actor?.aadObjectId ?? '', entry.actor?.name ?? '', entry.conversationId ?? '', entry.subject ?? '', entry.outcome ?? '', entry.planId ?? '']);
    let fold = this.folds.get(signature);
    if (!fold) {
      const made = this.foldsPerWindow.get(window) ?? 0;
      let folded = entry;
      if (made >= MAX_FOLDS_PER_MINUTE) {
        signature = hash([window, entry.event, entry.outcome ?? '', RATE_LIMITED]);
        folded = { event: entry.event, outcome: entry.outcome, subject: RATE_LIMITED };
        fold = this.folds.get(signature);
      }
      if (!fold) {
        this.foldsPerWindow.set(window, made + 1);
        fold = { window, signature, entry: folded, firstAt: now.toISOString(), lastAt: now.toISOString(), pending: 0, waiters: [], writing: false };
        this.folds.set(signature, fold);
      }
    }
    const target = fold;
    target.pending += 1;
    if (now.toISOString() > target.lastAt) target.lastAt = now.toISOString();
    return new Promise<void>((resolve, reject) => {
      target.waiters.push({ resolve, reject });
      void this.flush(target);
    });
  }

  /** Writes a fold's pending count, one batch at a time, until nothing is pending. */
  private async flush(fold: Fold): Promise<void> {
    if (fold.writing) return;
    fold.writing = true;
    try {
      while (fold.pending > 0) {
        const delta = fold.pending;
        const waiters = fold.waiters.splice(0);
        fold.pending = 0;
        try {
          fold.key ??= await this.locate(fold);
          const lastAt = fold.lastAt;
          await this.records.update<AuditRecord>(fold.key, (current) =>
            current
              ? { ...current, count: (current.count ?? 1) + delta, lastAt: current.lastAt && current.lastAt > lastAt ? current.lastAt : lastAt }
              : { id: fold.key!.slice(AUDIT_PREFIX.length), at: fold.firstAt, ...fold.entry, count: delta, lastAt },
          );
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          this.logger?.error({ err: error, count: delta }, 'could not write folded refusals to the audit trail');
          for (const waiter of waiters) waiter.reject(error);
        }
      }
    } finally {
      fold.writing = false;
    }
  }

  /** The record a fold counts into: the one the first instance to see this fold chose. */
  private async locate(fold: Fold): Promise<string> {
    const candidate = AUDIT_PREFIX + auditId(new Date(fold.firstAt));
    const { value } = await this.records.update<{ key: string }>(`${AUDIT_FOLD_PREFIX}${fold.window}:${fold.signature}`, (current) =>
      current ? undefined : { key: candidate },
    );
    return value!.key;
  }

  /** Folds of earlier minutes are done with once written. */
  private forget(window: number): void {
    for (const [signature, fold] of this.folds) {
      if (fold.window < window && !fold.writing && fold.pending === 0) this.folds.delete(signature);
    }
    for (const earlier of this.foldsPerWindow.keys()) if (earlier < window) this.foldsPerWindow.delete(earlier);
  }

  /** The newest records first. */
  async latest(count: number): Promise<AuditRecord[]> {
    const records = (await this.records.list<AuditRecord>(AUDIT_PREFIX, { last: count })).filter(isRecord).reverse();
    if (records.length >= count) return records;
    return [...records, ...(await this.legacy()).reverse().slice(0, count - records.length)];
  }

  /** Every record, oldest first. */
  async all(): Promise<AuditRecord[]> {
    const records = (await this.records.list<AuditRecord>(AUDIT_PREFIX)).filter(isRecord);
    return [...(await this.legacy()), ...records];
  }

  /** The records of the earlier numbered trail, oldest first (none on a store that never had one). */
  private async legacy(): Promise<AuditRecord[]> {
    const last = (await this.records.get<{ seq: number }>(AUDIT_LEGACY_COUNTER))?.seq ?? 0;
    const records: AuditRecord[] = [];
    for (let start = 1; start <= last; start += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, last - start + 1) }, (_, i) => this.records.get<AuditRecord & { seq: number }>(auditLegacyKey(start + i))),
      );
      for (const record of batch) if (record) records.push({ ...record, id: `seq-${record.seq}` });
    }
    return records;
  }
}

/** How many occurrences a record stands for. */
export const occurrences = (record: AuditRecord): number => record.count ?? 1;

const isRecord = (value: AuditRecord): boolean => typeof value?.event === 'string' && typeof value.id === 'string';

const hash = (parts: (string | number)[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
