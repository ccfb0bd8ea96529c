import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { inputValues } from '../helpers/cards';
import { approveAndWait, completePart1, dataverse, openPart3, rawTenantState, salespeoplePlan, startSetup } from '../helpers/flows';
import { graph, graphUser, salesUserWithRoles } from '../helpers/tenant';
import { cardText } from '../helpers/teams';

/**
 * An environment with a security group ("Contoso Sales Access") admits only its members. The admin,
 * the new integration user and most salespeople are not members: each plan shows the membership
 * before approval, changes nothing before it, and completes after it.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await fetch(`${h.sandbox.url}/_sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: { environmentSecurityGroup: true }, settings: { syncDelayMs: 200, licensePropagationMs: 300 } }),
  });
  h.connector.clear();
});

const GROUP = SEED.environmentGroupId;
const groupMembers = async () => JSON.parse(await rawTenantState(h)).graph.groups.find((g: any) => g.id === GROUP).members as string[];
const salesUserOf = async (aad: string) =>
  ((await (await dataverse(h, `systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${aad}`)}&$select=isdisabled,accessmode`)).json())).value as any[];

describe('an environment with a security group', () => {
  it('Part 1: plans the admin into the group before the environment, changes nothing before approval, then completes', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startSetup(h, chat);
    expect((await salesUserOf(SEED.admin.id))[0].isdisabled).toBe(true); // the group keeps a non-member out
    const before = await rawTenantState(h);
    const plan = (await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain(`Add ${SEED.admin.upn} to the security group Contoso Sales Access (the Sales environment admits only its members)`);
    expect(text.indexOf('security group Contoso Sales Access')).toBeLessThan(text.indexOf(`Add ${SEED.admin.upn} to the Sales environment`));
    expect(await rawTenantState(h)).toBe(before);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 4 changes done.');
    expect(await groupMembers()).toContain(SEED.admin.id);
    const admin = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    expect(admin?.isdisabled).toBe(false);
    expect(admin?.systemuserroles_association.map((r) => r.roleid).sort()).toEqual(
      [SEED.dataverse.roles.root.systemAdministrator, SEED.dataverse.roles.root.systemCustomizer, SEED.dataverse.roles.root.salesManager].sort(),
    );
    // Planned again: the admin is a member now, nothing is left.
    const again = (await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId)).body.value;
    expect(cardText(again)).toContain('Nothing to change');
  });

  it('Part 2, dedicated user: the new account joins the group before the environment, and ends up a Sales user', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await completePart1(h, chat);
    const form = (await chat.execute(ADMIN, 'integration.path', { path: 'dedicated' }, cardActivityId)).body.value;
    const values = { ...inputValues(form), localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', skuId: SEED.skus.sales };
    expect(cardText(card)).toContain('Part 2 of 3');
    const before = await rawTenantState(h);
    const plan = (await chat.execute(ADMIN, 'integration.plan', values, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain('Add bc-sync@contoso.no to the security group Contoso Sales Access');
    expect(text.indexOf('security group')).toBeLessThan(text.indexOf('Add bc-sync@contoso.no to the Sales environment'));
    expect(await rawTenantState(h)).toBe(before);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 4 changes done.');
    const entra = await graphUser(h.sandbox.url, 'bc-sync@contoso.no');
    expect(await groupMembers()).toContain(entra.id);
    expect(await salesUserOf(entra.id)).toEqual([expect.objectContaining({ isdisabled: false })]);
    const passwordCard = h.connector.activities.find((a) => a.method === 'POST' && cardText(a.activity).includes('Password for bc-sync@contoso.no'));
    expect(passwordCard).toBeDefined();
  });

  it('Part 3: plans the salespeople who are not members into the group, adds them in bulk before Sales, and sets every one up', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const before = await rawTenantState(h);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    const text = cardText(plan);
    // Kari (direct) and Lars (through "Salg Vest team") are members; the other 7 are not.
    expect(text).toContain('7 added to the security group Contoso Sales Access (the Sales environment admits only its members)');
    expect(await rawTenantState(h)).toBe(before);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 9 salespeople are set up.');
    const members = await groupMembers();
    for (const upn of ['oystein.bakke@contoso.no', 'marte.nilsen@contoso.no', 'siri.lunde@contoso.no', "ola.o'brien@contoso.no"]) {
      const user = (await graph(h.sandbox.url, 'GET', `/users/${encodeURIComponent(upn.replace(/'/g, "''"))}?$select=id`)).body;
      expect(members).toContain(user.id);
      expect(await salesUserOf(user.id)).toEqual([expect.objectContaining({ isdisabled: false })]);
    }
    expect(members).not.toContain(SEED.users.larsJohansen.id); // a nested member stays where they are
    expect(members.filter((m) => m === SEED.users.kariHansen.id)).toHaveLength(1);
  });
});
