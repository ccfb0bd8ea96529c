import { describeFindings, findLeaks, findUncatalogued, foreignMatchers, languageWordsIn, patternOf, textsIn, wordsOf } from '../helpers/catalogue';
import { en } from '../../src/i18n/en';
import { nb } from '../../src/i18n/nb';

describe('the catalogue matcher', () => {
  const foreign = {
    passwordStored: 'I have stored it',
    adminMissingRoles: '{user} is missing: {roles}.',
    welcomeBusinessCentral: 'Business Central',
    planCancel: 'Cancel',
    same: 'Dynamics 365 Sales and Business Central',
    passwordTitle: 'Password for {user}',
    contained: 'Business Central Dataverse Integration role',
  };
  const own = {
    passwordStored: 'Jeg har lagret det',
    adminMissingRoles: '{user} mangler: {roles}.',
    welcomeBusinessCentral: 'Business Central',
    planCancel: 'Avbryt',
    same: 'Dynamics 365 Sales and Business Central',
    passwordTitle: 'Passord for {user}',
    contained: 'Har rollen Business Central Dataverse Integration role',
  };
  const matchers = foreignMatchers(foreign, own);

  it('keeps only strings that can come from the foreign table alone', () => {
    expect(matchers.map((m) => m.key).sort()).toEqual(['adminMissingRoles', 'passwordStored', 'passwordTitle']);
  });

  it('fills placeholders with any text, also across lines, and names key and place', () => {
    const texts = [
      { where: 'card 1 body[0].text', text: 'ingrid.berg@contoso.no is missing: System Customizer,\na non-administrative role.' },
      { where: 'card 2 actions[0].title', text: 'I have stored it' },
      { where: 'card 2 body[0].text', text: 'Passord for bc-sync@contoso.no' },
      { where: 'message 3 text', text: 'Jeg har lagret det' },
    ];
    const found = findLeaks(texts, matchers);
    expect(found.map((f) => [f.key, f.where])).toEqual([
      ['adminMissingRoles', 'card 1 body[0].text'],
      ['passwordStored', 'card 2 actions[0].title'],
    ]);
    expect(describeFindings(found)).toContain('passwordStored at card 2 actions[0].title: "I have stored it"');
  });

  it('does not take tenant data around a string for a leak, nor a string inside a longer own-language text', () => {
    expect(findLeaks([{ where: 'x', text: 'Password for Ingrid Berg' }], matchers).map((f) => f.key)).toEqual(['passwordTitle']);
    expect(findLeaks([{ where: 'x', text: 'Password' }], matchers)).toEqual([]);
  });

  it('reads patterns literally: regular-expression characters in a template match only themselves', () => {
    expect(patternOf('{done} / {total} (x) · {failed}?').test('3 / 4 (x) · 1?')).toBe(true);
    expect(patternOf('a.b').test('axb')).toBe(false);
    expect(wordsOf('{user} is missing: {roles} in Business Central')).toEqual(['is', 'missing', 'in']);
  });

  it('collects every string of a card with its path, skipping identifiers and data', () => {
    const card = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Hei' }, { type: 'Input.ChoiceSet', id: 'x', label: 'Velg', choices: [{ title: 'En', value: 'one' }] }], actions: [{ type: 'Action.Execute', verb: 'a.b', title: 'OK', data: { note: 'I have stored it' } }] };
    expect(textsIn(card, 'card 1')).toEqual([
      { where: 'card 1 body[0].text', text: 'Hei' },
      { where: 'card 1 body[1].label', text: 'Velg' },
      { where: 'card 1 body[1].choices[0].title', text: 'En' },
      { where: 'card 1 body[1].choices[0].value', text: 'one' },
      { where: 'card 1 actions[0].title', text: 'OK' },
    ]);
  });

  it('on the real catalogues, finds the English password button text and not its Norwegian one', () => {
    const english = foreignMatchers(en, nb);
    expect(english.length).toBeGreaterThan(200);
    expect(findLeaks([{ where: 'p', text: en.passwordStored }], english).map((f) => f.key)).toContain('passwordStored');
    expect(findLeaks([{ where: 'p', text: nb.passwordStored }], english)).toEqual([]);
    // The Norwegian catalogue read as text contains no English string, and vice versa.
    const all = (table: Record<string, string>) => Object.entries(table).map(([key, text]) => ({ where: key, text }));
    expect(describeFindings(findLeaks(all(nb), english))).toBe('');
    expect(describeFindings(findLeaks(all(en), foreignMatchers(nb, en)))).toBe('');
  });
});

describe('text written in the other language outside the catalogues', () => {
  it('is found by its words, with tenant data and product names taken out first', () => {
    const texts = [
      { where: 'w', text: 'ingrid.berg@contoso.no mangler: System Customizer, a non-administrative role.' },
      { where: 'x', text: 'Sett tilgangsmodusen til Non-interactive' },
      { where: 'y', text: 'Gi ingrid.berg@contoso.no rollen Head of Sales' },
      { where: 'z', text: 'Rolle for selgerne: **Salesperson**.' },
    ];
    expect(findUncatalogued(texts, 'en', ['Head of Sales']).map((f) => [f.where, f.key])).toEqual([
      ['w', '(not in a catalogue: non-administrative)'],
      ['x', '(not in a catalogue: non-interactive)'],
    ]);
    expect(languageWordsIn('Microsoft Graph is temporarily unavailable', 'en')).toEqual(['is']);
    expect(languageWordsIn('action.failed · plan.retry · done', 'en')).toEqual([]);
    expect(languageWordsIn('Ingen konto: ingen e-post i Business Central', 'nb')).toEqual(['ingen']);
  });

  it('finds nothing in the catalogues\' own texts of the same language', () => {
    // Checked on the real tables: a word list that flagged the own language would make the test useless.
    const flagged = (table: Record<string, string>, other: 'en' | 'nb') => Object.entries(table).filter(([, text]) => languageWordsIn(text.replace(/\{\w+\}/g, ' '), other).length > 0).map(([key, text]) => `${key}: ${languageWordsIn(text, other)}`);
    expect(flagged(nb, 'en')).toEqual([]);
    expect(flagged(en, 'nb')).toEqual([]);
  });
});
