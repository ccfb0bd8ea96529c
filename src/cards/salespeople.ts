import { t, type Locale, type StringKey } from '../i18n';
import type { CsvExportRecord, CsvImportRecord, SalespeopleView } from '../setup/salespeopleView';
import { countryName } from '../setup/csvCountries';
import { isSelectable, SALESPERSON_STATUSES, type SalespersonIssue, type SalespersonNote, type SalespersonRow, type SalespersonStatus } from '../setup/salespeopleMatch';
import { filterRows, licensingMode, listCounts, pageOf, selectedIds, STATUS_FILTERS, type StatusFilter } from '../setup/salespeopleView';
import { KNOWN_ROLE_NAMES } from '../setup/roles';
import { formatNumber } from './salespeoplePlan';
import { matchSectionData } from './couplingPrediction';
import { BC_CAPTIONS } from '../setup/bcCaptions';
import type { CouplingPrediction } from '../setup/couplingPrediction';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';

/** Card views of Part 3: the salespeople list, the export, the CSV as text, an import's problems. */

export const STATUS_LABEL: Record<SalespersonStatus, StringKey> = {
  noAccount: 'spStatusNoAccount',
  unlicensed: 'spStatusUnlicensed',
  notInSales: 'spStatusNotInSales',
  noRole: 'spStatusNoRole',
  ready: 'spStatusReady',
  coupled: 'spStatusCoupled',
  blocked: 'spStatusBlocked',
};

const ISSUE_TEXT: Record<SalespersonIssue, StringKey> = {
  noEmail: 'spIssueNoEmail',
  invalidEmail: 'spIssueInvalidEmail',
  domainNotVerified: 'spIssueDomainNotVerified',
  sharedEmail: 'spIssueSharedEmail',
  accountDisabled: 'spIssueAccountDisabled',
  salesUserDisabled: 'spIssueSalesUserDisabled',
  salesUserIntegration: 'spIssueSalesUserIntegration',
  salesUserApplication: 'spIssueSalesUserApplication',
  salesUserCoupled: 'spIssueSalesUserCoupled',
};

const NOTE_TEXT: Record<SalespersonNote, StringKey> = {
  salesUserUnlicensed: 'spNoteSalesUserUnlicensed',
};

const FILTER_LABEL: Record<StatusFilter, StringKey> = { all: 'spFilterAll', needsWork: 'spFilterNeedsWork', ...STATUS_LABEL };

