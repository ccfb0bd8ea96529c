import { KNOWN_SKUS } from '../../src/setup/skuNames';
import { BC_CAPTIONS } from '../../src/setup/bcCaptions';
/**
 * Which catalogue strings of the other language a user read: the pure part of the test that reads
 * every card. Every string of the "foreign" table becomes a pattern (its `{placeholders}` match any
 * text); a text the user read that contains such a pattern is a leak, named by the string's key.
 */

export interface Finding {
  key: string;
  /** Where the text was read, such as "card 3 (PUT a1b2…) body[2].text". */
  where: string;
  text: string;
}

export interface Matcher {
  key: string;
  pattern: RegExp;
}

/**
 * Names that read the same in both languages: they do not make a string foreign. Licences by their
 * product names and Business Central's page, field and action captions are Microsoft's own names.
 */
export const PRODUCT_NAMES = [
  ...[...KNOWN_SKUS.map((s) => s.productName), ...Object.values(BC_CAPTIONS)].sort((a, b) => b.length - a.length),
  'Microsoft Entra',
  'Microsoft 365 admin center',
  'Microsoft 365',
  'Microsoft Graph',
  'Dynamics 365 Sales Enterprise',
  'Dynamics 365 Sales',
  'Dynamics 365',
  'Business Central Integration',
  'Business Central Dataverse Integration',
  'Business Central',
  'Power Platform admin center',
  'Power Platform',
  'Customer Engagement',
  'Dataverse',
  'OneDrive',
  'SharePoint',
  'Teams',
  'Entra',
  'Excel',
  'Sales',
  'CSV',
  'UTF-8',
  'BC',
];

const PLACEHOLDER = /\{\w+\}/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The literal text of a template that says something in a language: placeholders, product names, markup, digits and punctuation removed. */
export function wordsOf(template: string): string[] {
  let text = template.replace(PLACEHOLDER, ' ');
  for (const name of PRODUCT_NAMES) text = text.split(name).join(' ');
  return text
    .replace(/[^\p{L}]+/gu, ' ')
    .split(' ')
    .filter((w) => w.length > 1);
}

/**
 * Patterns for the strings of `foreign` that could only come from that table: not identical in
 * `own`, not contained in any string of `own`, and with at least `minWords` words (and
 * `minLetters` letters) of their own once placeholders and product names are taken out.
 */
export function foreignMatchers(
  foreign: Record<string, string>,
  own: Record<string, string>,
  options: { minWords?: number; minLetters?: number } = {},
): Matcher[] {
  const minWords = options.minWords ?? 2;
  const minLetters = options.minLetters ?? 8;
  const ownTexts = Object.values(own);
  const matchers: Matcher[] = [];
  for (const [key, template] of Object.entries(foreign)) {
    if (own[key] === template) continue;
    const words = wordsOf(template);
    if (words.length < minWords || words.join('').length < minLetters) continue;
    const pattern = patternOf(template);
    if (ownTexts.some((text) => pattern.test(text))) continue;
    matchers.push({ key, pattern });
  }
  return matchers;
}

/** A template as a pattern: the literal parts in order, anything (lazily) in between; leading and trailing placeholders dropped. */
export function patternOf(template: string): RegExp {
  const parts = template.split(PLACEHOLDER);
  while (parts.length > 1 && parts[0].trim() === '') parts.shift();
  while (parts.length > 1 && parts.at(-1)!.trim() === '') parts.pop();
  return new RegExp(parts.map(escapeRegExp).join('[\\s\\S]*?'));
}

/**
 * Each text checked against each matcher, the given tenant values (data such as the
 * environment's own role names, which a catalogue may also hold as words) taken out first; one
 * finding per key and place.
 */
export function findLeaks(texts: { where: string; text: string }[], matchers: Matcher[], tenantValues: readonly string[] = []): Finding[] {
  const values = [...tenantValues].filter(Boolean).sort((a, b) => b.length - a.length);
  const findings: Finding[] = [];
  for (const { where, text } of texts) {
    let rest = text;
    for (const value of values) rest = rest.split(value).join(' ');
    for (const { key, pattern } of matchers) if (pattern.test(rest)) findings.push({ key, where, text });
  }
  return findings;
}

