import { stringify } from 'csv-stringify/sync';
import { occurrences, type AuditRecord } from './audit';
import { neutraliseCell } from '../setup/csvFormat';

export const AUDIT_CSV_HEADER = ['Seq', 'Time (UTC)', 'Event', 'Actor', 'Actor object id', 'Plan', 'Plan digest', 'Conversation', 'Subject', 'Outcome', 'Count', 'Last time (UTC)', 'Record id'];

/**
 * The audit trail as CSV (UTF-8 with BOM so Excel reads Norwegian letters), injection-safe, in
 * the order given (the trail's, oldest first): Seq is the row's place in it, Count how many
 * occurrences a folded refusal stands for.
 */
export function auditCsv(records: AuditRecord[]): string {
  const rows = records.map((r, i) =>
    [
      String(i + 1),
      r.at,
      r.event,
      r.actor?.name ?? '',
      r.actor?.aadObjectId ?? '',
      r.planId ?? '',
      r.digest ?? '',
      r.conversationId ?? '',
      r.subject ?? '',
      r.outcome ?? '',
      String(occurrences(r)),
      r.lastAt ?? r.at,
      r.id,
    ].map(neutraliseCell),
  );
  return `\uFEFF${stringify([AUDIT_CSV_HEADER, ...rows], { record_delimiter: '\r\n' })}`;
}
