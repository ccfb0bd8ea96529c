import { stringify } from 'csv-stringify/sync';
import { SEED } from '../../src/sandbox';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { en } from '../../src/i18n/en';
import { nb } from '../../src/i18n/nb';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { resetTenant } from '../helpers/flows';
import { acceptFile, sendFile, startFileHost, type FileHost } from '../helpers/salespeopleFiles';
import { cardText, type TeamsConversation, type TeamsUser } from '../helpers/teams';
import { describeFindings, findLeaks, findUncatalogued, foreignMatchers, textsIn, type Finding } from '../helpers/catalogue';

/**
 * The test that reads every card: the whole procedure — welcome, Parts 1–3, the dedicated
 * integration user's password card, approvals with a rejection, a failed run and its retry, CSV in
 * and out, status and audit — driven over HTTP as Teams drives it, in one language. Every text of
 * every card and message the bot sent (and every card it answered an invoke with) is checked: a
 * catalogue string of the other language fails the test, named by its key and where it was read.
 */

const KARI: TeamsUser = { id: '29:kari', name: 'Kari Hansen', aadObjectId: SEED.users.kariHansen.id };
const LARS: TeamsUser = { id: '29:lars', name: 'Lars Johansen', aadObjectId: SEED.users.larsJohansen.id };
const ROLES = SEED.dataverse.roles.root;

type Read = { where: string; text: string };

let h: Harness;
let approvalsHarness: Harness;
let files: FileHost;
beforeAll(async () => {
  h = await startHarness();
  approvalsHarness = await startHarness({ env: { APPROVAL_TWO_PERSON: 'true' } });
  files = await startFileHost();
});
afterAll(async () => {
  await files.close();
  await approvalsHarness.close();
  await h.close();
});

/** Collects what a user reads: invoke answers as they come, and everything the connector received. */
class Reader {
  readonly reads: Read[] = [];
  private step = 'start';
  at(step: string) {
    this.step = step;
  }
  answer(response: { status: number; body: any }) {
    this.reads.push(...textsIn(response.body?.value, `[${this.step}] invoke answer`));
    return response;
  }
  connector(harness: Harness, label: string) {
    harness.connector.activities.forEach((a, i) => this.reads.push(...textsIn(a.activity, `[${label}] activity ${i} (${a.method})`)));
  }
}