/** Every string in a value, with its path ("body[2].columns[0].items[1].text"), skipping keys that hold no readable text. */
export function textsIn(value: unknown, where: string, skipKeys: ReadonlySet<string> = TECHNICAL_KEYS): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') {
      if (node.trim() !== '') out.push({ where: `${where} ${path}`.trim(), text: node });
    } else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) if (!skipKeys.has(k)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(value, '');
  return out;
}

/** Keys of activities and cards that carry identifiers, addresses or data, never text for a reader. */
export const TECHNICAL_KEYS: ReadonlySet<string> = new Set([
  'id', 'type', 'verb', 'url', 'contentType', 'contentUrl', '$schema', 'version', 'data', 'serviceUrl', 'channelId',
  'conversation', 'from', 'recipient', 'replyToId', 'timestamp', 'channelData', 'style', 'size', 'weight', 'color',
  'spacing', 'horizontalAlignment', 'width', 'height', 'fontType', 'associatedInputs', 'userIds', 'acceptContext',
  'declineContext', 'uploadUrl', 'uniqueId', 'fileType', 'locale', 'inputHint', 'textFormat', 'wrap', 'isMultiSelect',
]);

/** Findings as lines a developer can act on. */
export function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.key} at ${f.where}: ${JSON.stringify(f.text.length > 160 ? `${f.text.slice(0, 160)}…` : f.text)}`).join('\n');
}

/**
 * Words that occur in one language's sentences and never in the other's: a text with one of them,
 * once product names are taken out, is written in that language even when no catalogue string
 * matches (text built in code). Short ambiguous words ("for", "to", "en", "i") are not listed.
 */
export const LANGUAGE_WORDS: Record<'en' | 'nb', ReadonlySet<string>> = {
  en: new Set(['the', 'is', 'are', 'was', 'were', 'not', 'of', 'and', 'with', 'could', 'has', 'have', 'been', 'this', 'that', 'from', 'will', 'would', 'which', 'an', 'earlier', 'attempted', 'failed', 'again', 'non-administrative', 'non-interactive']),
  nb: new Set(['og', 'ikke', 'av', 'på', 'som', 'det', 'ble', 'har', 'kan', 'må', 'ingen', 'eller', 'ikke-administrativ', 'ikke-interaktiv']),
};

/** The words of `language` in a text, product names and the given tenant values taken out first. */
export function languageWordsIn(text: string, language: 'en' | 'nb', tenantValues: readonly string[] = []): string[] {
  let rest = text;
  // Longest first across both lists: a caption such as "Couple Dataverse Users with Salespersons" goes whole before the role name "Salesperson".
  for (const value of [...tenantValues, ...PRODUCT_NAMES].sort((a, b) => b.length - a.length)) if (value) rest = rest.split(value).join(' ');
  rest = rest.replace(/\b[a-z]+(?:\.[a-zA-Z]+)+\b/g, ' '); // dotted codes such as action.failed or plan.retry
  const words = rest.toLowerCase().split(/[^\p{L}-]+/u).map((w) => w.replace(/^-+|-+$/g, ''));
  return [...new Set(words.filter((w) => LANGUAGE_WORDS[language].has(w)))];
}

/** Texts written in `foreign` that no catalogue string explains: findings with the key "(not in a catalogue)". */
export function findUncatalogued(texts: { where: string; text: string }[], foreign: 'en' | 'nb', tenantValues: readonly string[] = []): Finding[] {
  return texts
    .filter(({ text }) => languageWordsIn(text, foreign, tenantValues).length > 0)
    .map(({ where, text }) => ({ key: `(not in a catalogue: ${languageWordsIn(text, foreign, tenantValues).join(', ')})`, where, text }));
}
