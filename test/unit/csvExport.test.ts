import { parse } from 'csv-parse/sync';
import { buildAdminCenterFiles, splitName, type ExportPerson } from '../../src/setup/csvExport';
import { ADMIN_CENTER_HEADER, neutraliseCell, restoreCell } from '../../src/setup/csvFormat';
import { countryCode, countryName, isCountryCode } from '../../src/setup/csvCountries';

const HEADER =
  'User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,Mobile Phone,Fax,Alternate email address,Address,City,State or Province,ZIP or Postal Code,Country or Region';

const person = (i: number, country = 'NO', extra: Partial<ExportPerson> = {}): ExportPerson => ({ userName: `s${i}@contoso.no`, displayName: `Selger ${i}`, country, ...extra });
const records = (content: string) => parse(content, { bom: true }) as string[][];

describe('the admin center file', () => {
  it('starts with exactly the header the admin center expects, as UTF-8 with a byte order mark', () => {
    expect(ADMIN_CENTER_HEADER.join(',')).toBe(HEADER);
    const [file] = buildAdminCenterFiles([person(1, 'NO', { displayName: 'Bjørn Ødegård' })]).files;
    expect(file.content.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    expect(Buffer.from(file.content, 'utf8').toString('utf8')).toContain('Bjørn Ødegård');
  });

  it('splits at 249 users and by country or region, one location per file', () => {
    const people = [...Array.from({ length: 500 }, (_, i) => person(i, 'NO')), ...Array.from({ length: 3 }, (_, i) => person(1000 + i, 'se'))];
    const { files } = buildAdminCenterFiles(people);
    expect(files.map((f) => [f.name, f.users])).toEqual([
      ['salespeople-NO-1.csv', 249],
      ['salespeople-NO-2.csv', 249],
      ['salespeople-NO-3.csv', 2],
      ['salespeople-SE-1.csv', 3],
    ]);
    for (const file of files) {
      const rows = records(file.content).slice(1);
      expect(rows).toHaveLength(file.users);
      expect(new Set(rows.map((r) => r[15]))).toEqual(new Set([countryName(file.country)]));
    }
    expect(records(files[3].content)[1][15]).toBe('Sweden');
  });

  it('neutralises every cell a spreadsheet would run, and keeps quotes and commas intact', () => {
    const { files } = buildAdminCenterFiles([
      person(1, 'NO', { displayName: '=HYPERLINK("http://evil.example","x")', jobTitle: '@SUM(A1)', officePhone: '+47 22 00 10 11', mobilePhone: '-1' }),
      person(2, 'NO', { displayName: "O'Brien, Ola \"the\" seller" }),
      person(3, 'NO', { displayName: '\tTabbed', jobTitle: '\rReturn' }),
    ]);
    const rows = records(files[0].content).slice(1);
    expect(rows[0][3]).toBe('\'=HYPERLINK("http://evil.example","x")');
    expect(rows[0][4]).toBe("'@SUM(A1)");
    expect(rows[0][7]).toBe("'+47 22 00 10 11");
    expect(rows[0][8]).toBe("'-1");
    expect(rows[1][3]).toBe("O'Brien, Ola \"the\" seller");
    expect(rows[2][3]).toBe('Tabbed'); // control characters are not written at all
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(restoreCell(neutraliseCell('+47 1'))).toBe('+47 1');
    expect(restoreCell("'plain")).toBe("'plain");
  });

  it('leaves out, and names, a person a field does not fit', () => {
    const { files, leftOut } = buildAdminCenterFiles([person(1), person(2, 'NO', { userName: `${'a'.repeat(70)}@contoso.no` }), person(3, 'NO', { jobTitle: 'x'.repeat(65) })]);
    expect(files[0].users).toBe(1);
    expect(leftOut).toEqual([
      { userName: `${'a'.repeat(70)}@contoso.no`, column: 'User Name', limit: 79 },
      { userName: 's3@contoso.no', column: 'Job Title', limit: 64 },
    ]);
  });

  it('splits a display name into first and last name', () => {
    expect(splitName('Ola Nordmann')).toEqual({ first: 'Ola', last: 'Nordmann' });
    expect(splitName('Anne Marie  Berg')).toEqual({ first: 'Anne Marie', last: 'Berg' });
    expect(splitName('Cher')).toEqual({ first: 'Cher', last: '' });
  });

  it('knows countries by code and by English or Norwegian name', () => {
    expect(countryCode('Norway')).toBe('NO');
    expect(countryCode('norge')).toBe('NO');
    expect(countryCode('Sverige')).toBe('SE');
    expect(countryCode('se')).toBe('SE');
    expect(countryCode('Atlantis')).toBeUndefined();
    expect(isCountryCode('EU')).toBe(false);
    expect(isCountryCode('NOR')).toBe(false);
  });
});
