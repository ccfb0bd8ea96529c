import { SEED } from '../../src/sandbox';
import { guidFrom } from '../../src/sandbox/seed';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { approveAndWait, continuePlan, dataverse, openPart3 as openPart3Flow, rawTenantState, resetTenant, salespeoplePlan } from '../helpers/flows';
import { graph } from '../helpers/tenant';
import { authFor } from '../helpers/sandboxAuth';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const COUPLINGS = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/contoso/crm/v1.0/companies(${SEED.businessCentral.companyId})/crmCouplings`;
const salespersonId = (code: string) => guidFrom(`bc-salesperson:${code}`);
const SELECTABLE = {
  KH: 'kari.hansen@contoso.no',
  LJ: 'lars.johansen@contoso.no',
  ØB: 'oystein.bakke@contoso.no',
  MN: 'marte.nilsen@contoso.no',
  HP: 'hege@contoso.no', // her BC e-mail is her mail address; her sign-in name differs
  OO: "ola.o'brien@contoso.no",
  EH: 'eirik.haugen@contoso.no',
  SL: 'siri.lunde@contoso.no',
  BJ: 'bjorn.jakobsen@contoso.no',
} as const;

/** "set up", the environments, then "salespeople": the Part 3 card and its message id. */
const openPart3 = (chat: TeamsConversation) => openPart3Flow(h, chat);

function facts(card: any): Record<string, string> {
  const set = card.body.find((b: any) => b.type === 'FactSet');
  return Object.fromEntries(set.facts.map((f: any) => [f.title, f.value]));
}

async function usersWith(address: string) {
  const filter = encodeURIComponent(`userPrincipalName eq '${address.replace(/'/g, "''")}' or mail eq '${address.replace(/'/g, "''")}'`);
  return (await graph(h.sandbox.url, 'GET', `/users?$filter=${filter}&$select=id,userPrincipalName,assignedLicenses,usageLocation`)).body.value as any[];
}

async function salesUserOf(aadObjectId: string) {
  const expand = encodeURIComponent('systemuserroles_association($select=roleid,name,_businessunitid_value)');
  const response = await dataverse(h, `systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${aadObjectId}`)}&$select=systemuserid,isdisabled,islicensed,_businessunitid_value&$expand=${expand}`);
  return ((await response.json()) as { value: any[] }).value;
}

