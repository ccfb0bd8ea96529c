import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { approveAndWait, completePart1, continuePlan, dataverse, rawTenantState, resetTenant } from '../helpers/flows';
import { graph, graphUser, salesUserWithRoles } from '../helpers/tenant';
import { cardText, type TeamsConversation } from '../helpers/teams';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ captureLogs: true });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const APP_USER = SEED.dataverse.systemUsers.bcIntegrationApp;
const ROLES = SEED.dataverse.roles.root;

async function toPart2(chat: TeamsConversation, pathChoice: 'application' | 'dedicated') {
  const { card, cardActivityId } = await completePart1(h, chat);
  expect(cardText(card)).toContain('Part 2 of 3 — the integration account');
  expect(findById(card, 'path')?.value).toBe('application'); // BC online: the application user is recommended
  const next = await chat.execute(ADMIN, 'integration.path', { path: pathChoice }, cardActivityId);
  return { card: next.body.value, cardActivityId };
}

function rulesOf(card: any): Record<string, string> {
  const rules: Record<string, string> = {};
  for (const set of card.body.filter((b: any) => b.type === 'ColumnSet')) {
    const [mark, text] = set.columns.map((c: any) => c.items[0].text);
    rules[text] = mark;
  }
  return rules;
}

describe('Part 2, BC online: the application user', () => {
  it('reports a healthy application user as passing every check', async () => {
    const { card } = await toPart2(h.conversation(), 'application');
    const rules = rulesOf(card);
    expect(Object.values(rules)).toEqual(['✅', '✅', '✅', '✅', '✅']);
    expect(rules['Holds the role "Business Central Dataverse Integration"']).toBe('✅');
    expect(actionsOf(card).map((a) => a.verb)).toContain('integration.next');
    expect(actionsOf(card).map((a) => a.verb)).not.toContain('integration.fix');
  });

  it('finds a broken application user, plans the fixes the API allows, and passes after approval', async () => {
    // Broken by hand: System Administrator given, the integration role taken away.
    await dataverse(h, `systemusers(${APP_USER})/systemuserroles_association/$ref`, { method: 'POST', body: JSON.stringify({ '@odata.id': `${h.sandbox.url}/dataverse/api/data/v9.2/roles(${ROLES.systemAdministrator})` }) });
    await dataverse(h, `systemusers(${APP_USER})/systemuserroles_association/$ref?$id=${h.sandbox.url}/dataverse/api/data/v9.2/roles(${ROLES.bcIntegration})`, { method: 'DELETE' });
    const chat = h.conversation();
    const { card, cardActivityId } = await toPart2(chat, 'application');
    const rules = rulesOf(card);
    expect(rules['Holds the role "Business Central Dataverse Integration"']).toBe('❌');
    expect(rules['Does not hold System Administrator']).toBe('❌');
    expect(cardText(card)).toContain('I can fix the rest: plan the fixes and approve them.');
    const plan = (await chat.execute(ADMIN, 'integration.fix', {}, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('Give Business Central Integration the role Business Central Dataverse Integration');
    expect(cardText(plan)).toContain('Take the role System Administrator away from Business Central Integration');
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 2 changes done.');
    const { record, next: checked } = await continuePlan(h, chat, final, cardActivityId);
    // The applied plan stays in the chat as the record of the two fixes; the check comes below it.
    expect(cardText(record)).toContain('These changes were made in');
    expect(cardText(record)).toContain('Give Business Central Integration the role Business Central Dataverse Integration');
    expect(cardText(record)).toContain('Applied: all 2 changes done.');
    expect(actionsOf(record)).toEqual([]);
    expect(Object.values(rulesOf(checked)).every((mark) => mark === '✅')).toBe(true);
    const roles = (await (await dataverse(h, `systemusers(${APP_USER})/systemuserroles_association?$select=roleid`)).json()).value.map((r: any) => r.roleid);
    expect(roles).toEqual([ROLES.bcIntegration]);
  });

  it('says what to do elsewhere when there are two application users (no plan can fix that)', async () => {
    // A second application user with BC's client id (not the product's own: that is who the bot signs in as).
    await fetch(`${h.sandbox.url}/_sandbox/dataverse/systemusers/${SEED.dataverse.systemUsers.integration}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ applicationid: SEED.bcAppId }),
    });
    const { card } = await toPart2(h.conversation(), 'application');
    expect(rulesOf(card)['Exactly one such application user (found 2)']).toBe('❌');
    expect(cardText(card)).toContain('Fix this in the Power Platform admin center');
    expect(actionsOf(card).map((a) => a.verb)).not.toContain('integration.fix');
    expect(actionsOf(card).map((a) => a.verb)).not.toContain('integration.next');
  });
});

describe('Part 2, the procedure\'s dedicated integration user', () => {
  const UPN = 'bc-sync@contoso.no';

  it('creates, licenses and adds the user, shows the password once, then makes it non-interactive after the connection', async () => {
    const chat = h.conversation();
    const { card: form, cardActivityId } = await toPart2(chat, 'dedicated');
    expect(cardText(form)).toContain('Never use the administrator account');
    expect(cardText(form)).toContain('not synchronised');
    expect(findById(form, 'domain')!.choices.map((c: any) => c.value).sort()).toEqual(['contoso.no', 'contosonorge.onmicrosoft.com']);
    const skuChoices = findById(form, 'skuId')!.choices.map((c: any) => c.title);
    expect(skuChoices).toContain('Dynamics 365 for Sales Enterprise Edition — 8 free');
    expect(skuChoices.join()).not.toContain('Dynamics 365 Plan 1 Enterprise Edition'); // no free seat: not offered
    expect(findById(form, 'usageLocation')!.value).toBe('NO'); // the admin's own

    const values = { ...inputValues(form), localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', skuId: SEED.skus.sales };
    const plan = (await chat.execute(ADMIN, 'integration.plan', values, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain(`Create the Microsoft 365 account ${UPN} (usage location NO)`);
    expect(text).toContain(`Assign the licence Dynamics 365 for Sales Enterprise Edition to ${UPN}`);
    expect(text).toContain(`Add ${UPN} to the Sales environment`);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 3 changes done.');

    // The password: one new message in this personal chat, to the requester.
    const passwordMessages = h.connector.activities.filter((a) => a.method === 'POST' && cardText(a.activity).includes(`Password for ${UPN}`));
    expect(passwordMessages).toHaveLength(1);
    expect(passwordMessages[0].conversationId).toBe(chat.id);
    const passwordCard = passwordMessages[0].activity.attachments[0].content;
    const password: string = passwordCard.body.find((b: any) => b.type === 'RichTextBlock').inlines[0].text;
    expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[!$%&?@^]).{20}$/);
    const stored = await chat.execute(ADMIN, 'secret.stored', action(passwordCard, 'secret.stored').data, passwordMessages[0].activityId);
    expect(cardText(stored.body.value)).not.toContain(password);
    expect(cardText(stored.body.value)).toContain('was shown once and has been removed from this card');

    // After the connection exists: non-interactive.
    const toConnection = await continuePlan(h, chat, final, cardActivityId);
    // The user's plan stays as the record of the account made; the connection step comes below it.
    expect(cardText(toConnection.record)).toContain(`Create the Microsoft 365 account ${UPN} (usage location NO)`);
    expect(cardText(toConnection.record)).toContain('These changes were made in');
    expect(cardText(toConnection.record)).not.toContain('after approval');
    const connection = toConnection.next;
    expect(cardText(connection)).toContain(`https://businesscentral.dynamics.com/${SEED.tenantId}/Production?page=1817`);
    const accessPlan = (await chat.execute(ADMIN, 'integration.connected', {}, toConnection.nextActivityId)).body.value;
    expect(cardText(accessPlan)).toContain(`Set the Sales access mode of ${UPN} to Non-interactive`);
    const applied = await approveAndWait(h, chat, accessPlan, toConnection.nextActivityId);
    expect(cardText(applied.final)).toContain('Applied: all 1 changes done.');
    const toCheck = await continuePlan(h, chat, applied.final, toConnection.nextActivityId);
    expect(cardText(toCheck.record)).toContain(`Set the Sales access mode of ${UPN} to Non-interactive`);
    expect(cardText(toCheck.record)).toContain('These changes were made in');
    const check = toCheck.next;
    expect(Object.values(rulesOf(check))).toEqual(['✅', '✅', '✅', '✅', '✅', '✅', '✅']);

    // The end state, read through the sandbox's Graph and Dataverse APIs.
    const found = await graph(h.sandbox.url, 'GET', `/users?$filter=${encodeURIComponent(`userPrincipalName eq '${UPN}'`)}&$select=id`);
    expect(found.body.value).toHaveLength(1);
    const entra = await graphUser(h.sandbox.url, UPN);
    expect(entra.usageLocation).toBe('NO');
    expect(entra.assignedLicenses.map((l: any) => l.skuId)).toEqual([SEED.skus.sales]);
    const sales = (await (await dataverse(h, `systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${entra.id}`)}&$select=accessmode,isdisabled`)).json()).value;
    expect(sales).toEqual([expect.objectContaining({ accessmode: 4, isdisabled: false })]);

    // The password is nowhere but in that one card: not in logs, bot state, plans, runs or the tenant.
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(password);
    for (const file of filesUnder(h.stateDir)) expect(readFileSync(file, 'utf8')).not.toContain(password);
    expect(await rawTenantState(h)).not.toContain(password);
  });

  it.each([
    ['the administrator account', () => ({ localPart: 'ingrid.berg' }), 'is the administrator account'],
    ['a disabled account', () => ({ localPart: 'per.olsen' }), 'is disabled'],
    ['an account holding System Administrator in Sales', () => ({ localPart: 'kari.hansen' }), 'holds System Administrator in Sales'],
    ['an environment with 7 non-interactive users', () => ({ localPart: 'bc-sync' }), 'already has 7 non-interactive users'],
    ['an unverified domain', () => ({ localPart: 'bc-sync', domain: 'fabrikam-demo.com' }), 'is not a verified domain'],
  ])('refuses %s with the reason and changes nothing', async (what, values, reason) => {
    if (what.includes('System Administrator')) {
      await dataverse(h, `systemusers(${SEED.dataverse.systemUsers.kariHansen})/systemuserroles_association/$ref`, {
        method: 'POST', body: JSON.stringify({ '@odata.id': `${h.sandbox.url}/dataverse/api/data/v9.2/roles(${ROLES.systemAdministrator})` }),
      });
    }
    if (what.includes('7 non-interactive')) await fillNonInteractive();
    const chat = h.conversation();
    const { card: form, cardActivityId } = await toPart2(chat, 'dedicated');
    const before = await rawTenantState(h);
    const refused = await chat.execute(ADMIN, 'integration.plan', { ...inputValues(form), displayName: 'BC Sync', domain: 'contoso.no', ...values() }, cardActivityId);
    expect(cardText(refused.body.value)).toContain(reason);
    expect(() => action(refused.body.value, 'plan.approve')).toThrow();
    expect(await rawTenantState(h)).toBe(before);
  });
});

describe('Part 2, the environment\'s own limit on non-interactive users', () => {
  const reseed = (seed: Record<string, unknown>) =>
    fetch(`${h.sandbox.url}/_sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed, settings: { syncDelayMs: 200, licensePropagationMs: 300 } }),
    });
  const makeNonInteractive = (id: string) =>
    fetch(`${h.sandbox.url}/_sandbox/dataverse/systemusers/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessmode: 4 }) });

  async function planFor(localPart: string) {
    const chat = h.conversation();
    const { card: form, cardActivityId } = await toPart2(chat, 'dedicated');
    const before = await rawTenantState(h);
    const reply = await chat.execute(ADMIN, 'integration.plan', { ...inputValues(form), displayName: 'BC Sync', domain: 'contoso.no', localPart }, cardActivityId);
    return { card: reply.body.value, before };
  }

  it('refuses the 4th non-interactive user where RetrieveOrganizationResources publishes a limit of 3', async () => {
    await reseed({ maxNonInteractiveUsers: 3 });
    await makeNonInteractive(SEED.dataverse.systemUsers.larsJohansen); // the seed's two, and this one: 3
    const { card, before } = await planFor('bc-sync');
    expect(cardText(card)).toContain('already has 3 non-interactive users, the most it allows (3)');
    expect(() => action(card, 'plan.approve')).toThrow();
    expect(await rawTenantState(h)).toBe(before);
  });

  it('plans the 3rd under a limit of 3', async () => {
    await reseed({ maxNonInteractiveUsers: 3 });
    const { card } = await planFor('bc-sync');
    expect(cardText(card)).toContain('Create the Microsoft 365 account bc-sync@contoso.no');
    expect(() => action(card, 'plan.approve')).not.toThrow();
  });

  it('says it assumed the usual 7 when the environment does not publish its limit', async () => {
    await reseed({ maxNonInteractiveUsers: null });
    await fillNonInteractive();
    const { card } = await planFor('bc-sync');
    expect(cardText(card)).toContain('did not say how many it allows, so the usual Dataverse limit of 7 was assumed');
    expect(() => action(card, 'plan.approve')).toThrow();
  });
});

/** Five more enabled non-interactive people users next to the seed's two: the limit of 7. */
async function fillNonInteractive() {
  const users = [SEED.dataverse.systemUsers.admin, SEED.dataverse.systemUsers.kariHansen, SEED.dataverse.systemUsers.larsJohansen, SEED.dataverse.systemUsers.system];
  const created = await graph(h.sandbox.url, 'POST', '/users', {
    accountEnabled: true, displayName: 'Filler', mailNickname: 'filler', userPrincipalName: 'filler@contoso.no', usageLocation: 'NO', passwordProfile: { password: 'Xy!9fillerPass#2026' },
  });
  await graph(h.sandbox.url, 'POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
  for (let i = 0; i < 50; i++) {
    const user = await salesUserWithRoles(h.sandbox.url, created.body.id);
    if (user) {
      users.push(user.systemuserid as never);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(users).toHaveLength(5);
  for (const id of users) {
    await fetch(`${h.sandbox.url}/_sandbox/dataverse/systemusers/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessmode: 4 }) });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
