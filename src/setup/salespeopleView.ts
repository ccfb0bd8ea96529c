import type { GroupLicensingFacts } from './groupLicensing';
import type { SkuInfo } from './adminPlanner';
import type { CsvFile, CsvLeftOut } from './csvExport';
import type { CsvProblem } from './csvImport';
import type { EnvironmentSecurityGroup } from './plan';
import type { RoleChoice } from './roles';
import { countByStatus, isSelectable, SALESPERSON_STATUSES, type SalespeopleFacts, type SalespersonRow, type SalespersonStatus, type StatusCounts } from './salespeopleMatch';
import type { CouplingPrediction } from './couplingPrediction';

/**
 * The salespeople list as the admin browses it, pure: a filter (status and free text), pages,
 * and a selection that is "everyone who needs work" until the admin picks by hand.
 */

export const PAGE_SIZE = 20;

export type StatusFilter = 'all' | 'needsWork' | SalespersonStatus;
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', 'needsWork', ...SALESPERSON_STATUSES];

export interface ViewFilter {
  status: StatusFilter;
  /** Matched (ignoring case) against code, name and e-mail. */
  search: string;
}

export type Selection = { mode: 'allMissing' } | { mode: 'picked'; ids: string[] };

export const NEEDS_WORK: ReadonlySet<SalespersonStatus> = new Set(['noAccount', 'unlicensed', 'notInSales', 'noRole', 'ready']);

export function filterRows(rows: SalespersonRow[], filter: ViewFilter): SalespersonRow[] {
  const search = filter.search.trim().toLowerCase();
  if (filter.status === 'all' && !search) return rows;
  const lowered = search ? derived(rows).lowered : undefined;
  return rows.filter((row, i) => {
    if (filter.status === 'needsWork' ? !NEEDS_WORK.has(row.status) : filter.status !== 'all' && row.status !== filter.status) return false;
    if (!lowered) return true;
    return lowered[i].some((value) => value.includes(search));
  });
}

/**
 * What every card action needs of a list and is the same for the whole observation: computed
 * once per rows array (a view's rows never change; a new observation has new rows), not for
 * each of thousands of rows on every click.
 */
interface Derived {
  counts: StatusCounts;
  /** Rows with an issue that still need work (shown as their own count). */
  issues: number;
  /** Code, name and e-mail, lower-cased, per row. */
  lowered: [string, string, string][];
  /** The ids of the rows that can be planned, with and without a coupling. */
  selectable: { coupling: ReadonlySet<string>; without: ReadonlySet<string> };
}

const DERIVED = new WeakMap<SalespersonRow[], Derived>();

function derived(rows: SalespersonRow[]): Derived {
  let found = DERIVED.get(rows);
  if (!found) {
    found = {
      counts: countByStatus(rows),
      issues: rows.filter((r) => r.issue && r.status !== 'blocked' && r.status !== 'coupled').length,
      lowered: rows.map((row) => [row.code.toLowerCase(), row.displayName.toLowerCase(), row.email.toLowerCase()]),
      selectable: {
        coupling: new Set(rows.filter((row) => isSelectable(row, true)).map((row) => row.id)),
        without: new Set(rows.filter((row) => isSelectable(row, false)).map((row) => row.id)),
      },
    };
    DERIVED.set(rows, found);
  }
  return found;
}

/** Salespeople per status, and how many who need work are held up by an issue. */
export function listCounts(rows: SalespersonRow[]): { counts: StatusCounts; issues: number } {
  const { counts, issues } = derived(rows);
  return { counts: { ...counts }, issues };
}

export interface Page<T> {
  items: T[];
  /** 0-based, clamped to the pages there are. */
  page: number;
  pages: number;
  total: number;
}

export function pageOf<T>(items: T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  return { items: items.slice(at * size, (at + 1) * size), page: at, pages, total: items.length };
}

/** The ids of the rows that can be planned. */
function selectableIds(rows: SalespersonRow[], couplingAvailable: boolean): ReadonlySet<string> {
  const { selectable } = derived(rows);
  return couplingAvailable ? selectable.coupling : selectable.without;
}

