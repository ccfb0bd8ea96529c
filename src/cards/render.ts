import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { strings, type Locale } from '../i18n';

/**
 * Cards are templates: JSON files in /cards bound with adaptivecards-templating. TypeScript
 * passes data and the locale's strings (`${strings.key}` in a template), never card JSON.
 */

export type CardName = 'welcome' | 'environment' | 'environmentPick' | 'admin' | 'plan' | 'language' | 'integrationPath' | 'integrationUser' | 'integrationCheck' | 'integrationConnection' | 'password' | 'audit'
  | 'salespeople' | 'salespeoplePlan' | 'salespeopleFailures' | 'salespeopleExport' | 'salespeopleCsvText' | 'salespeopleImport' | 'salespeopleRole'
  | 'health';

export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  [key: string]: unknown;
}

function findCardsDirectory(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'cards');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('cards/ directory not found');
  }
}

const CARDS_DIR = findCardsDirectory(__dirname);
const templates = new Map<CardName, ACData.Template>();

function template(name: CardName): ACData.Template {
  let loaded = templates.get(name);
  if (!loaded) {
    loaded = new ACData.Template(JSON.parse(readFileSync(path.join(CARDS_DIR, `${name}.json`), 'utf8')));
    templates.set(name, loaded);
  }
  return loaded;
}

export function renderCard(name: CardName, data: object, locale: Locale): AdaptiveCardJson {
  const card = template(name).expand({ $root: { ...data, strings: strings(locale), locale } }) as Record<string, unknown>;
  // A top-level part left out by `$when` (e.g. refresh) expands to null; Teams wants it absent.
  for (const [key, value] of Object.entries(card)) if (value === null) delete card[key];
  return card as AdaptiveCardJson;
}

export function cardAttachment(card: AdaptiveCardJson): Attachment {
  return CardFactory.adaptiveCard(card);
}

/**
 * Text from users or from Business Central goes into card markdown only through this. Line
 * breaks (including U+0085, U+2028, U+2029) and tabs become spaces; every other control and format
 * character (Unicode categories Cc and Cf: bidi controls, zero-width characters, U+00AD, U+061C,
 * U+206A–206F, U+FFF9–FFFB, tag characters) is removed, so a name cannot reorder or hide the text
 * around it; and what Adaptive Card markdown acts on is
 * backslash-escaped: emphasis (`*`, `_` at a word boundary, `~`), code, link brackets, HTML-like
 * brackets, and list or heading markers at the start. Ordinary text (UPNs, SKU names such as
 * DYN365_ENTERPRISE_SALES, "O'Brien (Oslo)") stays as it is.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|[\n\r\t\v\f\u0085\u2028\u2029]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[\\`*[\]~<>]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => `\\${c}`)
    .replace(/^(\s*)(?:([-+#])|(\d+)\.)/, (_all, space: string, sign?: string, digits?: string) =>
      sign ? `${space}\\${sign}` : `${space}${digits}\\.`,
    );
}
