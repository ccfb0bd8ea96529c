import { AppError } from '../../src/errors';
import { chunkFilter, encode, guid, inList, orChain, query, quote, sameBaseLink, uniqueIgnoringCase } from '../../src/provisioning/clients/odata';

describe('odata', () => {
  it('quotes string literals, doubling single quotes', () => {
    expect(quote("o'brien@x")).toBe("'o''brien@x'");
    expect(quote("''")).toBe("''''''");
    expect(quote('plain')).toBe("'plain'");
  });

  it('validates GUIDs and emits them unquoted in lower case', () => {
    expect(guid('6F2C0A1B-1234-4ABC-8DEF-0123456789AB')).toBe('6f2c0a1b-1234-4abc-8def-0123456789ab');
    expect(() => guid("x' or 1 eq 1 or 'a")).toThrow(AppError);
    expect(() => guid('6f2c0a1b-1234-4abc-8def-0123456789ab or true')).toThrow(/not a GUID/);
  });

  it('builds in-lists and or-chains from escaped literals', () => {
    expect(inList('mail', ["a@x", "o'b@x"])).toBe("mail in ('a@x','o''b@x')");
    expect(orChain('domainname', ["o'b@x", 'c@x'])).toBe("domainname eq 'o''b@x' or domainname eq 'c@x'");
    expect(orChain('id', ['a', 'b'], (v) => v)).toBe('id eq a or id eq b');
  });

  it('percent-encodes every query value, including quotes and parentheses', () => {
    const q = query({ $filter: "domainname eq 'ola.o''brien@contoso.no'", $select: 'a,b', $top: 5, skip: undefined });
    expect(q).toBe("?$filter=domainname%20eq%20%27ola.o%27%27brien%40contoso.no%27&$select=a%2Cb&$top=5");
    expect(new URLSearchParams(q).get('$filter')).toBe("domainname eq 'ola.o''brien@contoso.no'");
    expect(encode("(a)*!'")).toBe('%28a%29%2A%21%27');
    expect(query({})).toBe('');
  });

  it('chunks filters by count and by length', () => {
    const values = Array.from({ length: 40 }, (_, i) => `user${i}@contoso.no`);
    const byCount = chunkFilter(values, (g) => inList('userPrincipalName', g), { maxValues: 15 });
    expect(byCount.map((g) => g.length)).toEqual([15, 15, 10]);
    const byLength = chunkFilter(values, (g) => encode(orChain('domainname', g)), { maxLength: 300 });
    expect(byLength.flat()).toEqual(values);
    for (const group of byLength) expect(encode(orChain('domainname', group)).length).toBeLessThanOrEqual(300);
  });

  it('dedupes case-insensitively', () => {
    expect(uniqueIgnoringCase(['A@x', 'a@X', 'b@x'])).toEqual(['A@x', 'b@x']);
  });

  it('follows next links only within the base', () => {
    expect(sameBaseLink('https://h/api/v2.0/x?$skiptoken=1', 'https://h/api/v2.0')).toEqual({
      url: 'https://h/api/v2.0/x?$skiptoken=1',
      relative: '/x?$skiptoken=1',
    });
    expect(() => sameBaseLink('https://evil.example/api/v2.0/x', 'https://h/api/v2.0')).toThrow(AppError);
    expect(() => sameBaseLink('https://h/other/x', 'https://h/api/v2.0')).toThrow(AppError);
  });
});
