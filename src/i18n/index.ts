import { en, type StringKey } from './en';
import { nb } from './nb';

export type Locale = 'en' | 'nb';
export type { StringKey };

const TABLES: Record<Locale, Record<StringKey, string>> = { en, nb };

/** Teams locales such as "nb-NO", "nn-NO" and "no" read Norwegian Bokmål; everything else English. */
export function localeOf(teamsLocale: string | undefined): Locale {
  const tag = (teamsLocale ?? '').toLowerCase();
  return /^(nb|nn|no)\b/.test(tag) ? 'nb' : 'en';
}

/** A string with `{name}` placeholders filled. Values are inserted as given; escape for markdown first. */
export function t(locale: Locale, key: StringKey, vars: Record<string, string | number> = {}): string {
  return TABLES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

/** Every string of a locale, for binding into card templates as `strings`. */
export function strings(locale: Locale): Record<StringKey, string> {
  return TABLES[locale];
}
