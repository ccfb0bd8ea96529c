/**
 * Countries and regions for usage location (ISO 3166 alpha-2) and the CSV's "Country or Region"
 * column (a name). Names come from the platform's own locale data (Intl), in English and
 * Norwegian, so "Norway", "Norge", "NO" and "no" all read as NO.
 */

const NOT_COUNTRIES = new Set(['EU', 'EZ', 'QO', 'UN', 'XA', 'XB', 'XK', 'ZZ']);
const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const norwegian = new Intl.DisplayNames(['nb'], { type: 'region', fallback: 'none' });

let codes: string[] | undefined;
let byName: Map<string, string> | undefined;

/** Every ISO 3166 alpha-2 code the platform knows a name for. */
export function countryCodes(): string[] {
  if (!codes) {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    codes = [];
    for (const a of letters) for (const b of letters) if (!NOT_COUNTRIES.has(a + b) && english.of(a + b)) codes.push(a + b);
  }
  return codes;
}

export function isCountryCode(value: string): boolean {
  return /^[A-Za-z]{2}$/.test(value) && countryCodes().includes(value.toUpperCase());
}

/** The English name of a country code ("NO" → "Norway"), as the admin center expects it. */
export function countryName(code: string): string {
  return english.of(code.toUpperCase()) ?? code.toUpperCase();
}

const normalise = (value: string) => value.normalize('NFKC').trim().toLowerCase();

/** The code for a country name (English or Norwegian) or code; undefined when it is neither. */
export function countryCode(value: string): string | undefined {
  if (isCountryCode(value.trim())) return value.trim().toUpperCase();
  if (!byName) {
    byName = new Map();
    for (const code of countryCodes()) {
      for (const names of [english, norwegian]) {
        const name = names.of(code);
        if (name) byName.set(normalise(name), code);
      }
    }
  }
  return byName.get(normalise(value));
}
