import { SEED, SEED_INTEGRATION } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { findById, inputValues } from '../helpers/cards';
import { approveAndWait, dataverse, resetTenant, salespeoplePlan, startSetup } from '../helpers/flows';
import { authFor } from '../helpers/sandboxAuth';
import type { SeedOptions } from '../../src/sandbox';

/**
 * `status` is the integration's health check: one row per check. Each check is broken in the
 * sandbox, shows its failing row, is fixed through an approved plan (or its instruction is shown
 * and followed), and passes again.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const DV = SEED.dataverse;
const PASS = '✅ Passes';
const FAIL = '⚠️ Needs work';

async function status(chat: TeamsConversation) {
  await chat.say(ADMIN, 'status');
  return { card: h.connector.cards().at(-1), cardActivityId: h.connector.activities.at(-1)!.activityId! };
}

const row = (card: unknown, check: string) => {
  const found = findById(card, `health-${check}`);
  if (!found) throw new Error(`the card has no row ${check}`);
  return found;
};
const rowText = (card: unknown, check: string) => cardText(row(card, check));
const stateOf = (card: unknown, check: string) => (rowText(card, check).includes(PASS) ? PASS : rowText(card, check).includes(FAIL) ? FAIL : 'unknown');
const rowActions = (card: unknown, check: string): any[] => (row(card, check).items.find((i: any) => i.type === 'ActionSet')?.actions ?? []);

/** "Plan the fix" on the row, then approve the plan; the run's final card. */
async function fixThroughApproval(chat: TeamsConversation, check: string) {
  const { card, cardActivityId } = await status(chat);
  const button = rowActions(card, check).find((a) => a.verb === 'health.fix');
  expect(button).toMatchObject({ title: 'Plan the fix', data: { check } });
  const planned = await chat.execute(ADMIN, 'health.fix', button.data, cardActivityId);
  expect(planned.status).toBe(200);
  const plan = planned.body.value;
  const { final } = await approveAndWait(h, chat, plan, cardActivityId);
  expect(cardText(final)).toMatch(/Applied: all \d+ changes? done\./);
  return { plan, final };
}

