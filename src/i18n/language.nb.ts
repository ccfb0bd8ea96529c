import type { languageEn } from './language.en';

/** Valg av språk for samtalen («språk nb», «language en»). */
export const languageNb: Record<keyof typeof languageEn, string> = {
  languageTitle: 'Språk',
  languageIntro: 'Jeg snakker engelsk og norsk bokmål. Som standard følger jeg språket i Teams-klienten din; valget her gjelder denne samtalen.',
  languageCurrent: 'Nå: {language}',
  languageEnglish: 'English',
  languageNorwegian: 'Norsk bokmål',
  languageFollowTeams: 'Følg Teams',
  languageFollowingTeams: '{language} (fra Teams)',
  languageSet: 'Fra nå av svarer jeg på norsk bokmål i denne samtalen. Skriv **language en** for engelsk, eller **språk teams** for å følge Teams igjen.',
  languageFollowTeamsSet: 'Fra nå av følger jeg språket i Teams-klienten til den som skriver.',
};
