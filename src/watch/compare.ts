import type { HealthReport } from '../provisioning/observe/healthReport';

/**
 * What a watch keeps of a health check between runs, and how two of them compare: pure functions
 * over plain data.
 *
 * A snapshot keeps, per check, only what tells "worse" from "not worse": whether it passed, how
 * many it found wanting, and which (by a stable key such as a salesperson's code or a user's
 * sign-in name). The words and fix buttons come from the report of the run that posts.
 */

export type WatchRowState = 'pass' | 'fail' | 'unknown';

export interface WatchRow {
  /** The check's stable id (the same check has the same id in every run). */
  id: string;
  state: WatchRowState;
  /** How many the check found wanting (a failing row with a count). */
  count?: number;
  /** Who or what the check found wanting, by stable keys; at most MAX_SUBJECTS are kept. */
  subjects?: string[];
}

export interface WatchSnapshot {
  rows: WatchRow[];
}

/** Kept per row: enough to name the newcomers of a normal day, bounded for a bad one. */
export const MAX_SUBJECTS = 200;

export type DriftKind =
  /** A check that passed now fails. */
  | 'nowFails'
  /** A failing check that was not there, or could not be read, before. */
  | 'newFailing'
  /** A failing check found more wanting than before. */
  | 'grew'
  /** A failing check found others wanting than before (as many or fewer, but someone new). */
  | 'newSubjects';

export interface DriftItem {
  id: string;
  kind: DriftKind;
  before?: number;
  after?: number;
  /** Subjects wanting now that were not before. */
  added: string[];
}

/** The worsenings from `previous` to `current`, in `current`'s row order; empty when nothing got worse. */
export function compareSnapshots(previous: WatchSnapshot, current: WatchSnapshot): DriftItem[] {
  const before = new Map(previous.rows.map((row) => [row.id, row]));
  const drift: DriftItem[] = [];
  for (const row of current.rows) {
    if (row.state !== 'fail') continue;
    const was = before.get(row.id);
    const added = newSubjects(was, row);
    if (!was || was.state === 'unknown') {
      drift.push({ id: row.id, kind: 'newFailing', after: row.count, added });
    } else if (was.state === 'pass') {
      drift.push({ id: row.id, kind: 'nowFails', before: was.count, after: row.count, added });
    } else if ((row.count ?? 0) > (was.count ?? 0)) {
      drift.push({ id: row.id, kind: 'grew', before: was.count ?? 0, after: row.count, added });
    } else if (added.length > 0) {
      drift.push({ id: row.id, kind: 'newSubjects', before: was.count, after: row.count, added });
    }
  }
  return drift;
}

/** Subjects of a failing row that the row before did not list (all of them when it passed or was absent). */
function newSubjects(was: WatchRow | undefined, row: WatchRow): string[] {
  const now = row.subjects ?? [];
  if (!was || was.state !== 'fail') return [...now];
  // A previous list cut at MAX_SUBJECTS cannot say who is new beyond it.
  if ((was.subjects?.length ?? 0) >= MAX_SUBJECTS) return [];
  const seen = new Set(was.subjects ?? []);
  return now.filter((subject) => !seen.has(subject));
}

/**
 * What the next run compares against: the current rows, except that a check which could not be
 * read this time keeps what it was (a service that did not answer is not news, nor is its return).
 */
export function nextBaseline(previous: WatchSnapshot, current: WatchSnapshot): WatchSnapshot {
  const before = new Map(previous.rows.map((row) => [row.id, row]));
  const rows = current.rows.map((row) => (row.state === 'unknown' ? (before.get(row.id) ?? row) : row));
  return { rows: rows.map((row) => (row.subjects ? { ...row, subjects: [...row.subjects].sort().slice(0, MAX_SUBJECTS) } : row)) };
}

/** What a watch keeps of a health report: per row, its id, state, count and subjects. */
export function snapshotOf(report: Pick<HealthReport, 'rows'>): WatchSnapshot {
  return {
    rows: report.rows.map((row) => ({
      id: row.id,
      state: row.state,
      ...(row.count !== undefined ? { count: row.count } : {}),
      // Every problem the row found, by a stable string ("noAccount:KH"): a new one is news even when the count stays.
      ...(row.findings ?? row.subjects ? { subjects: [...(row.findings ?? row.subjects ?? [])] } : {}),
    })),
  };
}
