/** Graph user: property schema, projection, and validation of writes (POST / PATCH /users). */
import { HttpError, isObject, jsonBody, type SbRequest } from './http';
import type { GraphEntity } from './graphQuery';
import type { Schema } from './odata';
import type { GraphUser, Json, SandboxState } from './state';
import { licenceStates } from './graphLicensing';
import { usersWithMail, usersWithUpn } from './userIndex';

export const USER_ENTITY = 'microsoft.graph.user';

/** Properties returned when no $select is given (as Graph v1.0 does). */
export const USER_DEFAULT_PROPS = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'id',
] as const;

const PROFILE_STRINGS: Record<string, number> = {
  department: 64, officeLocation: 128, preferredLanguage: 16, mobilePhone: 64, city: 128, country: 128, state: 128,
  streetAddress: 1024, postalCode: 40, companyName: 64, employeeId: 16, faxNumber: 64,
};
const PROFILE_ARRAYS = ['businessPhones', 'otherMails'];

export const USER_SCHEMA: Schema = {
  id: 'string', userPrincipalName: 'string', displayName: 'string', givenName: 'string', surname: 'string', mail: 'string',
  mailNickname: 'string', jobTitle: 'string', accountEnabled: 'bool', usageLocation: 'string', createdDateTime: 'datetime',
  userType: 'string', passwordProfile: 'string', assignedLicenses: 'string', licenseAssignmentStates: 'string', businessPhones: 'string', otherMails: 'string',
  onPremisesSyncEnabled: 'bool',
  ...Object.fromEntries(Object.keys(PROFILE_STRINGS).map((k) => [k, 'string' as const])),
};

export const USER_FILTERABLE: ReadonlySet<string> = new Set([
  'id', 'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'jobTitle', 'accountEnabled',
  'usageLocation', 'userType', 'department', 'companyName', 'employeeId', 'city', 'country', 'officeLocation', 'createdDateTime',
  'assignedLicenses', 'otherMails',
]);

export function userRow(u: GraphUser): Record<string, unknown> {
  return {
    ...userScalars(u),
    assignedLicenses: u.assignedLicenses.map((a) => ({ disabledPlans: [...a.disabledPlans], skuId: a.skuId })),
    licenseAssignmentStates: licenceStates(u),
  };
}

/** A user's row without its licences (which cost the most to build): what a default property set needs. */
export function userScalars(u: GraphUser): Record<string, unknown> {
  return {
    businessPhones: [],
    otherMails: [],
    ...u.profile,
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    mail: u.mail,
    mailNickname: u.mailNickname,
    jobTitle: u.jobTitle,
    accountEnabled: u.accountEnabled,
    usageLocation: u.usageLocation,
    createdDateTime: u.createdDateTime,
    userType: u.userType,
    passwordProfile: null,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null,
  };
}

// ISO 3166-1 alpha-2 codes
const COUNTRIES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ ' +
    'DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ ' +
    'OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' '),
);

const invalid = (prop: string) => new HttpError(400, 'Request_BadRequest', `Invalid value specified for property '${prop}' of resource 'User'.`);