const upn = (name: string) => `${name}@contoso.no`;
function row(values: Partial<Record<(typeof ADMIN_CENTER_HEADER)[number], string>>): string[] {
  const base: Record<string, string> = { 'User Name': '', 'Display Name': 'Ny Selger', 'Country or Region': 'Norway' };
  return ADMIN_CENTER_HEADER.map((column) => ({ ...base, ...values })[column] ?? '');
}
const control = (path: string, method: string, body?: unknown) =>
  fetch(`${h.sandbox.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

const lastActivityId = (harness: Harness) => harness.connector.activities.at(-1)!.activityId!;
const lastCard = (harness: Harness) => harness.connector.cards().at(-1)!;
const finalUpdate = (harness: Harness, activityId: string) =>
  harness.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === activityId).at(-1)!.activity.attachments[0].content;

async function approveRun(chat: TeamsConversation, reader: Reader, plan: any, cardActivityId: string) {
  const approve = action(plan, 'plan.approve');
  reader.answer(await chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId));
  await h.bot.runner.settled(String(approve.data.planId));
  return finalUpdate(h, cardActivityId);
}

/** The whole procedure in one personal chat; returns what was read. */
async function procedure(locale: 'nb' | 'en'): Promise<Read[]> {
  const reader = new Reader();
  await resetTenant(h);
  const chat = h.conversation({ locale: locale === 'nb' ? 'nb-NO' : 'en-US' });
  const say = (text: string) => chat.say(ADMIN, text);
  const exec = async (verb: string, data: Record<string, unknown>, replyToId?: string) => {
    const response = reader.answer(await chat.execute(ADMIN, verb, data, replyToId));
    if (response.status !== 200) throw new Error(`${verb} answered ${response.status}`);
    return response.body.value;
  };

  reader.at('welcome');
  await say(locale === 'nb' ? 'hjelp' : 'help');

  // Part 1, on premises: environment card, admin card, plan, applied.
  reader.at('part 1');
  await say(locale === 'nb' ? 'sett opp' : 'set up');
  let card = lastActivityId(h);
  await exec('env.save', { ...inputValues(lastCard(h)), deployment: 'onpremises' }, card);
  const adminPlan = await exec('admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.salesManager }, card);
  const part1 = await approveRun(chat, reader, adminPlan, card);
  expect(cardText(part1)).toContain((locale === 'nb' ? nb : en).planStateDone.replace('{count}', '2'));

  // Part 2, the dedicated integration user: form, plan, password card, connection, non-interactive.
  reader.at('part 2');
  // "Continue": the applied plan card stays; the next step is a new message below it, and the next actions are on that one.
  const next = async (plan: any) => {
    await exec('plan.continue', action(plan, 'plan.continue').data, card);
    card = lastActivityId(h);
    return lastCard(h);
  };
  const path = await next(part1);
  expect(findById(path, 'path')?.value).toBe('dedicated');
  const form = await exec('integration.path', { path: 'dedicated' }, card);
  const userPlan = await exec('integration.plan', { ...inputValues(form), localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', skuId: SEED.skus.sales }, card);
  const part2 = await approveRun(chat, reader, userPlan, card);
  const passwordMessage = h.connector.activities.find((a) => a.method === 'POST' && cardText(a.activity).includes('bc-sync@contoso.no') && actionsOf(a.activity.attachments?.[0]?.content).some((b) => b.verb === 'secret.stored'))!;
  expect(passwordMessage).toBeDefined();
  await exec('secret.stored', action(passwordMessage.activity.attachments[0].content, 'secret.stored').data, passwordMessage.activityId);
  await next(part2);
  const accessPlan = await exec('integration.connected', {}, card);
  const access = await approveRun(chat, reader, accessPlan, card);
  const check = await next(access);
  await exec('integration.next', action(check, 'integration.next').data, card);

  // Part 3: the list, the export (files and "Show as text").
  reader.at('part 3');
  await say(locale === 'nb' ? 'selgere' : 'salespeople');
  const list = lastCard(h);
  const listId = lastActivityId(h);
  const exported = await exec('salespeople.export', { ...inputValues(list), ...action(list, 'salespeople.export').data }, listId);
  const consent = h.connector.activities.flatMap((a) => a.activity.attachments ?? []).find((a: any) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent');
  expect(consent).toBeDefined();
  expect((await acceptFile(chat, ADMIN, consent, files)).status).toBe(200);
  const exportId = JSON.stringify(exported).match(/"exportId":"([0-9a-f-]{36})"/)![1];
  await exec('salespeople.csvText', { exportId, file: 0, part: 0 }, listId);

  // CSV in: a file with problems (every page), a file with a problem as a whole, then a good file.
  reader.at('csv in');
  const bad = stringify([
    [...ADMIN_CENTER_HEADER],
    ...Array.from({ length: 12 }, (_, i) => row({ 'User Name': upn(`dobbel${i % 2}`) })),
    row({ 'User Name': upn('feil.epost'), 'Alternate email address': 'ikke-en-adresse' }),
    row({ 'User Name': upn('formel'), 'Display Name': '=HYPERLINK("x")' }),
    row({ 'User Name': 'uten-domene' }),
    row({ 'User Name': upn('land'), 'Country or Region': 'Atlantis' }),
    row({ 'User Name': SEED.admin.upn }),
  ]);
  await sendFile(chat, ADMIN, 'feil.csv', files.serve('feil.csv', bad));
  for (let report = lastCard(h); ; ) {
    const more = actionsOf(report).find((a) => a.verb === 'salespeople.importProblems' && Number(a.data.page ?? 0) > 0 && a.title === (locale === 'nb' ? nb : en).spImportMore);
    if (!more) break;
    report = await exec('salespeople.importProblems', more.data);
  }
  await sendFile(chat, ADMIN, 'semikolon.csv', files.serve('semikolon.csv', 'User Name;First Name\r\nola@contoso.no;Ola\r\n'));
  const good = stringify([[...ADMIN_CENTER_HEADER], row({ 'User Name': upn('nina.berg'), 'Display Name': 'Nina Berg' }), row({ 'User Name': upn('sven.svensson'), 'Display Name': 'Sven Svensson', 'Country or Region': 'Sverige' })]);
  await sendFile(chat, ADMIN, 'gode.csv', files.serve('gode.csv', good));
  const csvPlan = lastCard(h);
  const csvPlanId = lastActivityId(h);

  // A failure (Microsoft Graph unavailable for a while) and the retry.
  reader.at('failure and retry');
  expect((await control('faults', 'POST', { kind: '503', service: 'graph', count: 500, retryAfterSeconds: 0 })).status).toBe(201);
  const failedRun = await approveRun(chat, reader, csvPlan, csvPlanId);
  expect(actionsOf(failedRun).map((a) => a.verb)).toContain('plan.retry');
  const planId = String(action(failedRun, 'plan.retry').data.planId);
  await exec('salespeople.failures', { planId, page: 1 }, csvPlanId);
  expect((await control('faults', 'DELETE')).status).toBeLessThan(300);
  await exec('plan.retry', action(failedRun, 'plan.retry').data, csvPlanId);
  await h.bot.runner.settled(planId);
  expect(actionsOf(finalUpdate(h, csvPlanId)).map((a) => a.verb)).not.toContain('plan.retry');

  // Status and audit, with the audit file.
  reader.at('status and audit');
  await say('status');
  await say(locale === 'nb' ? 'revisjon' : 'audit');
  const audit = lastCard(h);
  await exec('audit.export', action(audit, 'audit.export').data, lastActivityId(h));
  const auditConsent = h.connector.activities.flatMap((a) => a.activity.attachments ?? []).filter((a: any) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent').at(-1);
  expect((await acceptFile(chat, ADMIN, auditConsent, files)).status).toBe(200);

  reader.connector(h, 'procedure');
  return reader.reads;
}

/** Approvals in a group chat with the two-person rule: request, a view of an approver, a rejection without and with a comment, a late decision. */
async function approvals(locale: 'nb' | 'en'): Promise<Read[]> {
  const a = approvalsHarness;
  const reader = new Reader();
  await resetTenant(a);
  reader.at('approvals');
  const chat = a.conversation({ type: 'groupChat', locale: locale === 'nb' ? 'nb-NO' : 'en-US' });
  a.connector.members.set(chat.id, [ADMIN, KARI, LARS]);
  await chat.say(ADMIN, locale === 'nb' ? 'sett opp' : 'set up');
  const card = lastActivityId(a);
  reader.answer(await chat.execute(ADMIN, 'env.save', { ...inputValues(lastCard(a)), deployment: 'online' }, card));
  const plan = reader.answer(await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.salesManager }, card)).body.value;
  const { planId, digest } = action(plan, 'approval.request').data as { planId: string; digest: string };
  reader.answer(await chat.execute(ADMIN, 'approval.request', { planId, digest }, card));
  const posted = a.connector.activities.filter((x) => x.method === 'POST' && x.conversationId === chat.id).at(-1)!;
  reader.answer(await chat.execute(KARI, 'plan.view', { planId }, posted.activityId));
  reader.answer(await chat.execute(ADMIN, 'plan.approve', { planId, digest }, posted.activityId));
  reader.answer(await chat.execute(KARI, 'plan.reject', { planId, digest, comment: '  ' }, posted.activityId));
  const rejected = reader.answer(await chat.execute(KARI, 'plan.reject', { planId, digest, comment: 'Feil miljø' }, posted.activityId));
  expect(JSON.stringify(rejected.body)).toContain('Feil miljø');
  reader.answer(await chat.execute(LARS, 'plan.approve', { planId, digest }, posted.activityId));
  await chat.say(ADMIN, 'status');
  reader.connector(a, 'approvals');
  return reader.reads;
}

function leaksOf(locale: 'nb' | 'en', reads: Read[]): Finding[] {
  const matchers = locale === 'nb' ? foreignMatchers(en, nb) : foreignMatchers(nb, en);
  // Texts that are data, not wording: the tenant's role names and CSV column names of the admin center's format, the README's section titles.
  const tenantValues = ['Sales Manager', 'Salesperson', 'System Administrator', 'System Customizer', 'Pointing it at a real tenant', ...ADMIN_CENTER_HEADER];
  const found = [...findLeaks(reads, matchers, tenantValues), ...findUncatalogued(reads, locale === 'nb' ? 'en' : 'nb', tenantValues)];
  return found;
}

describe.each(['nb', 'en'] as const)('every card and message in %s', (locale) => {
  it('of the whole procedure comes from its own catalogue or from tenant data', async () => {
    const reads = [...(await procedure(locale)), ...(await approvals(locale))];
    expect(reads.length).toBeGreaterThan(300);
    expect(describeFindings(leaksOf(locale, reads))).toBe('');
  }, 120_000);
});
