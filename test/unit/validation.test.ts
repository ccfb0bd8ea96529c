import { z } from 'zod';
import { t, type Locale } from '../../src/i18n';
import { describeIssues, guid, idList, plainText, upn } from '../../src/setup/validation';

const issues = (schema: z.ZodTypeAny, value: unknown, locale: Locale, labels: Record<string, string> = {}) => {
  const parsed = z.object({ field: schema }).safeParse({ field: value });
  if (parsed.success) throw new Error('expected the value to be refused');
  return describeIssues(parsed.error, locale, { field: labels.field ?? 'Felt' });
};

describe('validation messages are the product\'s own, in the reader\'s language', () => {
  const cases: Array<[string, z.ZodTypeAny, unknown, Parameters<typeof t>[1], Record<string, number>]> = [
    ['missing', upn, undefined, 'validationRequired', {}],
    ['empty display name', plainText(256), '   ', 'validationRequired', {}],
    ['too long', plainText(256), 'x'.repeat(257), 'validationTooLong', { max: 256 }],
    ['sign-in name too long', upn, `${'a'.repeat(60)}@${'b'.repeat(50)}.no`, 'validationTooLong', { max: 113 }],
    ['not a sign-in name', upn, 'ingrid berg@contoso.no', 'validationUpn', {}],
    ['not a GUID', guid, "' or 1 eq 1", 'validationGuid', {}],
    ['invisible characters', plainText(256), 'BC\u200B Sync', 'validationInvisible', {}],
    ['too many', idList, Array.from({ length: 21 }, () => '00000000-0000-4000-8000-000000000000').join(','), 'validationTooMany', { max: 20 }],
    ['not one of the choices', z.enum(['online', 'onpremises']), 'cloud', 'validationChoice', {}],
    ['not text', upn, 42, 'validationFormat', {}],
  ];

  it.each(cases)('%s', (_name, schema, value, key, vars) => {
    for (const locale of ['en', 'nb'] as const) {
      expect(issues(schema, value, locale)).toBe(t(locale, 'validationField', { field: 'Felt', problem: t(locale, key, vars) }));
    }
  });

  it('reads Norwegian in nb and never zod\'s English', () => {
    expect(issues(upn, 'ikke en adresse', 'nb')).toBe('Felt: er ikke et gyldig påloggingsnavn (navn@domene)');
    expect(issues(upn, undefined, 'nb')).toBe('Felt: må fylles ut');
    expect(issues(plainText(256), 'x'.repeat(300), 'nb')).toBe('Felt: kan ha høyst 256 tegn');
    expect(issues(guid, 'x', 'nb')).toMatch(/^Felt: er ikke en GUID/);
    for (const value of [undefined, 42, '', 'x'.repeat(300)]) {
      const text = issues(z.string().min(1).max(10), value, 'nb');
      expect(text).not.toMatch(/Required|Expected|String must|Invalid/);
    }
  });

  it('names each field by its label, and says each problem once', () => {
    const schema = z.object({ a: upn, b: guid });
    const parsed = schema.safeParse({ a: 'x', b: 'y' });
    if (parsed.success) throw new Error('expected a refusal');
    expect(describeIssues(parsed.error, 'en', { a: 'Sign-in name', b: 'Environment id' })).toBe(
      `Sign-in name: ${t('en', 'validationUpn')}; Environment id: ${t('en', 'validationGuid')}`,
    );
  });
});
