import { stringify } from 'csv-stringify/sync';
import { escapeMarkdown } from '../../src/cards/render';
import { t } from '../../src/i18n';
import { SEED } from '../../src/sandbox';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { inputValues } from '../helpers/cards';
import { rawTenantState, resetTenant, startSetup } from '../helpers/flows';
import { sendFile, startFileHost, type FileHost } from '../helpers/salespeopleFiles';
import { cardText } from '../helpers/teams';

/** A Norwegian admin is told in Norwegian what was not accepted: from a card input and from a CSV row. */

let h: Harness;
let files: FileHost;
beforeAll(async () => {
  h = await startHarness();
  files = await startFileHost();
});
afterAll(async () => {
  await files.close();
  await h.close();
});
beforeEach(() => resetTenant(h));

const field = (label: string, problem: string) => t('nb', 'validationField', { field: label, problem });

describe('validation messages in an nb conversation', () => {
  it('a card input: the sign-in name and the environment id are refused in Norwegian, and nothing changes', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    const before = await rawTenantState(h);
    await chat.say(ADMIN, 'sett opp');
    const envCard = h.connector.cards().at(-1)!;
    const envId = h.connector.activities.at(-1)!.activityId!;
    const refused = await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), bapEnvironmentId: '../../providers/x', deployment: 'sky' }, envId);
    const envText = cardText(refused.body.value);
    expect(envText).toContain(
      escapeMarkdown(t('nb', 'invalidInput', { problems: `${field(t('nb', 'envBapId'), t('nb', 'validationGuid'))}; ${field(t('nb', 'envDeployment'), t('nb', 'validationChoice'))}` })),
    );
    expect(envText).not.toMatch(/not a GUID|Invalid enum/);

    const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), deployment: 'online' }, envId);
    expect(saved.status).toBe(200);
    const reply = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: 'ingrid berg@contoso.no', nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, envId);
    const text = cardText(reply.body.value);
    expect(text).toContain(escapeMarkdown(t('nb', 'invalidInput', { problems: field(t('nb', 'adminUpn'), t('nb', 'validationUpn')) })));
    expect(text).toContain('er ikke et gyldig påloggingsnavn (navn@domene)');
    expect(text).not.toMatch(/not a valid sign-in name|Invalid|Expected/);
    expect(await rawTenantState(h)).toBe(before);
  });

  it('a CSV row: every problem in Norwegian, and nothing is planned', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await startSetup(h, chat);
    await chat.say(ADMIN, 'selgere');
    const row = (values: Record<string, string>) => ADMIN_CENTER_HEADER.map((column) => ({ 'Display Name': 'Ny Selger', 'Country or Region': 'Norway', ...values } as Record<string, string>)[column] ?? '');
    const content = stringify([[...ADMIN_CENTER_HEADER], row({ 'User Name': 'ola nordmann@contoso.no' }), row({ 'User Name': 'ny.selger@contoso.no', 'Display Name': '' })]);
    const before = await rawTenantState(h);
    h.connector.clear();
    await sendFile(chat, ADMIN, 'nye-selgere.csv', files.serve('nye-selgere.csv', content));
    const text = cardText(h.connector.cards().at(-1)!);
    expect(text).toContain(`Rad 2: ${t('nb', 'csvRowUpnInvalid', { value: 'ola nordmann@contoso.no' })}`);
    expect(text).toContain(`Rad 3: ${t('nb', 'csvRowRequired', { column: 'Display Name' })}`);
    expect(text).not.toMatch(/is not a valid sign-in name|it is required|Nothing was planned/);
    expect(await rawTenantState(h)).toBe(before);
  });
});
