import type { validationEn } from './validation.en';

/** Hva et felt administratoren skrev inn eller valgte på et kort, får høre når serveren ikke godtar det. */
export const validationNb: Record<keyof typeof validationEn, string> = {
  validationField: '{field}: {problem}',
  validationRequired: 'må fylles ut',
  validationTooLong: 'kan ha høyst {max} tegn',
  validationTooShort: 'må ha minst {min} tegn',
  validationTooMany: 'velg høyst {max}',
  validationChoice: 'velg en av verdiene som tilbys',
  validationFormat: 'har ikke riktig form',
  validationGuid: 'er ikke en GUID (som 1a2b3c4d-0000-0000-0000-123456789abc)',
  validationUpn: 'er ikke et gyldig påloggingsnavn (navn@domene)',
  validationBcEnvironment: 'er ikke et navn på et Business Central-miljø (bokstaver, sifre, - og _, høyst 30)',
  validationInvisible: 'inneholder usynlige tegn eller kontrolltegn (for eksempel bidi- eller nullbreddetegn); skriv det inn på nytt',
  validationTwoLetters: 'må være to bokstaver',
  validationLicence: 'velg en lisens',
  validationNotUrl: '«{value}» er ikke en URL. Bruk URL-en til miljøet, for eksempel https://contoso.crm4.dynamics.com.',
  validationNotEnvironmentUrl:
    '«{value}» er ikke URL-en til et Dynamics 365-miljø. Bruk URL-en som vises i Power Platform-administrasjonssenteret, for eksempel https://contoso.crm4.dynamics.com.',
  validationNotSandboxEnvironment: '«{value}» er ikke et miljø i sandkassetenanten på {origin}.',
};
