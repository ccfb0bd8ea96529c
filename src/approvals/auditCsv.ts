import { stringify } from 'csv-stringify/sync';
import { occurrences, type AuditRecord } from './audit';
import { neutraliseCell } from '../setup/csvFormat';
import { t, type Locale, type StringKey } from '../i18n';

const HEADER_KEYS: StringKey[] = [
  'auditCsvSeq', 'auditCsvTime', 'auditCsvEvent', 'auditCsvActor', 'auditCsvActorId', 'auditCsvPlan', 'auditCsvDigest',
  'auditCsvConversation', 'auditCsvSubject', 'auditCsvOutcome', 'auditCsvCount', 'auditCsvLastTime', 'auditCsvRecordId',
];

/** The CSV's column names in the reader's language. */
export const auditCsvHeader = (locale: Locale): string[] => HEADER_KEYS.map((key) => t(locale, key));

/**
 * The audit trail as CSV (UTF-8 with BOM so Excel reads Norwegian letters), injection-safe, in
 * the order given (the trail's, oldest first): Seq is the row's place in it, Count how many
 * occurrences a folded refusal stands for. Column names and catalogued outcomes are in `locale`;
 * events, ids and recorded reasons are the trail's own values.
 */
export function auditCsv(records: AuditRecord[], locale: Locale = 'en'): string {
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
      r.outcomeKey ? t(locale, r.outcomeKey, r.outcomeVars) : (r.outcome ?? ''),
      String(occurrences(r)),
      r.lastAt ?? r.at,
      r.id,
    ].map(neutraliseCell),
  );
  return `\uFEFF${stringify([auditCsvHeader(locale), ...rows], { record_delimiter: '\r\n' })}`;
}
