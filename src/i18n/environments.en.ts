/** Choosing the environments from the tenant's own lists. */
export const environmentsEn = {
  envPickIntro: "I read these from your tenant: Business Central's environments and companies, and the Power Platform environments that have a Dataverse database. I remember your choice for this conversation.",
  envPickCompany: 'Business Central environment and company',
  envPickCompanyError: 'Choose the Business Central environment and company.',
  envPickPowerPlatform: 'Sales environment (Power Platform)',
  envPickPowerPlatformError: 'Choose the Power Platform environment that holds Sales.',
  envPickTyped: 'Type the values instead',
  envPickLists: 'Choose from the lists',
  envTypeProduction: 'production',
  envTypeSandbox: 'sandbox',
  envCompanyChoice: '{environment} ({type}, {country}) · {company}',
  envPowerPlatformChoice: '{name} · {location} ({region}) · {host}',
  envLinkedTag: '{choice} · linked to {environment}',
  envReasonLinked:
    "**Preselected:** Business Central's admin center links the environment {bcEnvironment} to the Power Platform environment {environment}. Business Central proposes the same pair when the connection to Dataverse is set up.",
  envReasonCurrent: '**Preselected:** what this conversation chose before.',
  envReasonConfigured: '**Preselected:** the environments configured for this bot. Business Central links no Power Platform environment to {bcEnvironment}.',
  envReasonFirst:
    "**No linked pair:** Business Central's admin center links none of these Business Central environments to a Power Platform environment with Dataverse, so check both choices.",
  envPickNoDataverse: 'Not offered, as they have no Dataverse database: {names}.',
  envListsFailed: 'I could not read the environment lists, so type the values below. {reason}',
  envListsEmpty: "Your tenant's lists hold no Business Central company or no Power Platform environment with Dataverse, so type the values below.",
  envPickProblemCompany: "That Business Central environment or company is not in your tenant's list. Nothing was changed; choose again.",
  envPickProblemPowerPlatform: "That Power Platform environment is not in your tenant's list. Nothing was changed; choose again.",
  envPickProblemNoDataverse: 'The Power Platform environment {environment} has no Dataverse database, so it cannot hold Sales. Nothing was changed; choose another.',
  envChooseFirst: 'No environments are chosen for this conversation yet. Say **set up** to choose them.',
  forbiddenBcAdminCenter:
    "Business Central's admin center refused this: the app needs the Business Central application permission AdminCenter.ReadWrite.All (admin-consented) and must be authorised in the Business Central admin center (Authorized Microsoft Entra apps).",
} as const;
