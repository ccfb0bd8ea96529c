/** What a field the admin typed or chose on a card is told when the server does not accept it. */
export const validationEn = {
  validationField: '{field}: {problem}',
  validationRequired: 'is required',
  validationTooLong: 'is at most {max} characters',
  validationTooShort: 'needs at least {min} characters',
  validationTooMany: 'choose at most {max}',
  validationChoice: 'choose one of the values offered',
  validationFormat: 'is not in the expected form',
  validationGuid: 'is not a GUID (such as 1a2b3c4d-0000-0000-0000-123456789abc)',
  validationUpn: 'is not a valid sign-in name (name@domain)',
  validationBcEnvironment: 'is not a Business Central environment name (letters, digits, - and _, at most 30)',
  validationInvisible: 'contains invisible or control characters (such as bidi or zero-width characters); type it again',
  validationTwoLetters: 'must be two letters',
  validationLicence: 'choose a licence',
  validationNotUrl: '"{value}" is not a URL. Use the environment URL, such as https://contoso.crm4.dynamics.com.',
  validationNotEnvironmentUrl:
    '"{value}" is not a Dynamics 365 environment URL. Use the URL shown in the Power Platform admin center, such as https://contoso.crm4.dynamics.com.',
  validationNotSandboxEnvironment: '"{value}" is not an environment of the sandbox tenant at {origin}.',
} as const;