const UPN_LOCAL = /^[A-Za-z0-9'.\-_!#^~]+$/;

/** Validates a UPN's grammar and domain; returns the canonical UPN. */
export function checkUpn(s: SandboxState, upn: unknown): string {
  if (typeof upn !== 'string') throw invalid('userPrincipalName');
  const at = upn.lastIndexOf('@');
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1).toLowerCase();
  if (at <= 0 || local.includes('@') || !UPN_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.length > 64 || upn.length > 113 || !domain) {
    throw invalid('userPrincipalName');
  }
  const d = s.tenant.domains.find((x) => x.name.toLowerCase() === domain);
  if (!d || !d.isVerified) {
    throw new HttpError(400, 'Request_BadRequest',
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.');
  }
  return `${local}@${domain}`;
}

export function checkUpnUnique(s: SandboxState, upn: string, selfId?: string): void {
  const lower = upn.toLowerCase();
  if (usersWithUpn(s.graph.users, lower).some((u) => u.id !== selfId)) {
    throw new HttpError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
  }
}

/**
 * `mail` is writable (microsoftgraph/microsoft-graph-docs PR 9653, "the user's mail property was made
 * writable"; Learn "user resource type": changes to it add the value to proxyAddresses as an SMTP
 * address). An SMTP proxy address is unique in the tenant and on one of its domains; the texts of
 * both refusals are modelled on the userPrincipalName ones and are unverified for `mail`.
 */
export function checkMail(s: SandboxState, mail: string, selfId: string): void {
  const lower = mail.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  if (!s.tenant.domains.some((d) => d.isVerified && d.name.toLowerCase() === domain)) {
    throw new HttpError(400, 'Request_BadRequest', 'The domain portion of the mail property is invalid. You must use one of the verified domain names in your organization.');
  }
  if ([...usersWithMail(s.graph.users, lower), ...usersWithUpn(s.graph.users, lower)].some((u) => u.id !== selfId)) {
    throw new HttpError(400, 'Request_BadRequest', 'Another object with the same value for property proxyAddresses already exists.');
  }
}

export function checkPassword(pw: unknown): void {
  if (typeof pw !== 'string' || !pw) {
    throw new HttpError(400, 'Request_BadRequest', 'A password must be specified to create a new user.');
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
  if (pw.length < 8 || pw.length > 256 || classes < 3) {
    throw new HttpError(400, 'Request_BadRequest',
      'The specified password does not comply with password complexity requirements. Please provide a different password.');
  }
}

const WRITABLE = new Set([
  'accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName', 'givenName', 'surname', 'mail',
  'jobTitle', 'usageLocation', ...Object.keys(PROFILE_STRINGS), ...PROFILE_ARRAYS,
]);

const str = (v: unknown, prop: string, max: number, allowNull = true): string | null => {
  if (v === null && allowNull) return null;
  if (typeof v !== 'string' || v.length > max) throw invalid(prop);
  return v;
};

/**
 * Applies `body` to `user` (a fresh object for POST). Throws HttpError on the first invalid value;
 * the caller applies the result only when everything validated.
 */
export function applyUserWrite(s: SandboxState, user: GraphUser, body: unknown, create: boolean): GraphUser {
  if (!isObject(body)) throw new HttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  for (const k of Object.keys(body)) {
    if (k.startsWith('@odata.')) continue;
    if (!WRITABLE.has(k)) {
      throw new HttpError(400, 'Request_BadRequest', `Property '${k}' is read-only or does not exist on type '${USER_ENTITY}'.`);
    }
  }
  if (create) {
    for (const req of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName'] as const) {
      if (body[req] === undefined || body[req] === null || body[req] === '') throw invalid(req);
    }
    if (!isObject(body.passwordProfile)) {
      throw new HttpError(400, 'Request_BadRequest', 'A password must be specified to create a new user.');
    }
  }
  const u: GraphUser = { ...user, profile: { ...user.profile }, assignedLicenses: [...user.assignedLicenses] };
  if (body.accountEnabled !== undefined) {
    if (typeof body.accountEnabled !== 'boolean') throw invalid('accountEnabled');
    u.accountEnabled = body.accountEnabled;
  }
  if (body.displayName !== undefined) {
    const v = str(body.displayName, 'displayName', 256, false);
    if (!v || !v.trim()) throw invalid('displayName');
    u.displayName = v;
  }
  if (body.mailNickname !== undefined) {
    const v = str(body.mailNickname, 'mailNickname', 64, false);
    if (!v || /[@()\\[\]";:<>,\s]/.test(v) || /[^\x20-\x7e]/.test(v)) throw invalid('mailNickname');
    u.mailNickname = v;
  }
  for (const k of ['givenName', 'surname', 'jobTitle'] as const) {
    if (body[k] !== undefined) u[k] = str(body[k], k, k === 'jobTitle' ? 128 : 64);
  }
  if (body.mail !== undefined) {
    const v = str(body.mail, 'mail', 254);
    if (v !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw invalid('mail');
    if (user.onPremisesSyncEnabled) {
      // The on-premises directory is the source of authority (microsoftgraph/microsoft-graph-docs-contrib issue 3564).
      throw new HttpError(400, 'Request_BadRequest', 'Unable to update the specified properties for objects that have originated within an external service.');
    }
    u.mail = v;
  }
  if (body.usageLocation !== undefined) {
    const v = str(body.usageLocation, 'usageLocation', 2);
    if (v !== null && !COUNTRIES.has(v.toUpperCase())) throw invalid('usageLocation');
    u.usageLocation = v === null ? null : v.toUpperCase();
  }
  for (const [k, max] of Object.entries(PROFILE_STRINGS)) {
    if (body[k] !== undefined) u.profile[k] = str(body[k], k, max);
  }
  for (const k of PROFILE_ARRAYS) {
    const v = body[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string') || (k === 'businessPhones' && v.length > 1)) throw invalid(k);
    u.profile[k] = v as Json[];
  }
  if (body.userPrincipalName !== undefined) {
    const upn = checkUpn(s, body.userPrincipalName);
    checkUpnUnique(s, upn, create ? undefined : u.id);
    u.userPrincipalName = upn;
  }
  // After the sign-in name: a create repeated after a lost answer meets the userPrincipalName conflict first.
  if (body.mail !== undefined && u.mail !== null) checkMail(s, u.mail, u.id);
  if (body.passwordProfile !== undefined) {
    if (!isObject(body.passwordProfile)) throw invalid('passwordProfile');
    const pp = body.passwordProfile;
    if (pp.password !== undefined || create) checkPassword(pp.password);
    if (pp.password !== undefined) u.passwordSet = true;
    if (pp.forceChangePasswordNextSignIn !== undefined) {
      if (typeof pp.forceChangePasswordNextSignIn !== 'boolean') throw invalid('passwordProfile');
      u.forceChangePasswordNextSignIn = pp.forceChangePasswordNextSignIn;
    }
  }
  return u;
}

export const USER: GraphEntity = {
  entity: USER_ENTITY,
  schema: USER_SCHEMA,
  filterable: USER_FILTERABLE,
  collections: { assignedLicenses: { skuId: 'guid' }, otherMails: 'string' },
  orderable: new Set(['displayName', 'userPrincipalName']),
  defaults: USER_DEFAULT_PROPS,
};

const BAD_JSON = 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';

export function body(req: SbRequest): unknown {
  return jsonBody(req, 'BadRequest', BAD_JSON);
}
