import type { StringKey } from '../../i18n';

/**
 * The integration's health as one report: a row per check, each passing, failing or not known
 * (it could not be read), with its text as a catalogue key and parameters, so it is rendered in
 * the reader's language; a failing row carries its fix, either a plan the bot can make (approved like
 * any other plan) or the steps an admin takes in Business Central or an admin center.
 */

export type HealthState = 'pass' | 'fail' | 'unknown';

export type HealthFix =
  /** A plan the bot makes for this check; `verb` is the card action that prepares it. */
  | { kind: 'plan'; verb: string; data?: Record<string, string> }
  /** Steps the admin takes by hand, with the page to open (a deep link where there is one). */
  | { kind: 'steps'; key: StringKey; vars?: Record<string, string | number>; link?: string };

export interface HealthRow {
  /** Stable across releases: what the watch compares from one run to the next. */
  id: string;
  state: HealthState;
  key: StringKey;
  vars?: Record<string, string | number>;
  /** A measure the watch compares when the state stays the same (e.g. salespeople without an account). */
  count?: number;
  /** Who a failing row is about (user principal names, salesperson codes), at most a few. */
  subjects?: string[];
  fix?: HealthFix;
}

export interface HealthReport {
  /** ISO time the checks were read. */
  at: string;
  /** Which environment (see environmentKey). */
  environmentKey: string;
  rows: HealthRow[];
}
