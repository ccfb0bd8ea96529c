import { ODataError, compileFilter, parseFilter, type Schema } from '../../src/sandbox/odata';
import { compileOrderBy, parseExpand, parseSelect } from '../../src/sandbox/odataOptions';

const fields: Schema = { name: 'string', mail: 'string', id: 'guid', enabled: 'bool', mode: 'int', at: 'datetime' };
const opts = { entity: 'Test.row', fields, functions: new Set(['startswith', 'endswith', 'contains', 'Microsoft.Dynamics.CRM.In']) };
const rows = [
  { name: "Ola O'Brien", mail: "ola.o'brien@contoso.no", id: '1f0c2d3e-4a5b-4c6d-8e7f-901234567890', enabled: true, mode: 4, at: '2025-01-01T00:00:00Z' },
  { name: 'Kari Hansen', mail: 'kari.hansen@contoso.no', id: '2f0c2d3e-4a5b-4c6d-8e7f-901234567890', enabled: false, mode: 0, at: '2025-06-01T00:00:00Z' },
  { name: 'Per', mail: null, id: '3f0c2d3e-4a5b-4c6d-8e7f-901234567890', enabled: true, mode: 2, at: null },
];
const names = (filter: string) => rows.filter((r) => compileFilter(filter, opts).test(r)).map((r) => r.name);

describe('OData $filter', () => {
  it('reads string literals with doubled single quotes', () => {
    expect(names("mail eq 'ola.o''brien@contoso.no'")).toEqual(["Ola O'Brien"]);
    expect(names("startswith(name,'ola o''')")).toEqual(["Ola O'Brien"]);
  });

  it('rejects an undoubled apostrophe as a syntax error', () => {
    expect(() => parseFilter("mail eq 'ola.o'brien@contoso.no'")).toThrow(ODataError);
    expect(() => parseFilter("mail eq 'o'brien'")).toThrow(/Syntax error/);
    expect(() => parseFilter("mail eq 'unterminated")).toThrow(/unterminated/);
  });

  it('compares strings case-insensitively, with eq, ne and in', () => {
    expect(names("mail eq 'KARI.HANSEN@contoso.no'")).toEqual(['Kari Hansen']);
    expect(names("name ne 'Per'")).toEqual(["Ola O'Brien", 'Kari Hansen']);
    expect(names("name in ('per','kari hansen')")).toEqual(['Kari Hansen', 'Per']);
  });

  it('handles and / or / not with parentheses and precedence', () => {
    expect(names("enabled eq true and (mode eq 4 or mode eq 2)")).toEqual(["Ola O'Brien", 'Per']);
    expect(names("enabled eq true and mode eq 4 or mode eq 0")).toEqual(["Ola O'Brien", 'Kari Hansen']);
    expect(names('not (enabled eq true)')).toEqual(['Kari Hansen']);
    expect(names("mode eq 0 or mode eq 2 or mode eq 4")).toHaveLength(3);
  });

  it('takes unquoted guids, null, booleans, numbers and datetimes', () => {
    expect(names('id eq 2F0C2D3E-4A5B-4C6D-8E7F-901234567890')).toEqual(['Kari Hansen']);
    expect(names('mail eq null')).toEqual(['Per']);
    expect(names('mail ne null and mode gt 1')).toEqual(["Ola O'Brien"]);
    expect(names('at ge 2025-03-01T00:00:00Z')).toEqual(['Kari Hansen']);
  });

  it('rejects a quoted guid compared with a guid property (incompatible types)', () => {
    expect(() => compileFilter("id eq '1f0c2d3e-4a5b-4c6d-8e7f-901234567890'", opts)).toThrow(/incompatible types.*Edm.Guid.*Edm.String/);
    expect(() => compileFilter("enabled eq 'true'", opts)).toThrow(/incompatible/);
  });

  it('supports startswith, endswith, contains and Microsoft.Dynamics.CRM.In', () => {
    expect(names("startswith(mail,'kari')")).toEqual(['Kari Hansen']);
    expect(names("endswith(name,'brien')")).toEqual(["Ola O'Brien"]);
    expect(names("contains(name,'ans')")).toEqual(['Kari Hansen']);
    expect(names("Microsoft.Dynamics.CRM.In(PropertyName='mail',PropertyValues=['kari.hansen@contoso.no','x@y.z'])")).toEqual(['Kari Hansen']);
  });

  it('reports unknown properties, unknown functions and malformed expressions', () => {
    expect(() => compileFilter("nope eq 'x'", opts)).toThrow("Could not find a property named 'nope' on type 'Test.row'.");
    expect(() => compileFilter("substringof('x',name)", opts)).toThrow(/unknown function/);
    for (const bad of ['', 'name eq', "name eq 'a' and", "(name eq 'a'", "name eq 'a')", "name 'a'", 'name eq a b', 'mode eq 1 2']) {
      expect(() => compileFilter(bad, opts)).toThrow(ODataError);
    }
  });

  it('evaluates any/all lambdas over collections', () => {
    const lopts = { ...opts, fields: { ...fields, lic: 'string' as const, tags: 'string' as const }, collections: { lic: { skuId: 'guid' as const }, tags: 'string' as const } };
    const data = [
      { name: 'a', lic: [{ skuId: '1f0c2d3e-4a5b-4c6d-8e7f-901234567890' }], tags: ['x', 'y'] },
      { name: 'b', lic: [], tags: [] },
    ];
    const pick = (f: string) => data.filter((r) => compileFilter(f, lopts).test(r)).map((r) => r.name);
    expect(pick('lic/any(l:l/skuId eq 1f0c2d3e-4a5b-4c6d-8e7f-901234567890)')).toEqual(['a']);
    expect(pick("tags/any(t:t eq 'Y')")).toEqual(['a']);
    expect(pick("tags/all(t:t ne 'z')")).toEqual(['a', 'b']);
    expect(pick('lic/any()')).toEqual(['a']);
    expect(() => compileFilter("lic/any(l:l/skuId eq 'not-a-guid')", lopts)).toThrow(/incompatible/);
    expect(() => compileFilter('name/any(n:n eq 1)', lopts)).toThrow(/only be used on a collection/);
    expect(() => compileFilter('lic/any(l:l/nope eq 1)', lopts)).toThrow(/Could not find a property named 'nope'/);
  });

  it('records the operators used (for advanced-query checks)', () => {
    expect([...compileFilter("not (name ne 'a') or endswith(name,'x')", opts).features].sort()).toEqual(['endswith', 'ne', 'not', 'or']);
  });
});

describe('OData $select, $orderby, $expand', () => {
  it('validates $select names', () => {
    expect(parseSelect('name,mail', fields, 'T')).toEqual(['name', 'mail']);
    expect(parseSelect(null, fields, 'T')).toBeNull();
    expect(() => parseSelect('name,bogus', fields, 'T')).toThrow("Could not find a property named 'bogus' on type 'T'.");
  });

  it('sorts by $orderby', () => {
    const cmp = compileOrderBy('mode desc', fields, 'T')!;
    expect([...rows].sort(cmp).map((r) => r.mode)).toEqual([4, 2, 0]);
  });

  it('parses nested $expand options', () => {
    expect(parseExpand("systemuserroles_association($select=roleid,name;$filter=name eq 'a;b'),businessunitid")).toEqual([
      { name: 'systemuserroles_association', options: { $select: 'roleid,name', $filter: "name eq 'a;b'" } },
      { name: 'businessunitid', options: {} },
    ]);
  });
});
