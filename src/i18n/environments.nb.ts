import type { environmentsEn } from './environments.en';

/** Velge miljøene fra tenantens egne lister. */
export const environmentsNb: Record<keyof typeof environmentsEn, string> = {
  envPickIntro: 'Jeg har lest disse fra tenanten din: miljøene og selskapene i Business Central, og Power Platform-miljøene som har en Dataverse-database. Jeg husker valget ditt for denne samtalen.',
  envPickCompany: 'Miljø og selskap i Business Central',
  envPickCompanyError: 'Velg miljøet og selskapet i Business Central.',
  envPickPowerPlatform: 'Sales-miljø (Power Platform)',
  envPickPowerPlatformError: 'Velg Power Platform-miljøet som har Sales.',
  envPickTyped: 'Skriv inn verdiene selv',
  envPickLists: 'Velg fra listene',
  envTypeProduction: 'produksjon',
  envTypeSandbox: 'sandkasse',
  envCompanyChoice: '{environment} ({type}, {country}) – {company}',
  envPowerPlatformChoice: '{name} – {location} ({region}) – {host}',
  envLinkedTag: '{choice} – koblet til {environment}',
  envReasonLinked:
    '**Forhåndsvalgt:** Administrasjonssenteret for Business Central kobler miljøet {bcEnvironment} til Power Platform-miljøet {environment}. Business Central foreslår det samme paret når tilkoblingen til Dataverse settes opp.',
  envReasonCurrent: '**Forhåndsvalgt:** det denne samtalen valgte tidligere.',
  envReasonConfigured: '**Forhåndsvalgt:** miljøene som er konfigurert for boten. Business Central kobler ikke noe Power Platform-miljø til {bcEnvironment}.',
  envReasonFirst:
    '**Ingen koblet par:** Administrasjonssenteret for Business Central kobler ingen av disse Business Central-miljøene til et Power Platform-miljø med Dataverse, så kontroller begge valgene.',
  envPickNoDataverse: 'Ikke tilbudt, fordi de mangler Dataverse-database: {names}.',
  envListsFailed: 'Jeg fikk ikke lest miljølistene, så skriv inn verdiene nedenfor. {reason}',
  envListsEmpty: 'Listene i tenanten din har ikke noe selskap i Business Central eller ikke noe Power Platform-miljø med Dataverse, så skriv inn verdiene nedenfor.',
  envPickProblemCompany: 'Det miljøet eller selskapet i Business Central finnes ikke i tenantens liste. Ingenting ble endret; velg på nytt.',
  envPickProblemPowerPlatform: 'Det Power Platform-miljøet finnes ikke i tenantens liste. Ingenting ble endret; velg på nytt.',
  envPickProblemNoDataverse: 'Power Platform-miljøet {environment} har ingen Dataverse-database og kan derfor ikke ha Sales. Ingenting ble endret; velg et annet.',
  envChooseFirst: 'Ingen miljøer er valgt for denne samtalen ennå. Skriv **sett opp** for å velge dem.',
  forbiddenBcAdminCenter:
    'Administrasjonssenteret for Business Central avviste dette: appen trenger Business Central-programtillatelsen AdminCenter.ReadWrite.All (med administratorsamtykke) og må være autorisert i administrasjonssenteret for Business Central (autoriserte Microsoft Entra-apper).',
};
