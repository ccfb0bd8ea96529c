import type { securityEn } from './security.en';

/** Hvem som kan bruke boten, og hva den svarer på det den ikke vil handle på. */
export const securityNb: Record<keyof typeof securityEn, string> = {
  securityNotAllowed:
    'Beklager, bare administratorene som setter opp Business Central og Sales for denne organisasjonen, kan bruke meg. Spør IT-administratoren din hvis du trenger tilgang. Ingenting ble endret.',
  securityNotApprover: 'Beklager, bare en godkjenner kan avgjøre planer, og det er ikke du. Ingenting ble endret.',
  securityOtherTenant: 'Beklager, jeg arbeider bare for organisasjonen som installerte meg, og denne samtalen tilhører en annen. Ingenting ble endret.',
  securityOtherChannel: 'Beklager, jeg arbeider bare i Microsoft Teams. Ingenting ble endret.',
  securityCheckFailed: 'Jeg kunne ikke bekrefte at du kan bruke meg: katalogen svarte ikke. Ingenting ble endret; prøv igjen om litt.',
  securityTextOnly: 'Jeg leser bare vanlige tekstmeldinger. Ingenting ble endret. Skriv **hjelp** for å se hva jeg kan.',
  securityBadAction: 'Den korthandlingen var ikke i en form jeg godtar, så jeg så bort fra den. Ingenting ble endret.',
  csvRowInvisible: '{column} inneholder et usynlig tegn (for eksempel et bidi- eller nullbreddetegn) som kan skjule hva teksten er.',
  securityUnknownAction: 'Den knappen kjenner jeg ikke; kortet kan være fra en eldre versjon. Ingenting ble endret. Skriv **sett opp** for å fortsette.',
};
