import { stringify } from 'csv-stringify/sync';
import { candidateUpns, checkRows, readAdminCenterCsv, type ImportTenantFacts } from '../../src/setup/csvImport';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { buildAdminCenterFiles } from '../../src/setup/csvExport';

const facts: ImportTenantFacts = {
  verifiedDomains: ['contoso.no'],
  existingUpns: new Map([['kari@contoso.no', 'kari@contoso.no']]),
  existingMails: new Map(),
};
const bytes = (text: string) => Buffer.from(text, 'utf8');
const file = (...rows: string[][]) => bytes(stringify([[...ADMIN_CENTER_HEADER], ...rows]));
const row = (upn: string, display = 'Ny Selger', country = 'Norway') => ADMIN_CENTER_HEADER.map((c) => (c === 'User Name' ? upn : c === 'Display Name' ? display : c === 'Country or Region' ? country : ''));

describe('reading an admin center file', () => {
  it('reads back what the export wrote, with the apostrophe it added removed', () => {
    const { files } = buildAdminCenterFiles([{ userName: 'ola@contoso.no', displayName: 'Ola Nordmann', officePhone: '+47 22 00 10 11', country: 'NO' }]);
    const read = readAdminCenterCsv(bytes(files[0].content));
    if (!read.ok) throw new Error(read.problem.key);
    const { users, problems } = checkRows(read.rows, facts);
    expect(problems).toEqual([]);
    expect(users).toEqual([
      expect.objectContaining({ line: 2, userPrincipalName: 'ola@contoso.no', givenName: 'Ola', surname: 'Nordmann', businessPhones: ['+47 22 00 10 11'], country: 'Norway', usageLocation: 'NO' }),
    ]);
  });

  it.each([
    ['an empty file', bytes(''), 'csvFileEmpty'],
    ['only blank lines', bytes('\r\n\r\n'), 'csvFileEmpty'],
    ['semicolons', bytes('User Name;Display Name\r\na@contoso.no;A\r\n'), 'csvFileSemicolons'],
    ['another header', bytes('Username,Display Name\r\n'), 'csvFileHeader'],
    ['a header only', file(), 'csvFileNoRows'],
    ['Latin-1 text', Buffer.from([0x55, 0x73, 0xe6, 0x72]), 'csvFileNotUtf8'],
    ['an unclosed quote', bytes(`${ADMIN_CENTER_HEADER.join(',')}\r\n"a@contoso.no,b\r\n`), 'csvFileUnreadable'],
    ['more than 1 MB', Buffer.alloc(1024 * 1024 + 1, 0x61), 'csvFileTooLarge'],
    ['more than 5,000 users', file(...Array.from({ length: 5001 }, (_, i) => row(`s${i}@contoso.no`))), 'csvFileTooManyRows'],
  ])('refuses %s as a whole', (_name, content, key) => {
    const read = readAdminCenterCsv(content);
    expect(read.ok ? 'read' : read.problem.key).toBe(key);
  });

  it('accepts 5,000 users and a byte order mark', () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), file(...Array.from({ length: 5000 }, (_, i) => row(`s${i}@contoso.no`)))]);
    const read = readAdminCenterCsv(content);
    expect(read.ok && read.rows.length).toBe(5000);
  });

  it('reports every problem of every row, in row order, and plans nobody', () => {
    const read = readAdminCenterCsv(
      file(row('ok@contoso.no'), row('kari@contoso.no'), row('x@elsewhere.no'), row('', ''), row('OK@contoso.no'), row('ny@contoso.no', '=1+1', 'Narnia')),
    );
    if (!read.ok) throw new Error(read.problem.key);
    expect(candidateUpns(read.rows)).toEqual(['ok@contoso.no', 'kari@contoso.no', 'x@elsewhere.no', 'OK@contoso.no', 'ny@contoso.no']);
    const { users, problems } = checkRows(read.rows, facts);
    expect(users).toEqual([]);
    expect(problems.map((p) => [p.line, p.key])).toEqual([
      [3, 'csvRowExistsInTenant'],
      [4, 'csvRowUpnDomain'],
      [5, 'csvRowRequired'],
      [5, 'csvRowRequired'],
      [6, 'csvRowDuplicateInFile'],
      [7, 'csvRowFormula'],
      [7, 'csvRowCountryUnknown'],
    ]);
    expect(problems[4].vars).toEqual({ value: 'OK@contoso.no', other: 2 });
  });

  it('numbers rows as a spreadsheet does, also after a cell with a line break', () => {
    const read = readAdminCenterCsv(file(row('a@contoso.no', 'Two\nlines'), row('b@contoso.no', '')));
    if (!read.ok) throw new Error(read.problem.key);
    expect(checkRows(read.rows, facts).problems.map((p) => [p.line, p.key])).toEqual([
      [2, 'csvRowControl'],
      [3, 'csvRowRequired'],
    ]);
  });
});
