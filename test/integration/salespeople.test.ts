import { SEED } from '../../src/sandbox';
import { guidFrom } from '../../src/sandbox/seed';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { action, findById, inputValues } from '../helpers/cards';
import { approveAndWait, dataverse, rawTenantState, resetTenant, startSetup } from '../helpers/flows';
import { graph } from '../helpers/tenant';

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
async function openPart3(chat: TeamsConversation) {
  await startSetup(h, chat);
  await chat.say(ADMIN, 'salespeople');
  return { card: h.connector.cards().at(-1)!, cardActivityId: h.connector.activities.at(-1)!.activityId! };
}

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

    const planned = await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(card), ...action(card, 'salespeople.plan').data }, cardActivityId);
    const plan = planned.body.value;
    const planText = cardText(plan);
    expect(planText).toContain('for 9 salespeople');
    expect(planText).toContain('4 new Microsoft 365 accounts');
    expect(planText).toContain('1 × usage location NO set first');
    expect(planText).toContain('7 × the licence DYN365_ENTERPRISE_SALES');
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
    const couplings = ((await (await fetch(`${h.sandbox.url}${COUPLINGS}`, { headers: { authorization: 'Bearer test' } })).json()) as any).value as any[];
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
    // Marte had no usage location: it was set before her licence.
    expect((await usersWith('marte.nilsen@contoso.no'))[0].usageLocation).toBe('NO');
    // Blocked, e-mail-less and unverified-domain salespeople: nothing made for them.
    expect(await usersWith('anders.kristiansen@contoso.no')).toEqual([]);
    expect(await usersWith('jonas.dahl@fabrikam-demo.com')).toEqual([]);
    expect(state.graph.users.filter((u: any) => /^(tone|anders\.kristiansen|jonas)/i.test(u.userPrincipalName))).toEqual([]);
    expect(couplings.map((c) => c.salespersonCode).sort()).toEqual(Object.keys(SELECTABLE).sort());

    // Back on the list: everyone selectable is coupled, and there is nothing left to plan.
    const back = await chat.execute(ADMIN, 'plan.continue', action(final, 'plan.continue').data, cardActivityId);
    expect(facts(back.body.value)).toMatchObject({ Coupled: '9', 'No account': '2', 'Ready to couple': '0' });
    const again = await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(back.body.value), ...action(back.body.value, 'salespeople.plan').data }, cardActivityId);
    expect(cardText(again.body.value)).toContain('Nothing is selected.');
  });
});