/** The ids the selection stands for, among the rows that can be planned. */
export function selectedIds(rows: SalespersonRow[], selection: Selection, couplingAvailable: boolean): ReadonlySet<string> {
  const selectable = selectableIds(rows, couplingAvailable);
  if (selection.mode === 'allMissing') return selectable;
  return new Set(selection.ids.filter((id) => selectable.has(id)));
}

/**
 * The admin's ticks on one page: ids shown on the page but not ticked leave the selection, ticked
 * ones join it; ids from elsewhere stay as they were. Unknown ids are ignored.
 */
export function applyPagePicks(
  rows: SalespersonRow[],
  selection: Selection,
  couplingAvailable: boolean,
  shown: string[],
  ticked: string[],
): Selection {
  const current = selectedIds(rows, selection, couplingAvailable);
  const known = selectableIds(rows, couplingAvailable);
  const shownSet = new Set(shown.filter((id) => known.has(id)));
  const tickedSet = new Set(ticked.filter((id) => shownSet.has(id)));
  const unchanged = [...shownSet].every((id) => current.has(id) === tickedSet.has(id));
  if (unchanged) return selection;
  const next = new Set([...current].filter((id) => !shownSet.has(id)));
  for (const id of tickedSet) next.add(id);
  return { mode: 'picked', ids: rows.filter((row) => next.has(row.id)).map((row) => row.id) };
}

/** What Part 3 knows of the tenant, as observed (read in bulk by the provisioning layer). */
export interface SalespeopleObservation {
  company: { id: string; name: string };
  facts: SalespeopleFacts;
  skus: SkuInfo[];
  /** The root business unit's Salesperson role: a known name, or the admin's choice (absent: to be picked). */
  salespersonRole?: RoleChoice;
  /** How it was found: by a known name, or the admin's remembered choice. */
  salespersonRoleVia?: 'template' | 'name' | 'chosen';
  /** When no role could be resolved: the root business unit's roles the admin picks from. */
  roleChoices?: RoleChoice[];
  /** The organisation's country (ISO 3166 alpha-2), the default usage location. */
  country: string | null;
  /** The coupling endpoint's root for this tenant and environment, when configured. */
  couplingEndpoint?: string;
  /** The environment's security group and which of the salespeople's accounts are not in it. */
  securityGroup?: EnvironmentSecurityGroup | null;
  /** What licensing through a group needs to know (Entra ID P1/P2, the licence group by name). */
  groupLicensing?: GroupLicensingFacts;
}

/** A conversation's salespeople list: the last observation and how the admin is looking at it. */
export interface SalespeopleView {
  conversationId: string;
  environmentKey: string;
  /**
   * Names one observation: `observedAt`, `observation`, `rows` and `coupling` are what was read
   * then, and never change under this id (a new observation gets a new id).
   */
  observationId: string;
  observedAt: string;
  observation: Omit<SalespeopleObservation, 'facts'>;
  rows: SalespersonRow[];
  selection: Selection;
  filter: ViewFilter;
  page: number;
  usageLocation: string;
  couple: boolean;
  /** How the plan licenses: through a group (the default where it can be used) or per user. */
  licensing?: 'group' | 'perUser';
  /** The licence group's name (found by name, created when there is none). */
  licenceGroup?: string;
  /** Without a coupling endpoint: what Business Central's Match-Based Coupling will do (couplingPrediction.ts). */
  coupling?: CouplingPrediction[];
}

export interface CsvExportRecord {
  id: string;
  conversationId: string;
  createdAt: string;
  files: CsvFile[];
  leftOut: CsvLeftOut[];
  /** Selected salespeople left out because they already have an account. */
  withAccount: number;
}

export interface CsvImportRecord {
  id: string;
  conversationId: string;
  createdAt: string;
  name: string;
  rows: number;
  problems: CsvProblem[];
}

/** The licensing mode a view plans with: the admin's choice, else through a group wherever the tenant can use one. */
export function licensingMode(view: Pick<SalespeopleView, 'licensing' | 'observation'>): 'group' | 'perUser' {
  return view.licensing ?? (view.observation.groupLicensing?.entraPremium ? 'group' : 'perUser');
}
