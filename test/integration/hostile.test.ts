import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { escapeMarkdown } from '../../src/cards/render';
import { t } from '../../src/i18n';
import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { completePart1, rawTenantState, startSetup } from '../helpers/flows';
import { action, findById } from '../helpers/cards';
import { cardText, type TeamsConversation } from '../helpers/teams';

/**
 * Hostile input: every case gets a clear, specific answer, the bot stays up, and the sandbox
 * tenant's state is byte-for-byte what it was (per case and over the whole suite).
 */

type Reply = { status: number; body: any };
type Case = [name: string, act: () => Promise<Reply>, check: (reply: Reply) => void];

const ROLES = SEED.dataverse.roles;
const MB = 1024 * 1024;
const JUST_UNDER_LIMIT = 200 * 1024;
const RLO = '\u202E';
const ZWSP = '\u200B';

let h: Harness;
let tenantAtStart: string;
/** At the Part 1 card. */
let adminChat: TeamsConversation;
/** At the dedicated integration user's form (Part 1 done). */
let formChat: TeamsConversation;
/** With a pending Part 1 plan of its own. */
let planChat: TeamsConversation;
let plan: { planId: string; digest: string };
/** Another conversation's pending plan. */
let otherPlan: { planId: string; digest: string };
/** At the Part 3 card, where a CSV file can be sent. */
let csvChat: TeamsConversation;
/** Serves the CSV files below on loopback, as Teams file storage would (sandbox mode allows only loopback). */
let files: http.Server;
let filesUrl: string;

beforeAll(async () => {
  h = await startHarness();
  formChat = h.conversation();
  const { card: pathCard, cardActivityId } = await completePart1(h, formChat);
  const form = await formChat.execute(ADMIN, 'integration.path', { path: 'dedicated' }, cardActivityId);
  expect(cardText(form.body.value)).toContain(t('en', 'dedicatedTitle'));
  expect(cardText(pathCard)).toContain(t('en', 'pathTitle'));

  adminChat = h.conversation();
  await startSetup(h, adminChat);

  // Two pending plans for different people: a plan for the same step would supersede the first.
  const pendingPlan = async (chat: TeamsConversation, userPrincipalName: string) => {
    await startSetup(h, chat);
    const card = (await chat.execute(ADMIN, 'admin.plan', { userPrincipalName, nonAdminRoleIds: ROLES.root.salesManager })).body.value;
    return action(card, 'plan.approve').data as { planId: string; digest: string };
  };
  planChat = h.conversation();
  plan = await pendingPlan(planChat, SEED.users.siljeAndersen.upn);
  otherPlan = await pendingPlan(h.conversation(), SEED.users.larsJohansen.upn);
  csvChat = h.conversation();
  await startSetup(h, csvChat);
  await csvChat.say(ADMIN, 'salespeople');
  expect(cardText(h.connector.cards().at(-1))).toContain('Part 3 of 3');
  files = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    if (name === 'redirect.csv') {
      res.writeHead(302, { location: 'https://evil.example.com/users.csv' });
      res.end();
      return;
    }
    const body = CSV_FILES[name];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/csv' });
    res.end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', () => resolve()));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  h.connector.clear();
  tenantAtStart = await rawTenantState(h);
}, 60_000);

afterAll(async () => {
  expect(await rawTenantState(h)).toBe(tenantAtStart);
  await new Promise<void>((resolve) => files.close(() => resolve()));
  await h.close();
});

// ---- what the user sees ----------------------------------------------------------------

/** The text of an invoke's answer (a message or a card), or of what the bot sent in the turn. */
function shown(reply: Reply): string {
  const value = reply.body?.value;
  if (typeof value === 'string') return value;
  if (value) return cardText(value);
  return [...h.connector.texts(), ...h.connector.cards().map(cardText)].join('\n');
}

