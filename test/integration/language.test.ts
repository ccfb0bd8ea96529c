import { SEED } from '../../src/sandbox';
import { parseCommand } from '../../src/setup/session';
import { parseLanguageChoice } from '../../src/bot/handlers/language';
import { t } from '../../src/i18n';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf, inputValues } from '../helpers/cards';
import { cardText } from '../helpers/teams';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await fetch(`${h.sandbox.url}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { syncDelayMs: 200, licensePropagationMs: 300 } }) });
  h.connector.clear();
});

const lastCard = () => h.connector.cards().at(-1)!;
const lastText = () => h.connector.texts().at(-1)!;

describe('the language command', () => {
  it('is understood in both languages, with or without an argument', () => {
    for (const text of ['language', 'Language nb', 'språk en', 'SPRÅK  NB!', 'sprak teams', 'lang no']) expect(parseCommand(text)).toBe('language');
    expect(parseCommand('language please tell me more')).toBeUndefined();
    expect(parseLanguageChoice('språk nb')).toBe('nb');
    expect(parseLanguageChoice('language Norsk')).toBe('nb');
    expect(parseLanguageChoice('language bokmål')).toBe('nb');
    expect(parseLanguageChoice('språk engelsk')).toBe('en');
    expect(parseLanguageChoice('language en-GB')).toBe('en');
    expect(parseLanguageChoice('language teams')).toBe('teams');
    expect(parseLanguageChoice('language')).toBeUndefined();
    expect(parseLanguageChoice('language klingon')).toBeUndefined();
  });

  it('follows the Teams locale until a language is chosen; the choice wins and outlives a restart', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await chat.say(ADMIN, 'help');
    expect(cardText(lastCard())).toContain(t('nb', 'welcomeTitle'));

    await chat.say(ADMIN, 'language en');
    expect(lastText()).toBe(t('en', 'languageSet'));
    await chat.say(ADMIN, 'hjelp');
    expect(cardText(lastCard())).toContain(t('en', 'welcomeTitle'));
    await chat.say(ADMIN, 'what now');
    expect(lastText()).toContain('I did not understand "what now"');

    await h.restartBot();
    await chat.say(ADMIN, 'status');
    expect(cardText(lastCard())).toContain(t('en', 'healthTitle'));

    await chat.say(ADMIN, 'språk teams');
    expect(lastText()).toBe(t('nb', 'languageFollowTeamsSet'));
    await chat.say(ADMIN, 'help');
    expect(cardText(lastCard())).toContain(t('nb', 'welcomeTitle'));
  });

  it('without an argument shows a card whose buttons switch the language; bad card data changes nothing', async () => {
    const chat = h.conversation({ locale: 'en-US' });
    await chat.say(ADMIN, 'language klingon');
    const card = lastCard();
    expect(cardText(card)).toContain('Now: English (from Teams)');
    expect(actionsOf(card).map((a) => [a.verb, a.data.locale])).toEqual([
      ['language.set', 'en'],
      ['language.set', 'nb'],
      ['language.set', 'teams'],
    ]);

    const chosen = await chat.execute(ADMIN, 'language.set', { locale: 'nb' });
    expect(chosen.status).toBe(200);
    expect(cardText(chosen.body.value)).toContain('Nå: Norsk bokmål');
    expect(cardText(chosen.body.value)).toContain(t('nb', 'languageSet'));

    const tampered = await chat.execute(ADMIN, 'language.set', { locale: 'de' });
    expect(cardText(tampered.body.value)).toContain('Nå: Norsk bokmål');
    await chat.say(ADMIN, 'help');
    expect(cardText(lastCard())).toContain(t('nb', 'welcomeTitle'));
  });

  it('a run started after choosing Norwegian reports in Norwegian on the plan card', async () => {
    const chat = h.conversation({ locale: 'en-US' });
    await chat.say(ADMIN, 'språk nb');
    await chat.say(ADMIN, 'sett opp');
    const envCard = lastCard();
    const cardActivityId = h.connector.activities.at(-1)!.activityId!;
    expect(cardText(envCard)).toContain(t('nb', 'envTitle'));
    await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), deployment: 'online' }, cardActivityId);
    const planned = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId);
    const approve = action(planned.body.value, 'plan.approve');
    expect(approve.title).toBe(t('nb', 'planApprove'));
    await chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId);
    await h.bot.runner.settled(String(approve.data.planId));
    const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
    expect(cardText(updates.at(-1)?.activity)).toContain(t('nb', 'planStateDone', { count: 2 }));
  });
});
