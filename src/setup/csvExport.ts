import { stringify } from 'csv-stringify/sync';
import { countryName } from './csvCountries';
import {
  ADMIN_CENTER_HEADER,
  FIELD_LIMITS,
  MAX_USERS_PER_FILE,
  cleanCell,
  emptyUser,
  neutraliseCell,
  type AdminCenterUser,
  type CsvColumn,
} from './csvFormat';

/**
 * The admin center's "Add multiple users" files, pure: one file per country or region, at most
 * 249 users each, the exact header, UTF-8, every field within its length, and no cell a
 * spreadsheet would run as a formula. A person a field does not fit is left out and named.
 */

export interface ExportPerson {
  /** The sign-in name the account gets (the salesperson's e-mail). */
  userName: string;
  displayName: string;
  jobTitle?: string;
  officePhone?: string;
  mobilePhone?: string;
  /** ISO 3166 alpha-2: the usage location; the file states the country's name. */
  country: string;
}

export interface CsvFile {
  /** e.g. salespeople-NO-1.csv */
  name: string;
  country: string;
  users: number;
  /** The file's text (UTF-8 with a byte order mark, CRLF line ends). */
  content: string;
}

export interface CsvLeftOut {
  userName: string;
  column: CsvColumn;
  limit: number;
}

export interface CsvExport {
  files: CsvFile[];
  leftOut: CsvLeftOut[];
}

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark. */
const BOM = '\uFEFF';

/** First name: every word but the last; last name: the last word. */
export function splitName(displayName: string): { first: string; last: string } {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { first: words[0] ?? '', last: '' };
  return { first: words.slice(0, -1).join(' '), last: words[words.length - 1] };
}

export function toAdminCenterUser(person: ExportPerson): AdminCenterUser {
  const displayName = cleanCell(person.displayName);
  const { first, last } = splitName(displayName);
  return {
    ...emptyUser(),
    'User Name': cleanCell(person.userName),
    'First Name': first,
    'Last Name': last,
    'Display Name': displayName,
    'Job Title': cleanCell(person.jobTitle),
    'Office Phone': cleanCell(person.officePhone),
    'Mobile Phone': cleanCell(person.mobilePhone),
    'Country or Region': countryName(person.country),
  };
}

/** The first column whose value is longer than the admin center accepts. */
export function tooLong(user: AdminCenterUser): CsvColumn | undefined {
  return ADMIN_CENTER_HEADER.find((column) => [...user[column]].length > FIELD_LIMITS[column]);
}

export function csvText(users: AdminCenterUser[]): string {
  const records = users.map((user) => ADMIN_CENTER_HEADER.map((column) => neutraliseCell(user[column])));
  return BOM + stringify([[...ADMIN_CENTER_HEADER], ...records], { record_delimiter: 'windows', quoted_match: /^\s|\s$/ });
}

export function buildAdminCenterFiles(people: ExportPerson[], prefix = 'salespeople'): CsvExport {
  const leftOut: CsvLeftOut[] = [];
  const byCountry = new Map<string, AdminCenterUser[]>();
  for (const person of people) {
    const user = toAdminCenterUser(person);
    const column = tooLong(user);
    if (column) {
      leftOut.push({ userName: user['User Name'], column, limit: FIELD_LIMITS[column] });
      continue;
    }
    const country = person.country.toUpperCase();
    const list = byCountry.get(country) ?? [];
    list.push(user);
    byCountry.set(country, list);
  }
  const files: CsvFile[] = [];
  for (const country of [...byCountry.keys()].sort()) {
    const users = byCountry.get(country)!;
    for (let start = 0, part = 1; start < users.length; start += MAX_USERS_PER_FILE, part++) {
      const chunk = users.slice(start, start + MAX_USERS_PER_FILE);
      files.push({ name: `${prefix}-${country}-${part}.csv`, country, users: chunk.length, content: csvText(chunk) });
    }
  }
  return { files, leftOut };
}
