import type { StringKey } from '../../i18n';
import type { Detail } from '../../setup/overview';

/**
 * The integration's health as one report: a row per check, each passing, failing or not known
 * (it could not be read), with its text as a catalogue key and parameters, so it is rendered in
 * the reader's language; a failing row carries its fix, either a plan the bot can make (approved like
 * any other plan) or the steps an admin takes in Business Central or an admin center.
 */

export type HealthState = 'pass' | 'fail' | 'unknown';

export type HealthFix =
  /** A plan the bot makes for this check; `verb` is the card action that prepares it. */
  | { kind: 'plan'; verb: 'health.fix' | 'setup.goto'; data?: Record<string, string> }
  /**
   * Steps the admin takes by hand, with the page to open (a deep link where there is one). `page`:
   * the Business Central page the steps are on (named on the card when there is no link, on premises).
   */
  | { kind: 'steps'; key: StringKey; vars?: Record<string, string | number>; link?: string; page?: number };

export interface HealthRow {
  /** Stable across releases: what the watch compares from one run to the next (setup/health.ts HEALTH_CHECKS). */
  id: string;
  state: HealthState;
  key: StringKey;
  /** Values of `key` (names from the tenant as they are; lists and per-language texts as setup/overview's Detail). */
  vars?: Detail['vars'];
  /** Further lines after the first (Part 3 has one per status). */
  more?: Detail[];
  /** A measure the watch compares when the state stays the same (e.g. salespeople without an account). */
  count?: number;
  /** Who a failing row is about (user principal names, salesperson codes), at most a few. */
  subjects?: string[];
  /**
   * Every problem the row found, as stable strings ("noAccount:KH", "member:<systemuserid>"): a
   * finding the previous report lacked is a change for the worse.
   */
  findings?: string[];
  fix?: HealthFix;
}

export interface HealthReport {
  /** ISO time the checks were read. */
  at: string;
  /** Which environment (see environmentKey). */
  environmentKey: string;
  rows: HealthRow[];
  /** What was checked, as people read it (the status card's facts). */
  labels?: { tenant: string; salesEnvironment: string; businessCentral: string };
}

/** Findings in `current` that `previous` did not have, per row id: what got worse since. */
export function newFindings(previous: HealthReport | undefined, current: HealthReport): Record<string, string[]> {
  const before = new Map((previous?.rows ?? []).map((row) => [row.id, new Set(row.findings ?? [])]));
  const out: Record<string, string[]> = {};
  for (const row of current.rows) {
    const seen = before.get(row.id) ?? new Set<string>();
    const fresh = (row.findings ?? []).filter((f) => !seen.has(f));
    if (fresh.length > 0) out[row.id] = fresh;
  }
  return out;
}
