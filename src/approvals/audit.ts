import type { RecordStore } from '../storage/records';

/**
 * The audit trail: append-only records of every request, decision, action result and refusal.
 * Records are numbered by an eTag-guarded counter, so several instances append without losing
 * one, and the latest can be read without listing storage. No secrets go in: callers pass ids,
 * names, digests and outcomes only.
 */

export type AuditEvent =
  | 'plan.requested'
  | 'plan.approved'
  | 'plan.rejected'
  | 'plan.cancelled'
  | 'plan.expired'
  | 'approval.refused'
  | 'action.done'
  | 'action.failed'
  | 'run.completed'
  | 'access.refused'
  | 'role.chosen';

export interface AuditRecord {
  seq: number;
  at: string;
  event: AuditEvent;
  actor?: { aadObjectId?: string; name?: string };
  planId?: string;
  digest?: string;
  conversationId?: string;
  /** What it was about: an action key, a command, a verb. */
  subject?: string;
  outcome?: string;
}

const COUNTER = 'audit:seq';
const recordKey = (seq: number) => `audit:${String(seq).padStart(10, '0')}`;

export class AuditLog {
  constructor(
    private readonly records: RecordStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(entry: Omit<AuditRecord, 'seq' | 'at'>): Promise<AuditRecord> {
    return (await this.appendMany([entry]))[0];
  }

  /** Several records in order, with one counter update for all of them. */
  async appendMany(entries: Omit<AuditRecord, 'seq' | 'at'>[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    const { value } = await this.records.update<{ seq: number }>(COUNTER, (current) => ({ seq: (current?.seq ?? 0) + entries.length }));
    const first = value!.seq - entries.length + 1;
    const at = this.now().toISOString();
    const records = entries.map((entry, i): AuditRecord => ({ seq: first + i, at, ...entry }));
    for (let i = 0; i < records.length; i += 50) {
      await Promise.all(records.slice(i, i + 50).map((record) => this.records.create(recordKey(record.seq), record)));
    }
    return records;
  }

  /** The newest records first. */
  async latest(count: number): Promise<AuditRecord[]> {
    const last = (await this.records.get<{ seq: number }>(COUNTER))?.seq ?? 0;
    const seqs = Array.from({ length: Math.min(count, last) }, (_, i) => last - i);
    const found = await Promise.all(seqs.map((seq) => this.records.get<AuditRecord>(recordKey(seq))));
    return found.filter((r): r is AuditRecord => r !== undefined);
  }

  /** Every record, oldest first. */
  async all(): Promise<AuditRecord[]> {
    const last = (await this.records.get<{ seq: number }>(COUNTER))?.seq ?? 0;
    const records: AuditRecord[] = [];
    for (let start = 1; start <= last; start += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, last - start + 1) }, (_, i) => this.records.get<AuditRecord>(recordKey(start + i))),
      );
      records.push(...batch.filter((r): r is AuditRecord => r !== undefined));
    }
    return records;
  }
}
