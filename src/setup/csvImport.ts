import { parse } from 'csv-parse/sync';
import type { StringKey } from '../i18n';
import { countryCode } from './csvCountries';
import {
  ADMIN_CENTER_HEADER,
  FIELD_LIMITS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  restoreCell,
  type AdminCenterUser,
  type CsvColumn,
} from './csvFormat';
import { INVISIBLE, UPN_PATTERN } from './validation';

/**
 * Reading an "Add multiple users" file an admin sent, pure: the file as a whole first (size,
 * encoding, header, row count), then every row, so that every problem is reported at once and
 * nothing is planned from a file with any.
 */

export interface CsvProblem {
  /** The row in the file as a spreadsheet numbers it (the header is row 1); absent for the whole file. */
  line?: number;
  key: StringKey;
  vars?: Record<string, string | number>;
}

export interface ParsedRow {
  line: number;
  cells: string[];
}

export interface ImportedUser {
  line: number;
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  officeLocation?: string;
  businessPhones?: string[];
  mobilePhone?: string;
  faxNumber?: string;
  otherMails?: string[];
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country: string;
  /** ISO 3166 alpha-2, from Country or Region. */
  usageLocation: string;
}

/** What the tenant has that the rows are checked against. */
export interface ImportTenantFacts {
  verifiedDomains: string[];
  /** Lower-cased UPN → the existing account's UPN. */
  existingUpns: Map<string, string>;
  /** Lower-cased mail address → the UPN of the account that has it. */
  existingMails: Map<string, string>;
}

export type ReadResult = { ok: true; rows: ParsedRow[] } | { ok: false; problem: CsvProblem };

const HEADER_TEXT = ADMIN_CENTER_HEADER.join(',');
const upnPattern = new RegExp(UPN_PATTERN);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONES: ReadonlySet<CsvColumn> = new Set(['Office Phone', 'Mobile Phone', 'Fax']);

export function readAdminCenterCsv(bytes: Uint8Array): ReadResult {
  const fail = (key: StringKey, vars?: CsvProblem['vars']): ReadResult => ({ ok: false, problem: { key, vars } });
  if (bytes.byteLength === 0) return fail('csvFileEmpty');
  if (bytes.byteLength > MAX_IMPORT_BYTES) return fail('csvFileTooLarge', { size: `${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB` });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('csvFileNotUtf8');
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return fail('csvFileUnreadable', { line: line ?? '?' });
  }
  const header = records[0]?.map((cell) => cell.trim());
  if (!header || header.every((cell) => cell === '')) return fail('csvFileEmpty');
  if (header.length === 1 && header[0].includes(';')) return fail('csvFileSemicolons');
  if (header.join(',') !== HEADER_TEXT) return fail('csvFileHeader', { header: HEADER_TEXT, found: header.join(',').slice(0, 300) });
  // Rows are numbered as a spreadsheet shows them (a cell with a line break stays one row).
  const rows = records.slice(1).map((cells, i) => ({ line: i + 2, cells }));
  if (rows.length === 0) return fail('csvFileNoRows');
  if (rows.length > MAX_IMPORT_ROWS) return fail('csvFileTooManyRows', { rows: rows.length, max: MAX_IMPORT_ROWS });
  return { ok: true, rows };
}

function asUser(cells: string[]): AdminCenterUser {
  return Object.fromEntries(ADMIN_CENTER_HEADER.map((column, i) => [column, restoreCell((cells[i] ?? '').trim())])) as AdminCenterUser;
}

/** The User Name values worth looking up in the tenant (those with a valid form). */
export function candidateUpns(rows: ParsedRow[]): string[] {
  return rows.map((row) => asUser(row.cells)['User Name']).filter((upn) => upn.length <= FIELD_LIMITS['User Name'] && upnPattern.test(upn));
}

