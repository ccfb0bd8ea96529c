import { randomInt } from 'node:crypto';

/** Symbols that no card markdown or CSV reader acts on, wherever they stand. */
const SETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!$%&?@^'];

/**
 * A strong random password (Entra's complexity rules: 8–256 characters, three of four classes):
 * 20 characters from all four classes, one of each guaranteed, no look-alike characters.
 * Lives only in memory; never logged, stored or put in a plan.
 */
export function generatePassword(length = 20): string {
  const all = SETS.join('');
  const chars = SETS.map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
