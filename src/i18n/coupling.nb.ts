import type { couplingEn } from './coupling.en';

/**
 * Del 3: hva Business Centrals Match-Based Coupling vil gjøre, og hvordan den kjøres. Side- og
 * feltnavn står med Business Centrals engelske titler og sidenummer, så de kan finnes i alle språk.
 */
export const couplingNb: Record<keyof typeof couplingEn, string> = {
  cpTitle: 'Hva Business Centrals Match-Based Coupling vil gjøre',
  cpIntro:
    'Med Business Centrals standardinnstillinger sammenlignes hver selgers **Email** (uten å skille store og små bokstaver) med **Primary Email** for en Sales-bruker som er lisensiert, aktiv og ikke en integrasjonsbruker. Primær e-post kommer fra kontoens e-postadresse i Microsoft 365; en konto uten postboks har ingen.',
  cpOutcomeMatch: 'Blir koblet',
  cpOutcomeNoMatch: 'Ingen Sales-bruker med den e-posten',
  cpOutcomeSeveral: 'Flere Sales-brukere med den e-posten',
  cpOutcomeAlreadyCoupled: 'Sales-brukeren er allerede koblet',
  cpOutcomeNotEligible: 'Sales-brukeren blir utelatt',
  cpLine: '**{code}** {email}: {outcome} — {detail}',
  cpLineMatch: '**{code}** {email}: {outcome} ({user})',
  cpCauseNoEmail: 'selgeren har ingen e-post i Business Central; legg inn en på selgerkortet.',
  cpCauseNoMail: '{user} har ingen e-postadresse (ingen postboks), så Sales-brukeren har ingen primær e-post.',
  cpCauseOtherMail: 'Sales-brukerens primære e-post er {primary}.',
  cpCauseNoSalesUser: 'ingen i Sales har den ennå.',
  cpSeveral: '{count} Sales-brukere har den, så Business Central kobler ingen av dem.',
  cpAlreadyCoupledTo: '{user} er koblet til selger {code}.',
  cpAlreadyCoupledOther: '{user} er koblet til en annen selger.',
  cpNotEligibleDisabled: '{user} er deaktivert i Sales.',
  cpNotEligibleUnlicensed: '{user} er ikke lisensiert i Sales.',
  cpNotEligibleIntegration: '{user} er en integrasjonsbruker, og slike kobler Business Central aldri.',
  cpFixSetMail: 'Løsning: jeg kan sette e-postadressen til {user} til {address} (se nedenfor).',
  cpFixUseMail: 'Løsning: bruk {primary} som selgerens Email i Business Central, eller gjør {email} til postboksens primære adresse.',
  cpFixUseMailPlain: 'Løsning: bruk Sales-brukerens primære e-post som selgerens Email i Business Central.',
  cpFixUniqueEmail: 'Løsning: gi hver av disse brukerne en egen adresse, eller velg selgeren for riktig bruker for hånd i kolonnen «{column}» på side 7209.',
  cpFixDeleteCoupling: 'Løsning: hvis den koblingen er feil, merk brukeren på side 7209 og velg «{action}» først.',
  cpFixEnableUser: 'Løsning: aktiver kontoen og sørg for at den slippes inn i Sales-miljøet (sikkerhetsgruppen); planen i del 3 gjør dette for selgerne den setter opp.',
  cpFixLicenseUser: 'Løsning: gi kontoen en Sales-lisens; planen i del 3 gjør dette.',
  cpFixOwnEmail: 'Løsning: gi selgeren en egen e-postadresse.',
  cpFixSetUpFirst: 'Løsning: sett opp selgeren først med planen i del 3, og kjør deretter Match-Based Coupling.',
  cpFixSetMailYourself: 'Løsning: sett e-postadressen {address} der kontoen forvaltes (Exchange-administrasjonssenteret, eller den lokale katalogen for en synkronisert konto); jeg kan ikke sette den her.',
  cpMore: '… og {count} til.',
  cpSteps:
    '**Deretter, i Business Central:**\n\n1\\. Åpne **{couplePage}** (side 7209){link}.\n\n2\\. Velg **{matchAction}** og bekreft.\n\n3\\. På **{criteriaPage}** (side 5363) krysser du av **{matchField}** bare på linjen **{salespersonEmail}** ↔ **{primaryEmail}**, lar **{caseSensitive}** være av, og velger **OK**.\n\n4\\. Oppdater siden: kolonnen **{column}** viser hver kobling.\n\n5\\. Åpne **{usersPage}** (side 5340), merk de koblede brukerne og velg **{teamAction}**: side 7209 åpnet alene legger dem ikke til i standard eierteam.\n\n6\\. Kom tilbake hit og velg **Kontroller på nytt**.',
  cpStepsLink: ': {link}',
  cpStepsOnPremises: ' (søk etter den i din egen Business Central-webklient)',
  cpFixes: 'Jeg kan løse {count} av disse: sette den manglende e-postadressen på kontoen, slik at Sales-brukeren får selgerens e-post som primær e-post. Endringen planlegges og godkjennes som alle andre.',
  cpFixesAction: 'Planlegg e-postrettingene',
  cpNothingToFix: 'Det finnes ingen e-postadresse jeg kan sette: alle løsningene som gjenstår, er trinnene over.',
  actionSetMail: 'Sett e-postadressen til {user} til {address} (Sales-brukerens primære e-post følger med)',
  spPlanMail: '{count} e-postadresser satt på kontoer uten postboks (Sales-brukernes primære e-post følger med)',
  spStepMail: 'e-postadresse',
  cpCouplingsObserved: 'Koblinger sett gjennom koblingsendepunktet: {count} av {total} selgere.',
  cpCouplingsUnobservable: 'Koblinger laget i Business Central kan ikke leses uten et koblingsendepunkt; Match-Based Coupling skal koble {count} av {total} selgere.',
};
