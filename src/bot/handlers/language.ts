import { MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../../cards/render';
import { localeOf, t, type Locale } from '../../i18n';
import { MAX_COMMAND_TEXT, trimEndPunctuation } from '../../setup/session';
import { localeFor, useLocale } from '../context';
import type { SetupTurnState } from '../state';

/**
 * "language nb", "språk en", "language teams": the conversation's language, kept in conversation
 * state; without a (known) argument, a small card to choose. Every later turn reads it first.
 */

type Choice = Locale | 'teams';

const NAMES: [Choice, RegExp][] = [
  ['en', /^(en|eng|english|engelsk|en-\w+)$/],
  ['nb', /^(nb|no|nn|norsk|bokm[åa]l|norwegian|nb-\w+|nn-\w+|no-\w+)$/],
  ['teams', /^(teams|auto|default|standard)$/],
];

/** The argument after the command word, understood in either language. */
export function parseLanguageChoice(text: string): Choice | undefined {
  if (text.length > MAX_COMMAND_TEXT) return undefined;
  const argument = trimEndPunctuation(text.normalize('NFKC').toLowerCase().trim()).split(/\s+/).slice(1).join(' ');
  return NAMES.find(([, pattern]) => pattern.test(argument))?.[0];
}

/** Before every turn: the conversation's chosen language, if any, wins over the Teams client's. */
export async function applyChosenLocale(context: TurnContext, state: SetupTurnState): Promise<boolean> {
  const chosen = state.conversation.locale;
  if (chosen === 'en' || chosen === 'nb') useLocale(context, chosen);
  return true;
}

function choose(context: TurnContext, state: SetupTurnState, choice: Choice): Locale {
  if (choice === 'teams') {
    delete state.conversation.locale;
    useLocale(context, undefined);
  } else {
    state.conversation.locale = choice;
    useLocale(context, choice);
  }
  return localeFor(context);
}

function languageCard(context: TurnContext, state: SetupTurnState, notice = ''): AdaptiveCardJson {
  const locale = localeFor(context);
  const name = (l: Locale) => t(locale, l === 'nb' ? 'languageNorwegian' : 'languageEnglish');
  const chosen = state.conversation.locale;
  const current = chosen ? name(chosen) : t(locale, 'languageFollowingTeams', { language: name(localeOf(context.activity.locale)) });
  return renderCard('language', { notice, current: t(locale, 'languageCurrent', { language: current }) }, locale);
}

export function language() {
  return async (context: TurnContext, state: SetupTurnState): Promise<void> => {
    const choice = parseLanguageChoice(context.activity.text ?? '');
    if (!choice) {
      await context.sendActivity(MessageFactory.attachment(cardAttachment(languageCard(context, state))));
      return;
    }
    const locale = choose(context, state, choice);
    await context.sendActivity(t(locale, choice === 'teams' ? 'languageFollowTeamsSet' : 'languageSet'));
  };
}

const LanguageInput = z.object({ locale: z.enum(['en', 'nb', 'teams']) });

/** A button on the language card: the same card comes back, in the chosen language. */
export function languageSet() {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> => {
    const parsed = LanguageInput.safeParse(data);
    if (!parsed.success) return languageCard(context, state);
    const locale = choose(context, state, parsed.data.locale);
    return languageCard(context, state, t(locale, parsed.data.locale === 'teams' ? 'languageFollowTeamsSet' : 'languageSet'));
  };
}