const control = (path: string, body: unknown) =>
  fetch(`${h.sandbox.url}/_sandbox${path}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('status: the integration\'s health, one row per check', () => {
  beforeEach(() => resetTenant(h));

  it('lists the nine checks in priority order, each with its state', async () => {
    const { card } = await status(h.conversation());
    const ids = JSON.stringify(card).match(/"id":"health-[a-zA-Z]+"/g);
    expect(ids).toEqual(
      ['adminRoles', 'integrationUser', 'salespeople', 'securityGroup', 'nonInteractiveLimit', 'integrationRole', 'currency', 'administrationMode', 'owningTeam'].map((c) => `"id":"health-${c}"`),
    );
    expect(cardText(card)).toContain('2 of 9 checks need work.');
    expect(cardText(card)).not.toContain('could not be checked');
  });

  it('1. the admin\'s roles: missing System Customizer and a non-administrative role, planned, approved, then passing', async () => {
    const chat = h.conversation();
    const { card } = await status(chat);
    expect(stateOf(card, 'adminRoles')).toBe(FAIL);
    expect(rowText(card, 'adminRoles')).toContain(`${SEED.admin.upn} is missing: System Customizer, a non-administrative role.`);
    const { plan } = await fixThroughApproval(chat, 'adminRoles');
    expect(cardText(plan)).toContain(`Give ${SEED.admin.upn} the role System Customizer`);
    expect(cardText(plan)).toContain(`Give ${SEED.admin.upn} the role Sales Manager`);
    const after = (await status(chat)).card;
    expect(stateOf(after, 'adminRoles')).toBe(PASS);
    expect(rowActions(after, 'adminRoles')).toEqual([]);
  });

  it('2. the integration user holding System Administrator: planned away; an access mode only a person can change: the instruction', async () => {
    const chat = h.conversation();
    await dataverse(h, `systemusers(${DV.systemUsers.bcIntegrationApp})/systemuserroles_association/$ref`, {
      method: 'POST',
      body: JSON.stringify({ '@odata.id': `${h.sandbox.url}/dataverse/api/data/v9.2/roles(${DV.roles.root.systemAdministrator})` }),
    });
    const { card } = await status(chat);
    expect(stateOf(card, 'integrationUser')).toBe(FAIL);
    expect(rowText(card, 'integrationUser')).toContain('holds System Administrator (not allowed for the integration account)');
    const { plan } = await fixThroughApproval(chat, 'integrationUser');
    expect(cardText(plan)).toContain('Take the role System Administrator away from Business Central Integration');
    expect(stateOf((await status(chat)).card, 'integrationUser')).toBe(PASS);

    await control(`/dataverse/systemusers/${DV.systemUsers.bcIntegrationApp}`, { accessmode: 0 });
    const broken = (await status(chat)).card;
    expect(rowText(broken, 'integrationUser')).toContain('access mode is not Non-interactive');
    expect(rowText(broken, 'integrationUser')).toContain('set its access mode to Non-interactive');
    expect(rowActions(broken, 'integrationUser')).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url: 'https://admin.powerplatform.microsoft.com/environments' })]);
    await control(`/dataverse/systemusers/${DV.systemUsers.bcIntegrationApp}`, { accessmode: 4 });
    expect(stateOf((await status(chat)).card, 'integrationUser')).toBe(PASS);
  });

  it('3. salespeople: counts and names per status; a removed role is listed and Part 3 gives it back; with page 14 fixed too, the row passes', async () => {
    const chat = h.conversation();
    await startSetup(h, chat);
    await dataverse(h, `systemusers(${DV.systemUsers.kariHansen})/systemuserroles_association/$ref?$id=${h.sandbox.url}/dataverse/api/data/v9.2/roles(${DV.roles.root.salesperson})`, { method: 'DELETE' });
    const { card, cardActivityId } = await status(chat);
    expect(stateOf(card, 'salespeople')).toBe(FAIL);
    const text = rowText(card, 'salespeople');
    expect(text).toContain('2 without the Salesperson role: Kari Hansen (KH), Lars Johansen (LJ)');
    expect(text).toContain('3 without the Sales licence: Øystein Bakke (ØB), Marte Nilsen (MN), Hege Pedersen (HP)');
    expect(text).toContain("6 without a Microsoft 365 account: Ola O'Brien (OO), Eirik Haugen (EH), Siri Lunde (SL), Bjørn Jakobsen (BJ), Tone Moen (TM), Jonas Dahl (JD)");
    const open = rowActions(card, 'salespeople').find((a) => a.verb === 'setup.goto');
    expect(open).toMatchObject({ title: 'Open 3. Salespeople', data: { part: 'salespeople' } });
    const part3 = (await chat.execute(ADMIN, 'setup.goto', open.data, cardActivityId)).body.value;
    const planned = await salespeoplePlan(chat, part3, cardActivityId);
    const { final } = await approveAndWait(h, chat, planned.body.value, cardActivityId);
    expect(cardText(final)).toMatch(/Applied: all \d+ salespeople are set up\./);
    expect(cardText(final)).toMatch(/KH · kari\.hansen@contoso\.no: .*Salesperson role/);
    const after = rowText((await status(chat)).card, 'salespeople');
    expect(after).not.toContain('without the Salesperson role');
    expect(after).not.toContain('without the Sales licence');
    // Those Part 3 cannot set up stay listed: no e-mail, a domain that is not verified.
    expect(after).toContain('2 without a Microsoft 365 account: Tone Moen (TM), Jonas Dahl (JD)');
    // The couplings Part 3 made are not in BC's default owning team yet: fixed from the same chat, mid-setup.
    expect(rowText((await status(chat)).card, 'owningTeam')).toMatch(/\d+ coupled users are not members of BCI - Salg Vest: .*kari\.hansen@contoso\.no/);
    await fixThroughApproval(chat, 'owningTeam');
    expect(stateOf((await status(chat)).card, 'owningTeam')).toBe(PASS);

    // What only Business Central's own page 14 can fix, fixed there: an e-mail for Tone Moen, Jonas Dahl (an agent) blocked.
    const salesperson = (code: string, body: object) => control(`/bc/salespeople/${encodeURIComponent(code)}`, body);
    expect((await salesperson('TM', { email: 'tone.moen@contoso.no' })).status).toBe(200);
    expect((await salesperson('JD', { blocked: true })).status).toBe(200);
    const again = await status(chat);
    expect(rowText(again.card, 'salespeople')).toContain('1 without a Microsoft 365 account: Tone Moen (TM)');
    const part3again = (await chat.execute(ADMIN, 'setup.goto', { part: 'salespeople' }, again.cardActivityId)).body.value;
    const second = await salespeoplePlan(chat, part3again, again.cardActivityId);
    await approveAndWait(h, chat, second.body.value, again.cardActivityId);
    const healthy = (await status(chat)).card;
    expect(stateOf(healthy, 'salespeople')).toBe(PASS);
    expect(rowText(healthy, 'salespeople')).toMatch(/All \d+ active salespeople have an account, the licence and the role, and are coupled\./);
  });

  it('4. the security group: who needs access and is not a member, added through an approved plan', async () => {
    await resetTenant(h, { environmentSecurityGroup: true } satisfies SeedOptions);
    const chat = h.conversation();
    const { card } = await status(chat);
    expect(stateOf(card, 'securityGroup')).toBe(FAIL);
    expect(rowText(card, 'securityGroup')).toMatch(/\d+ who need access are not members of Contoso Sales Access: .*ingrid\.berg@contoso\.no/);
    const { plan } = await fixThroughApproval(chat, 'securityGroup');
    expect(cardText(plan)).toContain(`Add ${SEED.admin.upn} to the security group Contoso Sales Access`);
    const after = (await status(chat)).card;
    expect(stateOf(after, 'securityGroup')).toBe(PASS);
    expect(rowText(after, 'securityGroup')).toMatch(/Everyone who needs access \(\d+\) is a member of Contoso Sales Access\./);
  });

  it('5. non-interactive users over the environment\'s limit: the instruction, followed, then passing', async () => {
    await resetTenant(h, { maxNonInteractiveUsers: 1 });
    const chat = h.conversation();
    const { card } = await status(chat);
    expect(stateOf(card, 'nonInteractiveLimit')).toBe(FAIL);
    expect(rowText(card, 'nonInteractiveLimit')).toContain('2 non-interactive users, more than the limit of 1');
    expect(rowText(card, 'nonInteractiveLimit')).toContain('set users that no longer synchronise back to Read-Write access');
    expect(rowActions(card, 'nonInteractiveLimit')).toEqual([expect.objectContaining({ type: 'Action.OpenUrl' })]);
    // The admin does as told: the reporting account goes back to Read-Write.
    await control(`/dataverse/systemusers/${DV.systemUsers.reporting}`, { accessmode: 0 });
    const after = (await status(chat)).card;
    expect(stateOf(after, 'nonInteractiveLimit')).toBe(PASS);
    expect(rowText(after, 'nonInteractiveLimit')).toContain('1 of at most 1 non-interactive users: the limit is reached');
  });

  it('6. the integration role taken from BC\'s owning team is given back through a plan; missing in a business unit: the instruction and page 7201', async () => {
    const chat = h.conversation();
    await dataverse(h, `teams(${SEED_INTEGRATION.owningTeamId})/teamroles_association/$ref?$id=${h.sandbox.url}/dataverse/api/data/v9.2/roles(${DV.roles.salgVest.bcIntegration})`, { method: 'DELETE' });
    const { card } = await status(chat);
    expect(stateOf(card, 'integrationRole')).toBe(FAIL);
    expect(rowText(card, 'integrationRole')).toContain('Business Central\'s owning teams without its integration role: BCI - Salg Vest.');
    const { plan } = await fixThroughApproval(chat, 'integrationRole');
    expect(cardText(plan)).toContain('Give the team BCI - Salg Vest the role Business Central Dataverse Integration');
    const team = (await (await dataverse(h, `teams(${SEED_INTEGRATION.owningTeamId})/teamroles_association?$select=roleid`)).json());
    expect(team.value.map((r: any) => r.roleid)).toEqual([DV.roles.salgVest.bcIntegration]);
    expect(stateOf((await status(chat)).card, 'integrationRole')).toBe(PASS);

    await control('/integration', { removeIntegrationRoleFrom: [DV.businessUnits.salgVest] });
    const missing = (await status(chat)).card;
    expect(rowText(missing, 'integrationRole')).toContain('Business Central\'s integration role is missing in: Salg Vest.');
    expect(rowText(missing, 'integrationRole')).toContain('Redeploy Integration Solution');
    expect(rowActions(missing, 'integrationRole')).toEqual([
      expect.objectContaining({ type: 'Action.OpenUrl', title: 'Open page 7201 "Dataverse Connection Setup"', url: `https://businesscentral.dynamics.com/${SEED.tenantId}/Production?page=7201` }),
    ]);
  });

  it('7. a local currency Dataverse does not have: the instruction; a matching one passes', async () => {
    const chat = h.conversation();
    await control('/integration', { bcLocalCurrency: 'SEK' });
    const { card } = await status(chat);
    expect(stateOf(card, 'currency')).toBe(FAIL);
    expect(rowText(card, 'currency')).toContain('Business Central\'s local currency SEK is not the ISO code of any Dataverse currency (NOK, EUR)');
    expect(rowText(card, 'currency')).toContain('add a currency with ISO code SEK');
    await control('/integration', { bcLocalCurrency: 'EUR' });
    const after = (await status(chat)).card;
    expect(stateOf(after, 'currency')).toBe(PASS);
    expect(rowText(after, 'currency')).toContain('Business Central\'s local currency EUR is a Dataverse currency.');
  });

  it('8. administration mode: the instruction while it is on, passing once it is off', async () => {
    const chat = h.conversation();
    await control('/integration', { administrationMode: true });
    const { card } = await status(chat);
    expect(stateOf(card, 'administrationMode')).toBe(FAIL);
    expect(rowText(card, 'administrationMode')).toContain('turn "Administration mode" off');
    await control('/integration', { administrationMode: false });
    expect(stateOf((await status(chat)).card, 'administrationMode')).toBe(PASS);
  });

  it('9. a coupled user outside the default owning team is added through a plan', async () => {
    const chat = h.conversation();
    const kari = SEED.businessCentral;
    const couplings = `/bc/v2.0/${SEED.tenantId}/${kari.environment}/api/contoso/crm/v1.0/companies(${kari.companyId})/crmCouplings`;
    const people = `${h.sandbox.url}/bc/v2.0/${SEED.tenantId}/${kari.environment}/api/v2.0/companies(${kari.companyId})/salespeoplePurchasers`;
    const kariSalesperson = ((await (await fetch(people, { headers: await authFor(h.sandbox.url, '/bc') })).json())).value.find((p: any) => p.code === 'KH');
    const coupled = await fetch(`${h.sandbox.url}${couplings}`, {
      method: 'POST',
      headers: { ...(await authFor(h.sandbox.url, couplings)), 'content-type': 'application/json' },
      body: JSON.stringify({ salespersonId: kariSalesperson.id, systemUserId: DV.systemUsers.kariHansen }),
    });
    expect(coupled.status).toBe(201);
    const { card } = await status(chat);
    expect(stateOf(card, 'owningTeam')).toBe(FAIL);
    expect(rowText(card, 'owningTeam')).toContain('1 coupled users are not members of BCI - Salg Vest: kari.hansen@contoso.no');
    const { plan } = await fixThroughApproval(chat, 'owningTeam');
    expect(cardText(plan)).toContain('Add kari.hansen@contoso.no to the team BCI - Salg Vest');
    const after = (await status(chat)).card;
    expect(stateOf(after, 'owningTeam')).toBe(PASS);
    expect(rowText(after, 'owningTeam')).toContain('All 1 coupled users are members of BCI - Salg Vest.');
  });

  it('on premises without a web client address, names the page to open instead of linking to the online client', async () => {
    const chat = h.conversation();
    await chat.say(ADMIN, 'set up');
    const envCard = h.connector.cards().at(-1)!;
    await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), deployment: 'onpremises' }, h.connector.activities.at(-1)!.activityId);
    await control('/integration', { removeIntegrationRoleFrom: [DV.businessUnits.salgVest] });
    const { card } = await status(chat);
    expect(rowText(card, 'integrationRole')).toContain('Open page 7201 "Dataverse Connection Setup" in your Business Central.');
    expect(rowActions(card, 'integrationRole')).toEqual([]);
  });

  it('in Norwegian for a Norwegian Teams client', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await chat.say(ADMIN, 'status');
    const text = cardText(h.connector.cards().at(-1));
    expect(text).toContain('Helsen til integrasjonen mellom Business Central og Sales');
    expect(text).toContain('⚠️ Må ordnes');
    expect(text).toContain('Lag plan for rettingen');
  });

  it('refuses a fix for a check it does not know, and changes nothing', async () => {
    const chat = h.conversation();
    const before = await (await fetch(`${h.sandbox.url}/_sandbox/state`)).text();
    const answer = await chat.execute(ADMIN, 'health.fix', { check: 'everything' });
    expect(answer.body.value).toBe('That check is not one I know. Say **status** for the current checks.');
    expect(await (await fetch(`${h.sandbox.url}/_sandbox/state`)).text()).toBe(before);
  });
});
