/** Choosing the conversation's language ("language nb", "språk en"). */
export const languageEn = {
  languageTitle: 'Language',
  languageIntro: 'I speak English and Norwegian Bokmål. By default I follow the language of your Teams client; the choice here applies to this conversation.',
  languageCurrent: 'Now: {language}',
  languageEnglish: 'English',
  languageNorwegian: 'Norsk bokmål',
  languageFollowTeams: 'Follow Teams',
  languageFollowingTeams: '{language} (from Teams)',
  languageSet: 'From now on I answer in English in this conversation. Say **språk nb** for Norwegian, or **language teams** to follow Teams again.',
  languageFollowTeamsSet: 'From now on I follow the language of the Teams client of whoever writes.',
} as const;