describe('Part 3: the salespeople', () => {
  it('shows each salesperson\'s status, plans the selected ones, and leaves every one ready and coupled; blocked ones untouched', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    expect(cardText(card)).toContain('Part 3 of 3');
    expect(facts(card)).toMatchObject({
      'No account': '6',
      'No Sales licence': '3',
      'Not in Sales': '0',
      'No Salesperson role': '1',
      'Ready to couple': '1',
      Coupled: '0',
      'Blocked in Business Central (left alone)': '1',
      'Held up by a problem (see the list)': '2',
    });
    const text = cardText(card);
    expect(text).toContain('Selected: 9 — everyone who needs work.');
    expect(text).toMatch(/TM\*\* Tone Moen — No account: no e-mail in Business Central/);
    expect(text).toMatch(/JD\*\* Jonas Dahl · jonas\.dahl@fabrikam-demo\.com — No account: its domain is not a verified domain/);
    expect(text).toContain('KH · Kari Hansen · kari.hansen@contoso.no — Ready to couple (KH ↔ kari.hansen@contoso.no)');
    expect(findById(card, 'usageLocation')?.value).toBe('NO');

    const planned = await salespeoplePlan(chat, card, cardActivityId);
    const plan = planned.body.value;
    const planText = cardText(plan);
    expect(planText).toContain('for 9 salespeople');
    expect(planText).toContain('4 new Microsoft 365 accounts');
    expect(planText).toContain('1 × usage location NO set first');
    expect(planText).toContain('7 × the licence Dynamics 365 for Sales Enterprise Edition');
    expect(planText).toContain('7 added to the Sales environment');
    expect(planText).toContain("8 × the role Salesperson (the copy in each user's business unit)");
    expect(planText).toContain('9 couplings in Business Central');
    expect(planText).toContain('random password that is never shown');
    const accountsBefore = JSON.parse(await rawTenantState(h)).graph.users.map((u: any) => u.userPrincipalName);
    expect(accountsBefore).not.toContain("ola.o'brien@contoso.no"); // nothing is made before approval

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const finalText = cardText(final);
    expect(finalText).toContain('Applied: all 9 salespeople are set up.');
    expect(finalText).toContain('Couplings made: 9.');

    const state = JSON.parse(await rawTenantState(h));
    const couplings = ((await (await fetch(`${h.sandbox.url}${COUPLINGS}`, { headers: await authFor(h.sandbox.url, COUPLINGS) })).json())).value as any[];
    expect(couplings).toHaveLength(9);
    for (const [code, upn] of Object.entries(SELECTABLE)) {
      const accounts = await usersWith(code === 'HP' ? 'hege.pedersen@contoso.no' : upn);
      expect(accounts.map((a) => a.userPrincipalName)).toEqual([upn]);
      const [account] = accounts;
      expect(account.assignedLicenses.map((l: any) => l.skuId)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`${SEED.skus.sales}|${SEED.skus.customerEngagementPlan}`))]));
      const sales = await salesUserOf(account.id);
      expect(sales).toHaveLength(1);
      expect(sales[0].isdisabled).toBe(false);
      const roles = sales[0].systemuserroles_association.filter((r: any) => r.name === 'Salesperson');
      expect(roles).toHaveLength(1);
      expect(roles[0]._businessunitid_value).toBe(sales[0]._businessunitid_value);
      const coupling = couplings.find((c) => c.salespersonId === salespersonId(code));
      expect(coupling?.systemUserId).toBe(sales[0].systemuserid);
      expect(coupling?.salespersonCode).toBe(code);
    }
    // Lars lives in Salg Vest: his copy of the role is that unit's.
    const lars = (await salesUserOf(SEED.users.larsJohansen.id))[0];
    expect(lars.systemuserroles_association.map((r: any) => r.roleid)).toContain(SEED.dataverse.roles.salgVest.salesperson);
    // Marte had no usage location: it was set before her licence, in an envelope of its own (Graph refuses
    // a "usage location → licence" chain next to plain licence items), and every licence landed.
    expect((await usersWith('marte.nilsen@contoso.no'))[0].usageLocation).toBe('NO');
    // Blocked, e-mail-less and unverified-domain salespeople: nothing made for them.
    expect(await usersWith('anders.kristiansen@contoso.no')).toEqual([]);
    expect(await usersWith('jonas.dahl@fabrikam-demo.com')).toEqual([]);
    expect(state.graph.users.filter((u: any) => /^(tone|anders\.kristiansen|jonas)/i.test(u.userPrincipalName))).toEqual([]);
    expect(couplings.map((c) => c.salespersonCode).sort()).toEqual(Object.keys(SELECTABLE).sort());

    // The applied plan stays as the record of what was done for the nine; the list comes below it.
    expect(cardText(final)).toContain('These changes were made for 9 salespeople in');
    const { record, next: back, nextActivityId } = await continuePlan(h, chat, final, cardActivityId);
    expect(cardText(record)).toContain('These changes were made for 9 salespeople in');
    expect(cardText(record)).toContain('Applied: all 9 salespeople are set up.');
    expect(cardText(record)).not.toContain('After approval');
    expect(actionsOf(record).map((a) => a.verb)).not.toContain('plan.continue');
    expect(actionsOf(record).map((a) => a.verb)).not.toContain('salespeople.refresh');
    // Back on the list: everyone selectable is coupled, and there is nothing left to plan.
    expect(facts(back)).toMatchObject({ Coupled: '9', 'No account': '2', 'Ready to couple': '0' });
    const again = await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(back), ...action(back, 'salespeople.plan').data }, nextActivityId);
    expect(cardText(again.body.value)).toContain('Nothing is selected.');
    // status counts the couplings the endpoint shows.
    await chat.say(ADMIN, 'status');
    expect(cardText(h.connector.cards().at(-1))).toContain('Couplings seen through the coupling endpoint: 9 of 11 salespeople.');
  });

  it('couples only Sales users Business Central would couple: an integration user is held up, an unlicensed one synchronised first', async () => {
    const patch = (id: string, fields: Record<string, unknown>) =>
      fetch(`${h.sandbox.url}/_sandbox/dataverse/systemusers/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    await patch(SEED.dataverse.systemUsers.larsJohansen, { isintegrationuser: true });
    await patch(SEED.dataverse.systemUsers.kariHansen, { islicensed: false });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    const text = cardText(card);
    expect(text).toContain('**LJ** Lars Johansen · lars.johansen@contoso.no — Not in Sales: its Sales user is an integration user, which Business Central does not couple');
    expect(text).toContain('KH · Kari Hansen · kari.hansen@contoso.no — Not in Sales: the Sales user does not show the Sales licence yet');
    expect(facts(card)).toMatchObject({ 'Ready to couple': '0', 'Held up by a problem (see the list)': '3' });

    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('for 8 salespeople');
    expect(cardText(plan)).toContain('8 couplings in Business Central');
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 8 salespeople are set up.');
    const couplings = ((await (await fetch(`${h.sandbox.url}${COUPLINGS}`, { headers: await authFor(h.sandbox.url, COUPLINGS) })).json())).value as any[];
    expect(couplings.map((c) => c.salespersonCode)).not.toContain('LJ');
    expect(couplings.find((c) => c.salespersonCode === 'KH')?.systemUserId).toBe(SEED.dataverse.systemUsers.kariHansen);
    expect((await salesUserOf(SEED.users.kariHansen.id))[0].islicensed).toBe(true);
  });

  it('does not repeat anything when answers are lost on the way back', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    // The first account batch, the first role batch and the first coupling are applied, but their answers never arrive.
    for (const rule of [
      { kind: 'lost', service: 'graph', method: 'POST', pathContains: '/graph/v1.0/users', count: 1 },
      { kind: 'lost', service: 'dataverse', method: 'POST', pathContains: 'systemuserroles_association/$ref', count: 1 },
      { kind: 'lost', service: 'bc', method: 'POST', pathContains: 'crmCouplings', count: 1 },
    ]) {
      expect((await fetch(`${h.sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) })).status).toBe(201);
    }
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 9 salespeople are set up.');
    const stats = (await (await fetch(`${h.sandbox.url}/_sandbox/stats`)).json());
    expect(stats.faults.lost).toBe(3);
    for (const upn of ["ola.o'brien@contoso.no", 'eirik.haugen@contoso.no', 'siri.lunde@contoso.no', 'bjorn.jakobsen@contoso.no']) {
      const accounts = await usersWith(upn);
      expect(accounts).toHaveLength(1);
      const roles = (await salesUserOf(accounts[0].id))[0].systemuserroles_association.filter((r: any) => r.name === 'Salesperson');
      expect(roles).toHaveLength(1);
    }
    const couplings = ((await (await fetch(`${h.sandbox.url}${COUPLINGS}`, { headers: await authFor(h.sandbox.url, COUPLINGS) })).json())).value as any[];
    expect(couplings).toHaveLength(9);
  });

  it('reports each failure with its reason and retries only what failed', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    // After the plan was made, someone else takes every free Sales seat.
    const sku = ((await graph(h.sandbox.url, 'GET', '/subscribedSkus')).body.value as any[]).find((s) => s.skuId === SEED.skus.sales);
    const fillers: string[] = [];
    for (let free = sku.prepaidUnits.enabled - sku.consumedUnits; free > 0; free--) {
      const created = await graph(h.sandbox.url, 'POST', '/users', {
        accountEnabled: true, displayName: `Filler ${free}`, mailNickname: `filler${free}`, userPrincipalName: `filler${free}@contoso.no`, usageLocation: 'NO', passwordProfile: { password: 'Xy!9fillerPass#2026' },
      });
      await graph(h.sandbox.url, 'POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
      fillers.push(created.body.id);
    }
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const text = cardText(final);
    expect(text).toContain('2 of 9 salespeople are set up, 7 failed.');
    // The sentence above the changes says they were made except the failures, not that they will be.
    expect(text).toContain('These changes were made for 9 salespeople in');
    expect(text).toContain('except the failures below');
    expect(text).toMatch(/Failures 1–7 of 7/);
    expect(text).toMatch(/❌ marte\.nilsen@contoso\.no: .*Dynamics 365 for Sales Enterprise Edition/);
    expect(text).not.toContain('Not attempted'); // only failures with a cause of their own are listed
    // Kari and Lars needed no licence and are done; the accounts made before the licence step stay.
    expect((await usersWith('eirik.haugen@contoso.no'))).toHaveLength(1);

    for (const id of fillers) await graph(h.sandbox.url, 'DELETE', `/users/${id}`);
    const retry = await chat.execute(ADMIN, 'plan.retry', action(final, 'plan.retry').data, cardActivityId);
    expect(retry.status).toBe(200);
    await h.bot.runner.settled(String(action(final, 'plan.retry').data.planId));
    const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
    expect(cardText(updates.at(-1)!.activity.attachments[0].content)).toContain('Applied: all 9 salespeople are set up.');
    expect(await usersWith('eirik.haugen@contoso.no')).toHaveLength(1);
    const couplings = ((await (await fetch(`${h.sandbox.url}${COUPLINGS}`, { headers: await authFor(h.sandbox.url, COUPLINGS) })).json())).value as any[];
    expect(couplings).toHaveLength(9);
  });

  it('"Back" on a plan that ran keeps it as the record, and the list comes below it; on a waiting plan the list replaces it', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    const waiting = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    // Waiting for approval: Back returns to the list in place, as before (nothing was decided to keep).
    const before = h.connector.activities.length;
    const list = (await chat.execute(ADMIN, 'salespeople.refresh', action(waiting, 'salespeople.refresh').data, cardActivityId)).body.value;
    expect(facts(list)).toMatchObject({ 'Ready to couple': '1' });
    expect(h.connector.activities.slice(before).filter((a) => a.method === 'POST')).toEqual([]);

    const plan = (await salespeoplePlan(chat, list, cardActivityId)).body.value;
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 9 salespeople are set up.');
    const after = h.connector.activities.length;
    const record = (await chat.execute(ADMIN, 'salespeople.refresh', action(final, 'salespeople.refresh').data, cardActivityId)).body.value;
    expect(cardText(record)).toContain('These changes were made for 9 salespeople in');
    expect(cardText(record)).toContain('Applied: all 9 salespeople are set up.');
    expect(actionsOf(record).map((a) => a.verb)).not.toContain('salespeople.refresh');
    expect(actionsOf(record).map((a) => a.verb)).not.toContain('plan.continue');
    const posted = h.connector.activities.slice(after).filter((a) => a.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(facts(posted[0].activity.attachments[0].content)).toMatchObject({ Coupled: '9', 'Ready to couple': '0' });
  });

  it('refuses up front when the licences are short, saying how many are missing, and changes nothing', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    // Leave one free seat on every Sales-capable licence.
    const skus = ((await graph(h.sandbox.url, 'GET', '/subscribedSkus')).body.value as any[]).filter((s) => s.skuPartNumber.startsWith('DYN365'));
    let n = 0;
    for (const sku of skus) {
      for (let free = sku.prepaidUnits.enabled - sku.consumedUnits; free > 1; free--, n++) {
        const created = await graph(h.sandbox.url, 'POST', '/users', {
          accountEnabled: true, displayName: `Filler ${n}`, mailNickname: `filler${n}`, userPrincipalName: `filler${n}@contoso.no`, usageLocation: 'NO', passwordProfile: { password: 'Xy!9fillerPass#2026' },
        });
        await graph(h.sandbox.url, 'POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }], removeLicenses: [] });
      }
    }
    // The licensed fillers reach Sales by the sandbox's background sync, which changes the state by
    // itself: without its delay, one Dataverse read brings them in before the state is taken.
    expect((await fetch(`${h.sandbox.url}/_sandbox/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ syncDelayMs: 0 }) })).status).toBe(200);
    await salesUserOf(SEED.admin.id);
    const before = await rawTenantState(h);
    const refused = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    expect(cardText(refused)).toMatch(/7 Sales licences are needed, but the Sales licence with the most free seats, Dynamics 365 [\w ]+, has 1: 6 missing/);
    expect(actionsOf(refused).map((a) => a.verb)).not.toContain('plan.approve');
    expect(await rawTenantState(h)).toBe(before);
  });

  it('plans only the hand-picked salespeople, across pages and filters', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    // Filter to those without a licence, untick all but Hege, then plan.
    const filtered = (await chat.execute(ADMIN, 'salespeople.page', { ...inputValues(card), status: 'unlicensed', page: 0, pageIds: action(card, 'salespeople.plan').data.pageIds }, cardActivityId)).body.value;
    expect(findById(filtered, 'picked')!.choices.map((c: any) => c.title.split(' · ')[0])).toEqual(['ØB', 'MN', 'HP']);
    const picked = (await chat.execute(ADMIN, 'salespeople.page', { ...inputValues(filtered), picked: salespersonId('HP'), page: 0, pageIds: action(filtered, 'salespeople.plan').data.pageIds }, cardActivityId)).body.value;
    expect(cardText(picked)).toContain('Selected: 7, picked by hand.');
    const none = (await chat.execute(ADMIN, 'salespeople.select', { ...inputValues(picked), mode: 'none' }, cardActivityId)).body.value;
    expect(cardText(none)).toContain('Selected: 0, picked by hand.');
    const hege = (await chat.execute(ADMIN, 'salespeople.page', { ...inputValues(none), picked: salespersonId('HP'), page: 0, pageIds: action(none, 'salespeople.plan').data.pageIds }, cardActivityId)).body.value;
    expect(cardText(hege)).toContain('Selected: 1, picked by hand.');
    const plan = (await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(hege), ...action(hege, 'salespeople.plan').data }, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('for 1 salespeople');
    expect(cardText(plan)).toContain('HP · hege@contoso.no: licence, Sales user, Salesperson role, coupling');
  });
});

describe('Part 3 with Dataverse answering expanded collections from its cache', () => {
  let cached: Harness;
  beforeAll(async () => {
    // No coupling endpoint: "Ready to couple" then rests on the roles the list reads back.
    cached = await startHarness({ sandboxSettings: { expandCacheMs: 600_000 }, env: { COUPLING_URL: 'none' } });
  });
  afterAll(() => cached.close());

  it('shows the roles it has just assigned when the list is read again (If-None-Match: null)', async () => {
    await resetTenant(cached);
    await fetch(`${cached.sandbox.url}/_sandbox/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expandCacheMs: 600_000 }) });
    const chat = cached.conversation();
    const { card, cardActivityId } = await openPart3Flow(cached, chat);
    expect(facts(card)).toMatchObject({ 'No Salesperson role': '1', 'Ready to couple': '1' });
    // Coupling by hand: on Business Central's page 7209, where its Match-Based Coupling lives.
    expect(cardText(card)).toContain('page 7209 "Couple Dataverse Users with Salespersons"');
    const open = JSON.stringify(card).match(/\{[^{}]*"type":"Action\.OpenUrl"[^{}]*\}/g)?.map((a) => JSON.parse(a))[0];
    expect(open?.title).toBe('Open "Couple Dataverse Users with Salespersons"');
    expect(open?.url).toMatch(/[?&]page=7209(&|$)/);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    const { final } = await approveAndWait(cached, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 8 salespeople are set up.');
    const { next: back } = await continuePlan(cached, chat, final, cardActivityId);
    expect(facts(back)).toMatchObject({ 'No Salesperson role': '0', 'Ready to couple': '9' });
  });
});
