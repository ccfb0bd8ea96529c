import { stringify } from 'csv-stringify/sync';
import type { AuditRecord } from './audit';
import { neutraliseCell } from '../setup/csvFormat';

export const AUDIT_CSV_HEADER = ['Seq', 'Time (UTC)', 'Event', 'Actor', 'Actor object id', 'Plan', 'Plan digest', 'Conversation', 'Subject', 'Outcome'];


/** The audit trail as CSV (UTF-8 with BOM so Excel reads Norwegian letters), injection-safe. */
export function auditCsv(records: AuditRecord[]): string {
  const rows = records.map((r) =>
    [String(r.seq), r.at, r.event, r.actor?.name ?? '', r.actor?.aadObjectId ?? '', r.planId ?? '', r.digest ?? '', r.conversationId ?? '', r.subject ?? '', r.outcome ?? ''].map(neutraliseCell),
  );
  return `\uFEFF${stringify([AUDIT_CSV_HEADER, ...rows], { record_delimiter: '\r\n' })}`;
}