function cellProblems(line: number, user: AdminCenterUser): CsvProblem[] {
  const problems: CsvProblem[] = [];
  for (const column of ADMIN_CENTER_HEADER) {
    const value = user[column];
    if (/[\u0000-\u001F\u007F]/.test(value)) problems.push({ line, key: 'csvRowControl', vars: { column } });
    else if (INVISIBLE.test(value)) problems.push({ line, key: 'csvRowInvisible', vars: { column } });
    else if (/^[=@]/.test(value) || (!PHONES.has(column) && /^[+-]/.test(value))) {
      problems.push({ line, key: 'csvRowFormula', vars: { column, start: value[0] } });
    }
    const length = [...value].length;
    if (length > FIELD_LIMITS[column]) problems.push({ line, key: 'csvRowTooLong', vars: { column, length, limit: FIELD_LIMITS[column] } });
  }
  for (const column of ['User Name', 'Display Name', 'Country or Region'] as const) {
    if (user[column] === '') problems.push({ line, key: 'csvRowRequired', vars: { column } });
  }
  return problems;
}

function upnProblems(line: number, upn: string, facts: ImportTenantFacts): CsvProblem[] {
  if (upn === '' || [...upn].length > FIELD_LIMITS['User Name']) return [];
  if (!upnPattern.test(upn)) return [{ line, key: 'csvRowUpnInvalid', vars: { value: upn } }];
  const domain = upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
  if (!facts.verifiedDomains.includes(domain)) {
    return [{ line, key: 'csvRowUpnDomain', vars: { value: upn, domain, domains: facts.verifiedDomains.join(', ') } }];
  }
  const existing = facts.existingUpns.get(upn.toLowerCase());
  if (existing) return [{ line, key: 'csvRowExistsInTenant', vars: { value: upn } }];
  const owner = facts.existingMails.get(upn.toLowerCase());
  if (owner) return [{ line, key: 'csvRowMailInTenant', vars: { value: upn, user: owner } }];
  return [];
}

const optional = (value: string) => (value === '' ? undefined : value);

function toImported(line: number, user: AdminCenterUser, usageLocation: string): ImportedUser {
  return {
    line,
    userPrincipalName: user['User Name'],
    displayName: user['Display Name'],
    givenName: optional(user['First Name']),
    surname: optional(user['Last Name']),
    jobTitle: optional(user['Job Title']),
    department: optional(user.Department),
    officeLocation: optional(user['Office Number']),
    businessPhones: user['Office Phone'] ? [user['Office Phone']] : undefined,
    mobilePhone: optional(user['Mobile Phone']),
    faxNumber: optional(user.Fax),
    otherMails: user['Alternate email address'] ? [user['Alternate email address']] : undefined,
    streetAddress: optional(user.Address),
    city: optional(user.City),
    state: optional(user['State or Province']),
    postalCode: optional(user['ZIP or Postal Code']),
    country: user['Country or Region'],
    usageLocation,
  };
}

/** Every row checked; the users only when no row has a problem. Problems are in line order. */
export function checkRows(rows: ParsedRow[], facts: ImportTenantFacts): { users: ImportedUser[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const users: ImportedUser[] = [];
  const seenUpn = new Map<string, number>();
  const seenAlias = new Map<string, number>();
  for (const { line, cells } of rows) {
    if (cells.length !== ADMIN_CENTER_HEADER.length) {
      problems.push({ line, key: 'csvRowColumns', vars: { found: cells.length, expected: ADMIN_CENTER_HEADER.length } });
      continue;
    }
    const user = asUser(cells);
    const rowProblems = [...cellProblems(line, user), ...upnProblems(line, user['User Name'], facts)];
    const upn = user['User Name'].toLowerCase();
    if (upn) {
      const first = seenUpn.get(upn);
      if (first !== undefined) rowProblems.push({ line, key: 'csvRowDuplicateInFile', vars: { value: user['User Name'], other: first } });
      else {
        seenUpn.set(upn, line);
        const alias = upn.split('@')[0];
        const aliasLine = seenAlias.get(alias);
        if (aliasLine !== undefined) rowProblems.push({ line, key: 'csvRowAliasInFile', vars: { alias, other: aliasLine } });
        else seenAlias.set(alias, line);
      }
    }
    const alternate = user['Alternate email address'];
    if (alternate && !EMAIL.test(alternate)) rowProblems.push({ line, key: 'csvRowEmailInvalid', vars: { value: alternate } });
    const country = user['Country or Region'];
    const code = country ? countryCode(country) : undefined;
    if (country && !code) rowProblems.push({ line, key: 'csvRowCountryUnknown', vars: { value: country } });
    problems.push(...rowProblems);
    if (rowProblems.length === 0 && code) users.push(toImported(line, user, code));
  }
  return problems.length > 0 ? { users: [], problems } : { users, problems };
}
