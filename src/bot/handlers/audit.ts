import { MessageFactory, type TurnContext } from 'botbuilder';
import { auditCsv } from '../../approvals/auditCsv';
import { occurrences, type AuditRecord } from '../../approvals/audit';
import { cardAttachment, escapeMarkdown, renderCard, type AdaptiveCardJson } from '../../cards/render';
import { t, type Locale } from '../../i18n';
import { isPersonalChat, localeFor } from '../context';
import type { BotServices } from '../services';
import { offerFile, type FileProducer } from '../files';

/** The `audit` command: the latest entries on a card, and the whole trail as a CSV file (personal chat). */

const LATEST = 20;

function line(record: AuditRecord, locale: Locale): string {
  // Folded refusals say how many they stand for.
  const outcome = record.outcomeKey ? t(locale, record.outcomeKey, record.outcomeVars) : record.outcome;
  const parts = [record.event, record.actor?.name, record.subject, outcome, record.planId && `plan ${record.planId.slice(0, 8)}`, occurrences(record) > 1 && `×${occurrences(record)}`];
  return parts.filter(Boolean).map((p) => escapeMarkdown(String(p))).join(' · ');
}

function auditCard(records: AuditRecord[], locale: Locale, canExport: boolean, notice = ''): AdaptiveCardJson {
  return renderCard(
    'audit',
    { rows: records.map((r) => ({ at: `${r.at.slice(0, 19).replace('T', ' ')}`, text: line(r, locale) })), canExport, notice },
    locale,
  );
}

export function auditShow(services: BotServices) {
  return async (context: TurnContext): Promise<void> => {
    const records = await services.audit.latest(LATEST);
    await context.sendActivity(MessageFactory.attachment(cardAttachment(auditCard(records, localeFor(context), records.length > 0))));
  };
}

/** "Export all as CSV": a FileConsentCard; the file is made when the user accepts. */
export function auditExport(services: BotServices) {
  return async (context: TurnContext): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    if (!isPersonalChat(context)) return t(locale, 'auditExportPersonal');
    const records = await services.audit.all();
    await offerFile(context, {
      name: `audit-${new Date().toISOString().slice(0, 10)}.csv`,
      description: t(locale, 'auditTitle'),
      size: Buffer.byteLength(auditCsv(records, locale), 'utf8'),
      request: { kind: 'audit' },
    });
    return auditCard(await services.audit.latest(LATEST), locale, false, t(locale, 'auditExportOffered', { count: records.length }));
  };
}

/** The file itself, made anew when the user accepts it. */
export const auditFile: FileProducer = async (services, context) => Buffer.from(auditCsv(await services.audit.all(), localeFor(context)), 'utf8');
