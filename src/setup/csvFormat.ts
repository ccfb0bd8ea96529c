/**
 * The Microsoft 365 admin center's "Add multiple users" CSV (DOMAIN.md §4): its exact header,
 * limits and field lengths, and the cell rule that keeps spreadsheet programs from running a
 * cell as a formula. Shared by the export and the import.
 */

export const ADMIN_CENTER_HEADER = [
  'User Name',
  'First Name',
  'Last Name',
  'Display Name',
  'Job Title',
  'Department',
  'Office Number',
  'Office Phone',
  'Mobile Phone',
  'Fax',
  'Alternate email address',
  'Address',
  'City',
  'State or Province',
  'ZIP or Postal Code',
  'Country or Region',
] as const;

export type CsvColumn = (typeof ADMIN_CENTER_HEADER)[number];

/** One user as the file describes it; every value is the text of its cell. */
export type AdminCenterUser = Record<CsvColumn, string>;

/** The wizard applies one location per file and takes at most 249 users (250 rows with the header). */
export const MAX_USERS_PER_FILE = 249;
export const MAX_IMPORT_ROWS = 5000;
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** Longest value the admin center (and Microsoft Entra ID behind it) accepts per column. */
export const FIELD_LIMITS: Record<CsvColumn, number> = {
  'User Name': 79,
  'First Name': 64,
  'Last Name': 64,
  'Display Name': 256,
  'Job Title': 64,
  Department: 64,
  'Office Number': 128,
  'Office Phone': 64,
  'Mobile Phone': 64,
  Fax: 64,
  'Alternate email address': 256,
  Address: 1024,
  City: 128,
  'State or Province': 128,
  'ZIP or Postal Code': 40,
  'Country or Region': 128,
};

export function emptyUser(): AdminCenterUser {
  return Object.fromEntries(ADMIN_CENTER_HEADER.map((column) => [column, ''])) as AdminCenterUser;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell that starts with = + - @, a tab or a carriage return is prefixed with an apostrophe, so
 * Excel and other spreadsheet programs show it as text instead of evaluating it (Excel hides the
 * apostrophe and drops it when the file is saved again).
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The reverse of neutraliseCell, for files this product wrote. */
export function restoreCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** Line breaks, tabs and other control characters become spaces; the result is trimmed. */
export function cleanCell(value: string | null | undefined): string {
  return (value ?? '').replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
}
