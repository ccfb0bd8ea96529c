import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment, type AdaptiveCardJson } from '../../cards/render';
import { csvTextCard, exportCard, importCard, rolePickerCard } from '../../cards/salespeople';
import { AppError } from '../../errors';
import { t } from '../../i18n';
import { countryName } from '../../setup/csvCountries';
import { buildAdminCenterFiles } from '../../setup/csvExport';
import { candidateUpns, checkRows, readAdminCenterCsv, type CsvProblem } from '../../setup/csvImport';
import { planImportedUsers } from '../../setup/salespeoplePlanner';
import { selectedIds } from '../../setup/salespeopleView';
import { guid } from '../../setup/validation';
import { isPersonalChat, localeFor } from '../context';
import { offerFile, type FileProducer } from '../files';
import { createPlan, planCardFor } from '../planView';
import { applyEvent } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import type { CardHandler, Make } from '../handler';
import { chosenView, environmentOf, inPart3 } from '../salespeopleSteps';

/**
 * Part 3's files. Export: the admin center's "Add multiple users" files for the selected
 * salespeople without an account, offered as files in personal chat (FileConsentCard) and always
 * readable as text on a card (where files cannot be sent). Import: a CSV the admin sends in
 * personal chat, checked row by row; only a file without problems becomes a plan.
 */

export const FILE_KIND = 'salespeopleCsv';
const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';

async function exportOf(services: BotServices, context: TurnContext, id: unknown) {
  const parsed = guid.safeParse(id);
  const record = parsed.success ? await services.salespeople.exports.get(parsed.data.toLowerCase()) : undefined;
  return record?.conversationId === context.activity.conversation.id ? record : undefined;
}

/** The file an accepted FileConsentCard asked for, made from the stored export. */
export const salespeopleCsvFile: FileProducer = async (services, context, request) => {
  const [id, index] = (request.key ?? '').split('/');
  const file = (await exportOf(services, context, id))?.files[Number(index)];
  if (!file) throw new AppError('not_found', t(localeFor(context), 'spFileGone'));
  return Buffer.from(file.content, 'utf8');
};

/** `salespeople.export`: the admin center's files for the selected salespeople without an account, offered as files (personal chat) and as text. */
export const salespeopleExport: Make<CardHandler> = (services) => async (context, state, data) => {
  const locale = localeFor(context);
  const session = inPart3(state);
  if (!session) return t(locale, 'spNoSession');
  const chosen = await chosenView(services, context, session, data);
  if ('refusal' in chosen) return chosen.refusal;
  const { view } = chosen;
  await services.salespeople.view.put(view);
  const selected = selectedIds(view.rows, view.selection, services.salespeople.couplingConfigured && view.couple);
  const rows = view.rows.filter((row) => selected.has(row.id));
  const newcomers = rows.filter((row) => row.status === 'noAccount' && !row.issue);
  const { files, leftOut } = buildAdminCenterFiles(
    newcomers.map((row) => ({ userName: row.email, displayName: row.displayName, jobTitle: row.jobTitle, officePhone: row.phoneNo, country: view.usageLocation })),
  );
  const record = await services.salespeople.exports.create({ conversationId: context.activity.conversation.id, files, leftOut, withAccount: rows.length - newcomers.length });
  const personal = isPersonalChat(context);
  if (personal) {
    for (const [index, file] of files.entries()) {
      await offerFile(context, {
        name: file.name,
        description: t(locale, 'spFileDescription', { users: file.users, country: countryName(file.country) }),
        size: Buffer.byteLength(file.content, 'utf8'),
        request: { kind: FILE_KIND, key: `${record.id}/${index}` },
      });
    }
  }
  return exportCard(record, locale, !personal);
};

/** `salespeople.csvText`: an exported file as text on a card, part by part. */
export const salespeopleCsvText: Make<CardHandler> = (services) => async (context, _state, data) => {
  const locale = localeFor(context);
  const record = await exportOf(services, context, data.exportId);
  const file = z.coerce.number().int().min(0).max(1000).catch(-1).parse(data.file);
  if (!record || !record.files[file]) return t(locale, 'spFileGone');
  return csvTextCard(record, file, z.coerce.number().int().min(0).max(1000).catch(0).parse(data.part), locale);
};