/** Choice titles are plain text, not markdown: only invisible and control characters are removed. */
const plain = (text: string) => text.replace(/[\u0000-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '').trim();

function pairOf(row: SalespersonRow): string | undefined {
  const user = row.status === 'coupled' ? (row.coupledTo?.userPrincipalName ?? row.coupledTo?.systemUserId) : row.status === 'ready' ? row.sales?.userPrincipalName : undefined;
  return user ? `${row.code} ↔ ${user}` : undefined;
}

function describe(row: SalespersonRow, locale: Locale): string {
  const pair = pairOf(row);
  const issue = row.issue ? `: ${t(locale, ISSUE_TEXT[row.issue])}` : row.note ? `: ${t(locale, NOTE_TEXT[row.note])}` : '';
  return `${t(locale, STATUS_LABEL[row.status])}${pair ? ` (${pair})` : ''}${issue}`;
}

export interface SalespeopleCardInput {
  view: SalespeopleView;
  couplingConfigured: boolean;
  /** Deep link to Business Central page 7209 "Couple Dataverse Users with Salespersons", when Business Central is online. */
  bcLink?: string;
  error?: string;
  /** Business Central's Match-Based Coupling as predicted when the salespeople were read (absent: not shown). */
  predictions?: CouplingPrediction[];
}

export function salespeopleCard(input: SalespeopleCardInput, locale: Locale): AdaptiveCardJson {
  return renderCard('salespeople', salespeopleCardData(input, locale), locale);
}

export function salespeopleCardData(input: SalespeopleCardInput, locale: Locale) {
  const { view, couplingConfigured } = input;
  const coupling = couplingConfigured && view.couple;
  const n = (value: number) => formatNumber(value, locale);
  const { counts, issues } = listCounts(view.rows);
  const page = pageOf(filterRows(view.rows, view.filter), view.page);
  const selected = selectedIds(view.rows, view.selection, coupling);
  const selectable = page.items.filter((row) => isSelectable(row, coupling));
  const others = page.items.filter((row) => !isSelectable(row, coupling));
  return {
    source: t(locale, 'spSource', { company: escapeMarkdown(view.observation.company.name), count: n(view.rows.length), time: `${view.observedAt.slice(0, 16).replace('T', ' ')} UTC` }),
    error: input.error ? escapeMarkdown(input.error) : '',
    counts: [
      ...SALESPERSON_STATUSES.map((status) => ({ title: t(locale, STATUS_LABEL[status]), value: n(counts[status]) })),
      ...(issues > 0 ? [{ title: t(locale, 'spCountIssues'), value: n(issues) }] : []),
    ],
    coupling: t(locale, couplingConfigured ? 'spCouplingEndpoint' : 'spCouplingManual'),
    statusChoices: STATUS_FILTERS.map((value) => ({ title: t(locale, FILTER_LABEL[value]), value })),
    filter: view.filter,
    pageText: t(locale, 'spPage', { page: page.page + 1, pages: page.pages, total: n(page.total) }),
    choices: selectable.map((row) => ({ title: plain(`${row.code} · ${row.displayName} · ${row.email} — ${describe(row, locale)}`), value: row.id })),
    pickedValue: selectable.filter((row) => selected.has(row.id)).map((row) => row.id).join(','),
    pageIds: selectable.map((row) => row.id).join(','),
    others: others.map((row) => `**${escapeMarkdown(row.code)}** ${escapeMarkdown(row.displayName)}${row.email ? ` · ${escapeMarkdown(row.email)}` : ''} — ${escapeMarkdown(describe(row, locale))}`),
    page: page.page,
    previous: page.page > 0 ? page.page - 1 : -1,
    next: page.page + 1 < page.pages ? page.page + 1 : -1,
    selectionText: t(locale, view.selection.mode === 'allMissing' ? 'spSelectionAll' : 'spSelectionPicked', { count: n(selected.size) }),
    usageLocation: view.usageLocation,
    couplingConfigured,
    couple: view.couple ? 'true' : 'false',
    bcLink: input.bcLink ?? '',
    licensing: licensingData(view, locale),
    couplingOpen: t(locale, 'spCouplingOpen', { page: BC_CAPTIONS.couplePage }),
    // Without a coupling endpoint the admin couples on page 7209: what BC's Match-Based Coupling will do.
    match: matchSectionData(couplingConfigured || !input.predictions ? undefined : { predictions: input.predictions, bcLink: input.bcLink }, locale),
    ...roleData(view.observation, locale),
  };
}

/** The licensing choice (group-based licensing), offered where the tenant has Entra ID P1 or P2. */
function licensingData(view: SalespeopleView, locale: Locale) {
  const facts = view.observation.groupLicensing;
  if (!facts?.entraPremium) return { on: false, available: '', mode: 'perUser', group: '' };
  return {
    on: true,
    available: t(locale, 'glAvailable', { premium: escapeMarkdown(facts.entraPremium) }),
    mode: licensingMode(view),
    group: view.licenceGroup ?? facts.name,
  };
}

/** The role salespeople get, or — when no role has a known name — the choice of the environment's roles. */
export function roleData(observation: Pick<SalespeopleView['observation'], 'salespersonRole' | 'salespersonRoleVia' | 'roleChoices'>, locale: Locale) {
  const role = observation.salespersonRole;
  const choices = observation.roleChoices ?? [];
  return {
    roleText: role ? t(locale, observation.salespersonRoleVia === 'chosen' ? 'spRoleUsedChosen' : 'spRoleUsed', { role: escapeMarkdown(role.name) }) : '',
    rolePicker: {
      on: !role && choices.length > 0,
      text: t(locale, 'spRolePickIntro', { names: KNOWN_ROLE_NAMES.salesperson.map(escapeMarkdown).join(' / ') }),
      choices: choices.map((r) => ({ title: plain(r.name), value: r.roleid })),
    },
  };
}

/** The picker alone, for a CSV import in an environment where no role has a known name. */
export function rolePickerCard(observation: Pick<SalespeopleView['observation'], 'salespersonRole' | 'roleChoices'>, locale: Locale, error?: string): AdaptiveCardJson {
  return renderCard('salespeopleRole', { ...roleData(observation, locale), error: error ? escapeMarkdown(error) : '' }, locale);
}

export function exportCard(record: CsvExportRecord, locale: Locale, notPersonal: boolean): AdaptiveCardJson {
  return renderCard('salespeopleExport', exportCardData(record, locale, notPersonal), locale);
}

export function exportCardData(record: CsvExportRecord, locale: Locale, notPersonal: boolean) {
  const notes: string[] = [];
  if (record.files.length > 0) notes.push(t(locale, notPersonal ? 'spExportNotPersonal' : 'spExportSent'));
  if (record.withAccount > 0) notes.push(t(locale, 'spExportSkipped', { count: formatNumber(record.withAccount, locale) }));
  for (const left of record.leftOut) notes.push(t(locale, 'spExportLeftOut', { user: escapeMarkdown(left.userName), column: left.column, limit: left.limit }));
  return {
    exportId: record.id,
    files: record.files.map((file, index) => ({
      index,
      text: t(locale, 'spExportFile', { name: escapeMarkdown(file.name), users: file.users, country: escapeMarkdown(countryName(file.country)) }),
    })),
    notes,
  };
}

/** Text small enough for one card: whole lines, at most this many UTF-8 bytes per part. */
const TEXT_PART_BYTES = 18_000;

export function textParts(content: string): string[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
  const parts: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (current.length > 0 && size + bytes > TEXT_PART_BYTES) {
      parts.push(current.join('\n'));
      current = [];
      size = 0;
    }
    current.push(line);
    size += bytes;
  }
  if (current.length > 0) parts.push(current.join('\n'));
  return parts;
}

