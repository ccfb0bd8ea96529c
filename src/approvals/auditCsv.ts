import { stringify } from 'csv-stringify/sync';
import type { AuditRecord } from './audit';

export const AUDIT_CSV_HEADER = ['Seq', 'Time (UTC)', 'Event', 'Actor', 'Actor object id', 'Plan', 'Plan digest', 'Conversation', 'Subject', 'Outcome'];

/** A cell a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe. */
export function formulaSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The audit trail as CSV (UTF-8 with BOM so Excel reads Norwegian letters), injection-safe. */
export function auditCsv(records: AuditRecord[]): string {
  const rows = records.map((r) =>
    [String(r.seq), r.at, r.event, r.actor?.name ?? '', r.actor?.aadObjectId ?? '', r.planId ?? '', r.digest ?? '', r.conversationId ?? '', r.subject ?? '', r.outcome ?? ''].map(formulaSafe),
  );
  return `\uFEFF${stringify([AUDIT_CSV_HEADER, ...rows], { record_delimiter: '\r\n' })}`;
}