/** A card's error line: the message as the card shows it (escaped for markdown). */
const saysError = (message: string) => (reply: Reply) => {
  expect(reply.status).toBe(200);
  expect(shown(reply)).toContain(escapeMarkdown(message));
};
const saysExactly = (message: string) => (reply: Reply) => {
  expect(reply.status).toBe(200);
  expect(shown(reply)).toBe(message);
};
const invalid = (problems: string) => saysError(t('en', 'invalidInput', { problems }));
const tooLarge = (reply: Reply) => {
  expect(reply.status).toBe(413);
  expect(h.connector.activities).toEqual([]);
};
const flipLast = (digest: string) => `${digest.slice(0, -1)}${digest.endsWith('0') ? '1' : '0'}`;
const hint = (echo: string) => saysExactly(t('en', 'hintUnknown', { text: echo }));

// ---- how the input arrives -------------------------------------------------------------

const say = (chat: () => TeamsConversation, text: unknown) => () => chat().post({ ...base(chat()), type: 'message', id: randomUUID(), text });
/** Card data, or a function of it for data known only once the harness runs. */
type Data = Record<string, unknown> | (() => Record<string, unknown>);
const run = (chat: () => TeamsConversation, verb: string, data: Data) => () => chat().execute(ADMIN, verb, typeof data === 'function' ? data() : data);
const invoke = (chat: () => TeamsConversation, value: unknown) => () =>
  chat().post({ ...base(chat()), type: 'invoke', name: 'adaptiveCard/action', id: randomUUID(), value });
const rawPost = (body: string) => async () => {
  const response = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.text() };
};
function base(chat: TeamsConversation) {
  return (chat as unknown as { base(user: typeof ADMIN): Record<string, unknown> }).base(ADMIN);
}

const admin = () => adminChat;
const form = () => formChat;
const planned = () => planChat;

const upnLabel = t('en', 'adminUpn');
const rolesLabel = t('en', 'adminNonAdminRoles');
/** One field's problem as the product words it: the card's label, then the message for the rule broken. */
const problem = (label: string, key: Parameters<typeof t>[1], vars: Record<string, string | number> = {}) =>
  t('en', 'validationField', { field: label, problem: t('en', key, vars) });
const adminPlan = (data: Record<string, unknown>) => run(admin, 'admin.plan', { nonAdminRoleIds: ROLES.root.salesManager, ...data });
const environment = (data: Record<string, unknown>) =>
  run(admin, 'env.save', () => ({
    dataverseUrl: `${h.sandbox.url}/dataverse`,
    bapEnvironmentId: SEED.environment.bapId,
    bcEnvironment: SEED.businessCentral.environment,
    bcCompanyId: SEED.businessCentral.companyId,
    deployment: 'online',
    ...data,
  }));
