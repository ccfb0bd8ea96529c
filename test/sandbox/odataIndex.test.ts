import { parseFilter } from '../../src/sandbox/odata';
import { candidates, equalityKeys } from '../../src/sandbox/odataIndex';

const rows = [
  { id: 'A1', mail: 'kari@contoso.no', accountEnabled: true },
  { id: 'b2', mail: 'OLA@contoso.no', accountEnabled: false },
  { id: 'c3', mail: null, accountEnabled: true },
];

it('finds the candidates of an `in` list or an `or` of equalities on one property, ignoring case', () => {
  expect(equalityKeys(parseFilter("mail in ('ola@contoso.no', 'nobody@contoso.no')"))).toEqual({ prop: 'mail', values: new Set(['ola@contoso.no', 'nobody@contoso.no']) });
  expect(candidates(equalityKeys(parseFilter("mail in ('ola@contoso.no', 'nobody@contoso.no')")), rows).map((r) => r.id)).toEqual(['b2']);
  expect(candidates(equalityKeys(parseFilter("id eq 'a1' or id eq 'C3'")), rows).map((r) => r.id)).toEqual(['A1', 'c3']);
});

it('takes every row for any other filter, so the compiled filter decides as before', () => {
  for (const text of [
    "mail eq 'kari@contoso.no' or id eq 'b2'", // two properties
    "mail eq 'kari@contoso.no' and accountEnabled eq true",
    "startswith(mail, 'kari')",
    'accountEnabled eq true',
    "createdDateTime eq '2026-01-01T00:00:00Z'", // a date compares by time, not by text
  ]) {
    expect(equalityKeys(parseFilter(text))).toBeNull();
    expect(candidates(equalityKeys(parseFilter(text)), rows)).toBe(rows);
  }
});
