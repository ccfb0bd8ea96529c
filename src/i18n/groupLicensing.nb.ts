import type { groupLicensingEn } from './groupLicensing.en';

/** Del 3 gjennom en gruppe: gruppebasert lisensiering og tilgang, planlinjene og utfallene. */
export const groupLicensingNb: Record<keyof typeof groupLicensingEn, string> = {
  glNoFacts: 'Gruppebasert lisensiering kunne ikke kontrolleres: velg «Kontroller på nytt» på listen.',
  glNoEntraP1:
    'gruppebasert lisensiering krever Microsoft Entra ID P1 eller P2 (eller en plan som inneholder det, som Microsoft 365 Business Premium eller E3), og leietakeren abonnerer ikke på noen av dem, så hver selger får sin egen lisens.',
  glGroupAmbiguous: '{count} grupper heter {group}: gi lisensgruppen et navn ingen annen gruppe har.',
  glGroupNotSecurity: '{group} er ikke en sikkerhetsgruppe, og lisenser kan bare gis til sikkerhetsgrupper: gi lisensgruppen et annet navn.',
  glGroupDynamic: '{group} har dynamisk medlemskap, så ingen kan legges til for hånd: gi lisensgruppen et annet navn.',
  glGroupName: '«{value}» kan ikke være et gruppenavn: bruk 1 til 256 tegn.',
  glRefuseNoEntraP1:
    'Selgerne kan ikke lisensieres gjennom en gruppe: gruppebasert lisensiering krever Microsoft Entra ID P1 eller P2 (eller en plan som inneholder det), og leietakeren abonnerer ikke på noen av dem. Velg «Gi hver selger sin egen lisens» på listen.',
  glRefuseSeats:
    'Gruppen {group} får {members} medlemmer som ikke har {sku} ennå, men {sku} har {free} ledige plasser: {missing} mangler. Kjøp eller frigjør {missing} plasser til, velg færre selgere, eller gi hver selger sin egen lisens.',
  glChoiceLabel: 'Lisensiering',
  glChoiceGroup: 'Lisensier og gi tilgang gjennom en gruppe (gruppebasert lisensiering)',
  glChoicePerUser: 'Gi hver selger sin egen lisens',
  glGroupNameLabel: 'Lisensgruppe (finnes etter navn, opprettes når den ikke finnes)',
  glAvailable: 'Gruppebasert lisensiering kan brukes: leietakeren har {premium}.',
  glModeGroup: 'Lisensiering: gjennom gruppen **{group}** (gruppebasert lisensiering, leietakeren har {premium}). Entra ID lisensierer medlemmene i bakgrunnen; kjøringen venter på hver av dem før de regnes som ferdige.',
  glModePerUser: 'Lisensiering: hver selger for seg — {why}',
  glWhyChosen: 'valgt på listekortet (gruppebasert lisensiering er tilgjengelig).',
  glPlanCreateGroup: 'sikkerhetsgruppen {group} opprettes',
  glPlanGroupLicence: 'gruppen {group} får lisensen {sku}: medlemmene får den fra gruppen ({members} plasser)',
  glPlanNest: 'gruppen {group} legges til i miljøets sikkerhetsgruppe {parent}, så medlemmene slipper inn',
  glPlanJoin: '{count} legges til i gruppen {group}, 20 per forespørsel',
  glStepJoin: 'lisensgruppe',
  actionCreateGroup: 'Opprett sikkerhetsgruppen {group}',
  actionAssignGroupLicense: 'Gi gruppen {group} lisensen {sku}',
  actionNestGroup: 'Legg gruppen {group} til i sikkerhetsgruppen {parent}',
  actionJoinLicenceGroup: 'Legg {user} til i gruppen {group} (lisensen {sku} fra gruppen)',
  glWaited: 'Ventet {seconds} s på at Entra ID lisensierte {count} medlemmer av {group} (gruppebasert lisensiering behandles i bakgrunnen).',
  errGroupLicenceSeats:
    'Entra ID kunne ikke gi {user} lisensen {sku} gjennom gruppen {group}: det er ikke nok lisenser (CountViolation). Kjøp eller frigjør plasser; Entra ID tildeler den når en plass er ledig, og prøv så på nytt.',
  errGroupLicenceError: 'Entra ID kunne ikke gi {user} lisensen {sku} gjennom gruppen {group}: {error}.',
  errGroupLicenceTimeout: 'Entra ID hadde ikke lisensiert {user} gjennom gruppen {group} innen {seconds} s. Prøv igjen senere.',
  errGroupNotFound: 'Gruppen {group} finnes ikke lenger i katalogen.',
};