export function csvTextCard(record: CsvExportRecord, fileIndex: number, part: number, locale: Locale): AdaptiveCardJson {
  return renderCard('salespeopleCsvText', csvTextCardData(record, fileIndex, part, locale), locale);
}

export function csvTextCardData(record: CsvExportRecord, fileIndex: number, part: number, locale: Locale) {
  const file = record.files[fileIndex];
  const parts = textParts(file.content);
  const at = Math.min(Math.max(0, part), parts.length - 1);
  return {
    title: t(locale, 'spExportTextTitle', { name: escapeMarkdown(file.name), part: at + 1, parts: parts.length }),
    help: t(locale, 'spExportTextHelp', { name: escapeMarkdown(file.name) }),
    parts: parts.length,
    text: parts[at],
    exportId: record.id,
    file: fileIndex,
    previous: at > 0 ? at - 1 : -1,
    next: at + 1 < parts.length ? at + 1 : -1,
  };
}

export const PROBLEMS_PER_PAGE = 30;

export function importCard(record: CsvImportRecord, page: number, locale: Locale): AdaptiveCardJson {
  return renderCard('salespeopleImport', importCardData(record, page, locale), locale);
}

export function importCardData(record: CsvImportRecord, page: number, locale: Locale) {
  const file = record.problems.find((p) => p.line === undefined);
  const problem = (p: CsvImportRecord['problems'][number]) => t(locale, p.key, Object.fromEntries(Object.entries(p.vars ?? {}).map(([k, v]) => [k, typeof v === 'string' ? escapeMarkdown(v) : v])));
  const pages = Math.max(1, Math.ceil(record.problems.length / PROBLEMS_PER_PAGE));
  const at = Math.min(Math.max(0, page), pages - 1);
  const shown = file ? [] : record.problems.slice(at * PROBLEMS_PER_PAGE, (at + 1) * PROBLEMS_PER_PAGE);
  return {
    title: t(locale, 'spImportTitle', { name: escapeMarkdown(record.name) }),
    summary: file
      ? t(locale, 'spImportFileProblem', { problem: problem(file) })
      : t(locale, 'spImportProblems', { count: formatNumber(record.problems.length, locale), rows: formatNumber(record.rows, locale) }),
    heading: file || pages === 1 ? '' : t(locale, 'spImportPage', { from: at * PROBLEMS_PER_PAGE + 1, to: at * PROBLEMS_PER_PAGE + shown.length, count: formatNumber(record.problems.length, locale) }),
    lines: shown.map((p) => t(locale, 'spImportLine', { line: p.line!, problem: problem(p) })),
    importId: record.id,
    previous: !file && at > 0 ? at - 1 : -1,
    next: !file && at + 1 < pages ? at + 1 : -1,
  };
}