/** `salespeople.importProblems`: an imported file's problems, page by page. */
export const salespeopleImportProblems: Make<CardHandler> = (services) => async (context, _state, data) => {
  const locale = localeFor(context);
  const parsed = guid.safeParse(data.importId);
  const record = parsed.success ? await services.salespeople.imports.get(parsed.data.toLowerCase()) : undefined;
  if (!record || record.conversationId !== context.activity.conversation.id) return t(locale, 'spImportGone');
  return importCard(record, z.coerce.number().int().min(0).max(10_000).catch(0).parse(data.page), locale);
};

/** A message that carries a file sent in Teams. */
export async function hasTeamsFile(context: TurnContext): Promise<boolean> {
  return context.activity.type === 'message' && (context.activity.attachments ?? []).some((a) => a.contentType === TEAMS_FILE);
}

/** A CSV sent in personal chat: downloaded, read, every row checked, then a plan or the problems. */
export function salespeopleImport(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const locale = localeFor(context);
    const say = async (text: string) => void (await context.sendActivity(text));
    const card = async (value: AdaptiveCardJson) => void (await context.sendActivity(MessageFactory.attachment(cardAttachment(value))));
    if (!isPersonalChat(context)) return say(t(locale, 'spImportNotPersonal'));
    const attachment = (context.activity.attachments ?? []).find((a) => a.contentType === TEAMS_FILE)!;
    const content = (attachment.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
    const name = String(attachment.name ?? '').slice(0, 120);
    if (typeof content.downloadUrl !== 'string' || !(String(content.fileType).toLowerCase() === 'csv' || /\.csv$/i.test(name))) return say(t(locale, 'spImportNotCsv'));
    const session = inPart3(state);
    if (!session) return say(t(locale, 'spNoSession'));

    const report = async (problems: CsvProblem[], rows: number) => {
      const record = await services.salespeople.imports.create({ conversationId: context.activity.conversation.id, name, rows, problems });
      await card(importCard(record, 0, locale));
    };
    const download = await services.salespeople.download(content.downloadUrl);
    if (!download.ok) {
      if (download.problem === 'tooLarge') return report([{ key: 'csvFileTooLarge', vars: { size: 'over 1 MB' } }], 0);
      return say(download.problem === 'host' ? t(locale, 'spImportHost') : t(locale, 'spImportDownloadFailed', { reason: download.detail ?? '' }));
    }
    const read = readAdminCenterCsv(download.bytes);
    if (!read.ok) return report([read.problem], 0);
    const checked = checkRows(read.rows, await services.salespeople.importFacts(candidateUpns(read.rows)));
    if (checked.problems.length > 0) return report(checked.problems, read.rows.length);

    const environment = environmentOf(services, session);
    const planEnvironment = { dataverseUrl: environment.dataverseUrl, bapEnvironmentId: environment.bapEnvironmentId, bcEnvironment: environment.bcEnvironment, bcCompanyId: environment.bcCompanyId };
    const facts = await services.salespeople.planningFacts(planEnvironment);
    // No role has a known name: the admin picks it first (remembered), then sends the file again.
    if (!facts.salespersonRole && facts.roleChoices && facts.roleChoices.length > 0) return card(rolePickerCard(facts, locale));
    const result = planImportedUsers(checked.users, { environment: planEnvironment, ...facts, usageLocation: '' });
    if (!result.ok) return say(t(locale, result.refusal.key, result.refusal.vars));
    const plan = await createPlan(services, context, 'salespeople', planEnvironment, result.actions);
    applyEvent(state, { type: 'salespeoplePlanned', planId: plan.id });
    await say(t(locale, 'spImportValid', { rows: checked.users.length, name }));
    await card(await planCardFor(services, context, plan));
  };
}
