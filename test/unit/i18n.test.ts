import { localeOf, strings, t, type StringKey } from '../../src/i18n';

/**
 * Both languages complete: the compiler checks that nb has every en key; this checks the tables
 * as the bot uses them at run time, and catches English left behind in the Norwegian table.
 */

const en = strings('en');
const nb = strings('nb');
const keys = Object.keys(en) as StringKey[];

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const withoutPlaceholders = (text: string) => text.replace(/\{\w+\}/g, '').trim();

/** Words that do not occur in Norwegian prose; a long nb string holding one was most likely left in English. */
const ENGLISH_WORDS = /\b(the|and|you|your|with|this|that|will|which|please|there|been|does|into|what|when)\b/i;

describe('strings', () => {
  it('has the same keys in English and Norwegian Bokmål', () => {
    expect(Object.keys(nb).sort()).toEqual([...keys].sort());
    expect(keys.length).toBeGreaterThan(50);
  });

  it.each(['en', 'nb'] as const)('has no empty string in %s', (locale) => {
    const table = strings(locale);
    const empty = Object.entries(table).filter(([, value]) => typeof value !== 'string' || value.trim() === '');
    expect(empty).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const mismatched = keys.filter((key) => placeholders(en[key]).join() !== placeholders(nb[key]).join());
    expect(mismatched.map((key) => `${key}: en {${placeholders(en[key])}} nb {${placeholders(nb[key])}}`)).toEqual([]);
  });

  it('has no long Norwegian string that is still the English one', () => {
    const untranslated = keys.filter((key) => withoutPlaceholders(en[key]).length >= 25 && en[key] === nb[key]);
    expect(untranslated).toEqual([]);
  });

  it('has no long Norwegian string with English words in it', () => {
    const english = keys.filter((key) => withoutPlaceholders(nb[key]).length >= 30 && ENGLISH_WORDS.test(nb[key]));
    expect(english.map((key) => `${key}: ${nb[key]}`)).toEqual([]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'planStateDone', { count: 3 })).toBe('Applied: all 3 changes done.');
    expect(t('nb', 'planStateDone', { count: 3 })).toBe('Utført: alle 3 endringene er gjort.');
    expect(t('en', 'planStateDone')).toContain('{count}');
  });
});

describe('the Teams locale', () => {
  it.each([
    ['nb-NO', 'nb'],
    ['nn-NO', 'nb'],
    ['no', 'nb'],
    ['NB-no', 'nb'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['sv-SE', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('%s reads as %s', (teams, locale) => {
    expect(localeOf(teams)).toBe(locale);
  });
});
