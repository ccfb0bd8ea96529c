import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { action, actionsOf, inputValues } from '../helpers/cards';
import { approveAndWait, dataverse, openPart3, resetTenant } from '../helpers/flows';
import { graph } from '../helpers/tenant';
import { describeFindings, findLeaks, findUncatalogued, foreignMatchers, textsIn } from '../helpers/catalogue';
import { en } from '../../src/i18n/en';
import { nb } from '../../src/i18n/nb';

/**
 * Part 3 without a coupling endpoint: the card predicts Business Central's Match-Based Coupling
 * (page 7209) salesperson by salesperson, plans the mail fixes Microsoft allows, and gives the steps.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { COUPLING_URL: 'none' } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const S = SEED.dataverse.systemUsers;
const patchSalesUser = (id: string, fields: Record<string, unknown>) =>
  fetch(`${h.sandbox.url}/_sandbox/dataverse/systemusers/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
const patchSalesperson = (code: string, email: string) =>
  fetch(`${h.sandbox.url}/_sandbox/bc/salespeople/${encodeURIComponent(code)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });

const matchSection = (card: any) => card.body.find((b: any) => b.type === 'Container' && b.separator && JSON.stringify(b).includes('Match-Based Coupling'));

function matchFacts(card: any): Record<string, string> {
  const set = matchSection(card).items.find((b: any) => b.type === 'FactSet');
  return Object.fromEntries(set.facts.map((f: any) => [f.title, f.value]));
}

async function primaryEmailOf(systemUserId: string): Promise<string | null> {
  const response = await dataverse(h, `systemusers(${systemUserId})?$select=internalemailaddress`);
  return ((await response.json())).internalemailaddress;
}

const refresh = (chat: TeamsConversation, card: any, cardActivityId: string) =>
  chat.execute(ADMIN, 'salespeople.refresh', { ...inputValues(card), ...action(card, 'salespeople.refresh').data }, cardActivityId);

describe("Part 3: what Business Central's Match-Based Coupling will do", () => {
  it('finds no Sales user for an account without mail, plans setting its mail, and then predicts the coupling; the steps name the pages by caption', async () => {
    // Kari's account has no mailbox: no mail, so her Sales user has no primary e-mail.
    expect((await graph(h.sandbox.url, 'PATCH', `/users/${SEED.users.kariHansen.id}`, { mail: null })).status).toBe(204);
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const text = cardText(card);
    expect(text).toContain("What Business Central's Match-Based Coupling will do");
    expect(text).toContain(
      '**KH** kari.hansen@contoso.no: No Sales user with that e-mail — kari.hansen@contoso.no has no mail address (no mailbox), so its Sales user has no primary e-mail. Fix: I can set the mail address of kari.hansen@contoso.no to kari.hansen@contoso.no',
    );
    expect(text).toContain('**LJ** lars.johansen@contoso.no: Will be coupled (lars.johansen@contoso.no)');
    expect(text).toContain('**TM** : No Sales user with that e-mail — the salesperson has no e-mail in Business Central');
    expect(text).toMatch(/\*\*HP\*\* hege\.pedersen@contoso\.no: No Sales user with that e-mail — nobody in Sales has it yet\. Fix: set the salesperson up first/);
    expect(cardText(matchSection(card))).not.toContain('**AK**'); // blocked: left alone
    expect(matchFacts(card)).toMatchObject({ 'Will be coupled': '1', 'No Sales user with that e-mail': '10' });
    // The steps: page 7209 by caption with its deep link, the criteria on page 5363, the team on page 5340.
    expect(text).toContain(`**Couple Dataverse Users with Salespersons** (page 7209): https://businesscentral.dynamics.com/${SEED.tenantId}/Production?page=7209`);
    expect(text).toContain('On **Select Coupling Criteria** (page 5363) tick **Match on this Field** only on the line **Email** ↔ **Primary Email**');
    expect(text).toContain('Open **Users - Dataverse** (page 5340)');
    expect(text).toContain('I can fix 1 of these');
    // status counts what it can observe: without an endpoint, the couplings Match-Based Coupling would make.
    await chat.say(ADMIN, 'status');
    expect(cardText(h.connector.cards().at(-1))).toContain('Couplings made in Business Central cannot be read without a coupling endpoint; Match-Based Coupling should pair 1 of 11 salespeople.');

    const planned = await chat.execute(ADMIN, 'salespeople.fixMail', action(card, 'salespeople.fixMail').data, cardActivityId);
    const plan = planned.body.value;
    expect(cardText(plan)).toContain("1 mail addresses set on accounts without a mailbox (their Sales users' primary e-mail follows)");
    expect(cardText(plan)).toContain('kari.hansen@contoso.no: mail address');
    // Nothing changes before approval.
    expect((await graph(h.sandbox.url, 'GET', `/users/${SEED.users.kariHansen.id}?$select=mail`)).body.mail).toBeNull();

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 1 salespeople are set up.');
    expect((await graph(h.sandbox.url, 'GET', `/users/${SEED.users.kariHansen.id}?$select=mail`)).body.mail).toBe('kari.hansen@contoso.no');
    expect(await primaryEmailOf(S.kariHansen)).toBe('kari.hansen@contoso.no');

    // "Back" keeps the applied plan card as the record and sends the list below it.
    await chat.execute(ADMIN, 'salespeople.refresh', action(final, 'salespeople.refresh').data, cardActivityId);
    const back = h.connector.cards().at(-1);
    expect(cardText(back)).toContain('**KH** kari.hansen@contoso.no: Will be coupled (kari.hansen@contoso.no)');
    expect(matchFacts(back)).toMatchObject({ 'Will be coupled': '2' });
    expect(actionsOf(back).map((a) => a.verb)).not.toContain('salespeople.fixMail');
    await chat.say(ADMIN, 'status');
    expect(cardText(h.connector.cards().at(-1))).toContain('Match-Based Coupling should pair 2 of 11 salespeople.');
  });

  it('reports several Sales users with one e-mail, another primary e-mail, and a Sales user BC leaves out', async () => {
    await patchSalesUser(S.larsJohansen, { internalemailaddress: 'KARI.HANSEN@contoso.no' });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    let text = cardText(card);
    expect(text).toContain('**KH** kari.hansen@contoso.no: Several Sales users with that e-mail — 2 Sales users have it, so Business Central couples none of them. Fix: give each of these users an address of their own');
    expect(text).toContain("**LJ** lars.johansen@contoso.no: No Sales user with that e-mail — its Sales user's primary e-mail is KARI.HANSEN@contoso.no. Fix: use KARI.HANSEN@contoso.no as the salesperson's Email in Business Central");
    expect(matchFacts(card)).toMatchObject({ 'Will be coupled': '0', 'Several Sales users with that e-mail': '1' });

    await patchSalesUser(S.larsJohansen, { internalemailaddress: 'lars.johansen@contoso.no', isintegrationuser: true });
    text = cardText((await refresh(chat, card, cardActivityId)).body.value);
    expect(text).toContain('**LJ** lars.johansen@contoso.no: Its Sales user is left out — lars.johansen@contoso.no is an integration user, which Business Central never couples. Fix: give the salesperson an e-mail of their own.');
    expect(text).toContain('**KH** kari.hansen@contoso.no: Will be coupled (kari.hansen@contoso.no)');
  });

  it('foresees a Sales user taken by a salesperson earlier in BC\'s order as coupled already', async () => {
    // BJ comes before KH by code; both carry Kari's address, so BC couples BJ and then finds Kari's user taken.
    expect((await patchSalesperson('BJ', 'kari.hansen@contoso.no')).status).toBe(200);
    const chat = h.conversation();
    const { card } = await openPart3(h, chat);
    const text = cardText(card);
    expect(text).toContain('**BJ** kari.hansen@contoso.no: Will be coupled (kari.hansen@contoso.no)');
    expect(text).toContain('**KH** kari.hansen@contoso.no: Its Sales user is coupled already — kari.hansen@contoso.no is coupled to salesperson BJ. Fix: if that coupling is wrong, select the user on page 7209 and choose "Delete Coupling" first.');
    expect(matchFacts(card)).toMatchObject({ 'Its Sales user is coupled already': '1' });
  });

  it('reads in Norwegian from its own catalogue, the captions and licence names as Business Central and Microsoft give them', async () => {
    await graph(h.sandbox.url, 'PATCH', `/users/${SEED.users.kariHansen.id}`, { mail: null });
    await patchSalesUser(S.larsJohansen, { isintegrationuser: true });
    const chat = h.conversation({ locale: 'nb-NO' });
    const { card } = await openPart3(h, chat);
    const text = cardText(matchSection(card));
    expect(text).toContain('Hva Business Centrals Match-Based Coupling vil gjøre');
    expect(text).toContain('**KH** kari.hansen@contoso.no: Ingen Sales-bruker med den e-posten — kari.hansen@contoso.no har ingen e-postadresse (ingen postboks)');
    expect(text).toContain('Åpne **Couple Dataverse Users with Salespersons** (side 7209)');
    const reads = textsIn(card, '[nb] Part 3 card');
    const tenantValues = ['Sales Manager', 'Salesperson', 'System Administrator', 'System Customizer'];
    expect(describeFindings([...findLeaks(reads, foreignMatchers(en, nb), tenantValues), ...findUncatalogued(reads, 'en', tenantValues)])).toBe('');
  });
});