const dedicated = (data: Record<string, unknown>) =>
  run(form, 'integration.plan', { localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', usageLocation: 'NO', skuId: SEED.skus.sales, ...data });
const sandboxOrigin = () => new URL(h.sandbox.url).origin;
const notSandboxEnvironment = (url: string) => (reply: Reply) => saysError(`"${url}" is not an environment of the sandbox tenant at ${sandboxOrigin()}.`)(reply);

const commands: Case[] = [
  ['message: text is a number', say(admin, 42), saysExactly(t('en', 'securityTextOnly'))],
  ['message: text is an object', say(admin, { command: 'set up' }), saysExactly(t('en', 'securityTextOnly'))],
  ['message: text is an array', say(admin, ['set up']), saysExactly(t('en', 'securityTextOnly'))],
  ['message: 1 MB of text', say(admin, 'a'.repeat(MB)), tooLarge],
  ['message: just under the body limit', say(admin, 'a'.repeat(JUST_UNDER_LIMIT)), hint('a'.repeat(80))],
  ['message: a Cyrillic look-alike of "set up"', say(admin, 'sеt up'), hint('sеt up')],
  ['message: a zero-width space inside "set up"', say(admin, `set${ZWSP} up`), hint('set up')],
  ['message: a bidi override', say(admin, `${RLO}pu tes`), hint('pu tes')],
  ['message: OData injection', say(admin, "status' or 1 eq 1 or '"), hint("status' or 1 eq 1 or '")],
  ['message: path traversal', say(admin, '../../../etc/passwd'), hint('../../../etc/passwd')],
  ['message: a markdown link', say(admin, '[click here](https://evil.example)'), hint('\\[click here\\](https://evil.example)')],
  ['message: a Teams mention tag', say(admin, '<at>Ingrid</at> approve'), hint('\\<at\\>Ingrid\\</at\\> approve')],
  ['body: not JSON', rawPost('{"type":'), (reply) => expect(reply.status).toBe(400)],
  ['body: a JSON array', rawPost('[{"type":"message"}]'), (reply) => expect(reply.status).toBe(400)],
];

const adminCard: Case[] = [
  ['admin.plan: sign-in name missing', adminPlan({}), invalid(problem(upnLabel, 'validationRequired'))],
  ['admin.plan: sign-in name is a number', adminPlan({ userPrincipalName: 42 }), invalid(problem(upnLabel, 'validationFormat'))],
  ['admin.plan: sign-in name is an array', adminPlan({ userPrincipalName: [SEED.admin.upn] }), invalid(problem(upnLabel, 'validationFormat'))],
  ['admin.plan: sign-in name is an object', adminPlan({ userPrincipalName: { upn: SEED.admin.upn } }), invalid(problem(upnLabel, 'validationFormat'))],
  ['admin.plan: sign-in name is null', adminPlan({ userPrincipalName: null }), invalid(problem(upnLabel, 'validationRequired'))],
  ['admin.plan: sign-in name of 1 MB', adminPlan({ userPrincipalName: `${'a'.repeat(MB)}@contoso.no` }), tooLarge],
  ['admin.plan: sign-in name just under the body limit', adminPlan({ userPrincipalName: `${'a'.repeat(JUST_UNDER_LIMIT)}@contoso.no` }), invalid(problem(upnLabel, 'validationTooLong', { max: 113 }))],
  ['admin.plan: a Cyrillic "о" in the domain', adminPlan({ userPrincipalName: 'ingrid.berg@cоntoso.no' }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: a Cyrillic "а" in the name', adminPlan({ userPrincipalName: 'ingrid.bеrg@contoso.no' }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: a bidi override in the name', adminPlan({ userPrincipalName: `ingrid${RLO}.berg@contoso.no` }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: a zero-width space in the name', adminPlan({ userPrincipalName: `ingrid${ZWSP}.berg@contoso.no` }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: OData injection with spaces', adminPlan({ userPrincipalName: "x' or 1 eq 1 or '@contoso.no" }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: OData injection in valid sign-in name grammar', adminPlan({ userPrincipalName: "a'or'1'eq'1@contoso.no" }), saysError(t('en', 'refuseNoEntraUser', { user: "a'or'1'eq'1@contoso.no" }))],
  ['admin.plan: path traversal', adminPlan({ userPrincipalName: '../../users@contoso.no' }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: a markdown link as sign-in name', adminPlan({ userPrincipalName: '[x](https://evil.example)@contoso.no' }), invalid(problem(upnLabel, 'validationUpn'))],
  ['admin.plan: a made-up role id', adminPlan({ userPrincipalName: SEED.admin.upn, nonAdminRoleIds: '00000000-0000-4000-8000-000000000000' }), saysError(t('en', 'refuseUnknownRole', { role: '00000000-0000-4000-8000-000000000000' }))],
  ['admin.plan: System Administrator passed off as the non-administrative role', adminPlan({ userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.root.systemAdministrator }), saysError(t('en', 'refuseUnknownRole', { role: ROLES.root.systemAdministrator }))],
  ['admin.plan: a role id that is not a GUID', adminPlan({ userPrincipalName: SEED.admin.upn, nonAdminRoleIds: "' or 1 eq 1" }), invalid(problem(rolesLabel, 'validationGuid'))],
  ['admin.plan: 25 role ids', adminPlan({ userPrincipalName: SEED.admin.upn, nonAdminRoleIds: Array.from({ length: 25 }, () => ROLES.root.salesManager).join(',') }), invalid(problem(rolesLabel, 'validationTooMany', { max: 20 }))],
  ['admin.plan: role ids as an array', adminPlan({ userPrincipalName: SEED.admin.upn, nonAdminRoleIds: [ROLES.root.salesManager] }), invalid(problem(rolesLabel, 'validationFormat'))],
];

const environmentCard: Case[] = [
  ['env.save: a URL on another host', environment({ dataverseUrl: 'https://evil.example.com' }), notSandboxEnvironment('https://evil.example.com')],
  ['env.save: a javascript: URL', environment({ dataverseUrl: 'javascript:alert(1)' }), notSandboxEnvironment('javascript:alert(1)')],
  ['env.save: a file: URL', environment({ dataverseUrl: 'file:///etc/passwd' }), notSandboxEnvironment('file:///etc/passwd')],
  ['env.save: the cloud metadata address', environment({ dataverseUrl: 'http://169.254.169.254/latest/meta-data' }), notSandboxEnvironment('http://169.254.169.254/latest/meta-data')],
  ['env.save: credentials in the URL', environment({ dataverseUrl: 'http://user:pass@evil.example.com' }), notSandboxEnvironment('http://user:pass@evil.example.com')],
  ['env.save: not a URL', environment({ dataverseUrl: '../../graph' }), saysError(t('en', 'validationNotUrl', { value: '../../graph' }))],
  ['env.save: URL is a number', environment({ dataverseUrl: 443 }), invalid(problem(t('en', 'envDataverseUrl'), 'validationFormat'))],
  ['env.save: Power Platform id with path traversal', environment({ bapEnvironmentId: '../../providers/x' }), invalid(problem(t('en', 'envBapId'), 'validationGuid'))],
  ['env.save: BC environment with path traversal', environment({ bcEnvironment: '../../admin' }), invalid(problem(t('en', 'envBcEnvironment'), 'validationBcEnvironment'))],
  ['env.save: BC environment with OData injection', environment({ bcEnvironment: "Production' or 1 eq 1" }), invalid(problem(t('en', 'envBcEnvironment'), 'validationBcEnvironment'))],
  ['env.save: a made-up company id', environment({ bcCompanyId: '00000000-0000-4000-8000-000000000000' }), saysError(t('en', 'envCompanyError'))],
  ['env.save: an unknown deployment', environment({ deployment: 'cloud' }), invalid(problem(t('en', 'envDeployment'), 'validationChoice'))],
];

const integrationForm: Case[] = [
  ['integration.plan: a Cyrillic "с" in the user name', dedicated({ localPart: 'bс-sync' }), invalid(problem(t('en', 'dedicatedLocalPart'), 'validationUpn'))],
  ['integration.plan: a zero-width space in the user name', dedicated({ localPart: `bc${ZWSP}-sync` }), invalid(problem(t('en', 'dedicatedLocalPart'), 'validationUpn'))],
  ['integration.plan: an unverified domain', dedicated({ domain: SEED.domains.unverified }), saysError(t('en', 'refuseDomainNotVerified', { domain: SEED.domains.unverified }))],
  ['integration.plan: path traversal in the domain', dedicated({ domain: 'contoso.no/../evil.example' }), invalid(problem(t('en', 'dedicatedLocalPart'), 'validationUpn'))],
  ['integration.plan: a bidi override in the display name', dedicated({ displayName: `BC ${RLO}cnyS` }), invalid(problem(t('en', 'dedicatedDisplayName'), 'validationInvisible'))],
  ['integration.plan: a zero-width space in the display name', dedicated({ displayName: `BC${ZWSP} Sync` }), invalid(problem(t('en', 'dedicatedDisplayName'), 'validationInvisible'))],
  ['integration.plan: a display name of 300 characters', dedicated({ displayName: 'B'.repeat(300) }), invalid(problem(t('en', 'dedicatedDisplayName'), 'validationTooLong', { max: 256 }))],
  ['integration.plan: a display name that is an object', dedicated({ displayName: { text: 'BC Sync' } }), invalid(problem(t('en', 'dedicatedDisplayName'), 'validationFormat'))],
  ['integration.plan: a made-up country', dedicated({ usageLocation: 'ZZ' }), saysError(t('en', 'invalidCountry', { code: 'ZZ' }))],
  ['integration.plan: a country that is a number', dedicated({ usageLocation: 47 }), invalid(problem(t('en', 'dedicatedUsageLocation'), 'validationFormat'))],
  ['integration.plan: a made-up licence', dedicated({ skuId: '00000000-0000-4000-8000-000000000000' }), saysError(t('en', 'refuseSkuNotAvailable', { sku: '00000000-0000-4000-8000-000000000000' }))],
  [
    'integration.plan: template and markdown syntax in the display name are kept as text',
    dedicated({ displayName: '${strings.errorGeneric} [x](https://evil.example)', usageLocation: 'ZZ' }),
    (reply) => {
      saysError(t('en', 'invalidCountry', { code: 'ZZ' }))(reply);
      expect(findById(reply.body.value, 'displayName')?.value).toBe('${strings.errorGeneric} [x](https://evil.example)');
      expect(shown(reply)).not.toContain(t('en', 'errorGeneric'));
    },
  ],
];

const planVerbs: Case[] = [
  ['plan.approve: a made-up plan id', run(planned, 'plan.approve', { planId: randomUUID(), digest: 'a'.repeat(64) }), saysExactly(t('en', 'planUnknown'))],
  ["plan.approve: another conversation's plan", () => planChat.execute(ADMIN, 'plan.approve', otherPlan), saysExactly(t('en', 'planUnknown'))],
  ['plan.approve: a modified digest', () => planChat.execute(ADMIN, 'plan.approve', { planId: plan.planId, digest: flipLast(plan.digest) }), saysError(t('en', 'planStale'))],
  ['plan.approve: the digest is an object', () => planChat.execute(ADMIN, 'plan.approve', { planId: plan.planId, digest: { $ne: '' } }), saysExactly(t('en', 'planUnknown'))],
  ['plan.approve: path traversal as plan id', run(planned, 'plan.approve', { planId: '../approval:x', digest: 'a'.repeat(64) }), saysExactly(t('en', 'planUnknown'))],
  ["plan.approve: another verb's data", run(planned, 'plan.approve', { dataverseUrl: 'https://evil.example.com', bcCompanyId: SEED.businessCentral.companyId }), saysExactly(t('en', 'planUnknown'))],
  ["plan.cancel: another conversation's plan", () => planChat.execute(ADMIN, 'plan.cancel', otherPlan), saysExactly(t('en', 'planUnknown'))],
  ['plan.retry: a made-up plan id', run(planned, 'plan.retry', { planId: randomUUID() }), saysExactly(t('en', 'planUnknown'))],
  ['plan.continue: a plan id that is a number', run(planned, 'plan.continue', { planId: 42 }), saysExactly(t('en', 'planUnknown'))],
];

const envelopes: Case[] = [
  ['invoke: a verb no route knows', invoke(admin, { action: { type: 'Action.Execute', verb: 'admin.deleteAll', data: {} } }), saysExactly(t('en', 'securityUnknownAction'))],
  ['invoke: path traversal as verb', invoke(admin, { action: { type: 'Action.Execute', verb: '../../admin.plan', data: {} } }), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: the verb is a number', invoke(admin, { action: { type: 'Action.Execute', verb: 7, data: {} } }), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: the verb just under the body limit', invoke(admin, { action: { type: 'Action.Execute', verb: `a${'b'.repeat(JUST_UNDER_LIMIT)}`, data: {} } }), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: no value', invoke(admin, undefined), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: the value is a string', invoke(admin, 'admin.plan'), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: no action', invoke(admin, { trigger: 'manual' }), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: an Action.Submit where Action.Execute belongs', invoke(admin, { action: { type: 'Action.Submit', verb: 'admin.plan', data: {} } }), saysExactly(t('en', 'securityBadAction'))],
  ['invoke: data is null', invoke(admin, { action: { type: 'Action.Execute', verb: 'admin.plan', data: null } }), invalid(problem(upnLabel, 'validationRequired'))],
  ['invoke: data is a string', invoke(admin, { action: { type: 'Action.Execute', verb: 'admin.plan', data: 'userPrincipalName=x' } }), invalid(problem(upnLabel, 'validationRequired'))],
  ['invoke: data is an array', invoke(admin, { action: { type: 'Action.Execute', verb: 'admin.plan', data: [SEED.admin.upn] } }), invalid(problem(upnLabel, 'validationRequired'))],
  ['invoke: data of 1 MB', invoke(admin, { action: { type: 'Action.Execute', verb: 'admin.plan', data: { userPrincipalName: SEED.admin.upn, padding: 'x'.repeat(MB) } } }), tooLarge],
];

// ---- CSV files sent to the Part 3 card ---------------------------------------------------

const HEADER = ADMIN_CENTER_HEADER.join(',');
/** One row in the admin center's format; the cells given by column name, the rest empty. */
const row = (cells: Partial<Record<(typeof ADMIN_CENTER_HEADER)[number], string>>) =>
  ADMIN_CENTER_HEADER.map((column) => {
    const value = cells[column] ?? '';
    return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }).join(',');
const person = (upn: string, more: Partial<Record<(typeof ADMIN_CENTER_HEADER)[number], string>> = {}) =>
  row({ 'User Name': upn, 'Display Name': 'Ny Selger', 'Country or Region': 'Norway', ...more });
const csv = (...lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');

const CSV_FILES: Record<string, Buffer> = {
  'big.csv': csv(HEADER, ...Array.from({ length: 9000 }, (_, i) => person(`selger${i}@contoso.no`, { Address: 'x'.repeat(100) }))),
  'empty.csv': Buffer.alloc(0),
  'header.csv': csv('Name,Email', 'A,a@contoso.no'),
  'semicolons.csv': csv(ADMIN_CENTER_HEADER.join(';'), 'a@contoso.no;;;A;;;;;;;;;;;;Norway'),
  'rows.csv': csv(HEADER, ...Array.from({ length: 5001 }, (_, i) => person(`s${i}@contoso.no`))),
  'latin1.csv': Buffer.concat([Buffer.from(`${HEADER}\r\n`), Buffer.from('bj\xf8rn@contoso.no,,,Bj\xf8rn,,,,,,,,,,,,Norway\r\n', 'latin1')]),
  'formula.csv': csv(HEADER, person('ny.selger@contoso.no', { 'Display Name': '=HYPERLINK("https://evil.example","Ny")' })),
  'cyrillic.csv': csv(HEADER, person('ny.sеlger@contoso.no')),
  'bidi.csv': csv(HEADER, person('ny.selger@contoso.no', { 'Display Name': `Ny ${RLO}regleS` })),
  'zerowidth.csv': csv(HEADER, person('ny.selger@contoso.no', { 'Last Name': `Sel${ZWSP}ger` })),
  'injection.csv': csv(HEADER, person("x' or 1 eq 1 or '@contoso.no")),
  'traversal.csv': csv(HEADER, person('../../etc/passwd@contoso.no')),
};

const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';
const sendFile = (file: { url: () => string; name?: string; fileType?: unknown }) => () =>
  csvChat.post({
    ...base(csvChat),
    type: 'message',
    id: randomUUID(),
    attachments: [{ contentType: TEAMS_FILE, name: file.name ?? 'salespeople.csv', content: { downloadUrl: file.url(), uniqueId: randomUUID(), fileType: file.fileType ?? 'csv' } }],
  });
const served = (name: string) => sendFile({ url: () => `${filesUrl}/${name}`, name });
const fileProblem = (problem: string) => (reply: Reply) => {
  expect(reply.status).toBe(200);
  expect(shown(reply)).toContain(t('en', 'spImportFileProblem', { problem }));
};
/** The file-level message with its size left open (how the size is worded is the card's business). */
const SOME_SIZE = '\u0000size\u0000';
const fileProblemMatching = (problem: string) => (reply: Reply) => {
  expect(reply.status).toBe(200);
  const [before, after] = t('en', 'spImportFileProblem', { problem }).split(SOME_SIZE).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  expect(shown(reply)).toMatch(new RegExp(`${before}.{1,40}${after}`));
};
const lineProblem = (line: number, problem: string) => (reply: Reply) => {
  expect(reply.status).toBe(200);
  expect(shown(reply)).toContain(t('en', 'spImportLine', { line, problem }));
};

const csvUploads: Case[] = [
  ['csv: a download link on another host', sendFile({ url: () => 'https://evil.example.com/users.csv' }), saysExactly(t('en', 'spImportHost'))],
  ['csv: a download link to the cloud metadata address', sendFile({ url: () => 'http://169.254.169.254/latest/meta-data/iam' }), saysExactly(t('en', 'spImportHost'))],
  ['csv: a download link with credentials in it', sendFile({ url: () => filesUrl.replace('http://', 'http://admin:pw@') + '/formula.csv' }), saysExactly(t('en', 'spImportHost'))],
  ['csv: a loopback link that redirects to another host', served('redirect.csv'), saysExactly(t('en', 'spImportHost'))],
  ['csv: the download link is a number', sendFile({ url: () => 42 as unknown as string }), saysExactly(t('en', 'spImportNotCsv'))],
  ['csv: not a CSV file', sendFile({ url: () => `${filesUrl}/formula.csv`, name: 'payload.exe', fileType: 'exe' }), saysExactly(t('en', 'spImportNotCsv'))],
  ['csv: a file over 1 MB', served('big.csv'), fileProblemMatching(t('en', 'csvFileTooLarge', { size: SOME_SIZE }))],
  ['csv: an empty file', served('empty.csv'), fileProblem(t('en', 'csvFileEmpty'))],
  ['csv: another header', served('header.csv'), fileProblem(t('en', 'csvFileHeader', { header: HEADER, found: 'Name,Email' }))],
  ['csv: semicolons for commas', served('semicolons.csv'), fileProblem(t('en', 'csvFileSemicolons'))],
  ['csv: more rows than the import takes', served('rows.csv'), fileProblem(t('en', 'csvFileTooManyRows', { rows: 5001, max: 5000 }))],
  ['csv: not UTF-8', served('latin1.csv'), fileProblem(t('en', 'csvFileNotUtf8'))],
  ['csv: a formula in a cell', served('formula.csv'), lineProblem(2, t('en', 'csvRowFormula', { column: 'Display Name', start: '=' }))],
  ['csv: a Cyrillic look-alike in the user name', served('cyrillic.csv'), lineProblem(2, t('en', 'csvRowUpnInvalid', { value: 'ny.sеlger@contoso.no' }))],
  ['csv: a bidi override in the display name', served('bidi.csv'), lineProblem(2, t('en', 'csvRowInvisible', { column: 'Display Name' }))],
  ['csv: a zero-width space in the last name', served('zerowidth.csv'), lineProblem(2, t('en', 'csvRowInvisible', { column: 'Last Name' }))],
  ['csv: OData injection as user name', served('injection.csv'), lineProblem(2, t('en', 'csvRowUpnInvalid', { value: "x' or 1 eq 1 or '@contoso.no" }))],
  ['csv: path traversal as user name', served('traversal.csv'), lineProblem(2, t('en', 'csvRowUpnInvalid', { value: '../../etc/passwd@contoso.no' }))],
];

const cases: Case[] = [...commands, ...adminCard, ...environmentCard, ...integrationForm, ...planVerbs, ...envelopes, ...csvUploads];

describe('hostile input', () => {
  it('has at least 50 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('%s', async (_name, act, check) => {
    const before = await rawTenantState(h);
    h.connector.clear();
    const reply = await act();
    check(reply);
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    expect(await rawTenantState(h)).toBe(before);
  });
});
