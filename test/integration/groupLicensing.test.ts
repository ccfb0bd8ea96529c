import { SEED } from '../../src/sandbox';
import { DEFAULT_LICENCE_GROUP } from '../../src/setup/groupLicensing';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, inputValues } from '../helpers/cards';
import { approveAndWait, dataverse, openPart3, rawTenantState, salespeoplePlan } from '../helpers/flows';
import { graph } from '../helpers/tenant';
import { cardText } from '../helpers/teams';

/**
 * Part 3 through a group on a tenant with Microsoft Entra ID P1: one security group holds the
 * Sales licence and admits the salespeople; they join it 20 per request; Entra licenses them in
 * the background (the sandbox's groupLicenseDelayMs), and the run waits for each one's licence
 * state. A member Entra has no seat for (CountViolation) is shown with that reason. Without P1
 * the plan stays per user and says why; group mode asked for anyway is refused, naming it.
 */

const DELAY_MS = 300;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function reset(seed: Record<string, unknown>) {
  const response = await fetch(`${h.sandbox.url}/_sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed, settings: { syncDelayMs: 200, licensePropagationMs: 300, groupLicenseDelayMs: DELAY_MS } }),
  });
  if (response.status !== 200) throw new Error(`reset answered ${response.status}`);
  h.connector.clear();
}

const tenant = async () => JSON.parse(await rawTenantState(h));
const licenceGroup = async () => (await tenant()).graph.groups.find((g: any) => g.displayName === DEFAULT_LICENCE_GROUP);
const userByUpn = async (upn: string) =>
  (await graph(h.sandbox.url, 'GET', `/users/${encodeURIComponent(upn.replace(/'/g, "''"))}?$select=id,assignedLicenses,licenseAssignmentStates`)).body;
const salesUserOf = async (aad: string) =>
  ((await (await dataverse(h, `systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${aad}`)}&$select=isdisabled,islicensed`)).json())).value as any[];

const NEEDING_LICENCE = ['oystein.bakke@contoso.no', 'marte.nilsen@contoso.no', 'hege@contoso.no', "ola.o'brien@contoso.no", 'eirik.haugen@contoso.no', 'siri.lunde@contoso.no', 'bjorn.jakobsen@contoso.no'];

describe('Part 3 through a group (group-based licensing)', () => {
  it('offers the group on the list card, plans it with the mode and why, changes nothing before approval, then licenses and admits everyone through it', async () => {
    await reset({ groupBasedLicensing: true });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const list = cardText(card);
    expect(list).toContain('Group-based licensing can be used: the tenant has Microsoft Entra ID P1.');
    expect(inputValues(card)).toMatchObject({ licensing: 'group', licenceGroup: DEFAULT_LICENCE_GROUP });

    const before = await rawTenantState(h);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain(`the security group ${DEFAULT_LICENCE_GROUP} created`);
    expect(text).toContain(`the group ${DEFAULT_LICENCE_GROUP} given the licence Dynamics 365 for Sales Enterprise Edition: its members get it from the group (7 seats)`);
    expect(text).toContain(`7 added to the group ${DEFAULT_LICENCE_GROUP}, 20 per request`);
    expect(text).toContain(`Licensing: through the group **${DEFAULT_LICENCE_GROUP}** (group-based licensing, the tenant has Microsoft Entra ID P1).`);
    expect(text).not.toMatch(/× the licence/); // no licence per user
    expect(text).not.toMatch(/usage location/);
    expect(await rawTenantState(h)).toBe(before);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const done = cardText(final);
    expect(done).toContain('Applied: all 9 salespeople are set up.');
    expect(done).toMatch(new RegExp(`Waited [\\d.,]+ s for Entra ID to license 7 members of ${DEFAULT_LICENCE_GROUP}`));
    const group = await licenceGroup();
    expect(group).toMatchObject({ securityEnabled: true, mailEnabled: false, assignedLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }] });
    expect(group.members).toHaveLength(7);
    for (const upn of NEEDING_LICENCE) {
      const user = await userByUpn(upn);
      expect(group.members).toContain(user.id);
      expect(user.licenseAssignmentStates).toContainEqual(expect.objectContaining({ assignedByGroup: group.id, skuId: SEED.skus.sales, state: 'Active' }));
      expect(await salesUserOf(user.id)).toEqual([expect.objectContaining({ isdisabled: false, islicensed: true })]);
    }
    // Marte had no usage location: the group licence used the directory's, and none was set on her.
    expect((await tenant()).graph.users.find((u: any) => u.userPrincipalName === 'marte.nilsen@contoso.no').usageLocation).toBeNull();
  });

  it('shows the admin a member Entra could not license for want of seats (CountViolation), and sets up the others', async () => {
    await reset({ groupBasedLicensing: true });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('(7 seats)');
    // Another admin takes two of the eight free Sales seats between planning and approval.
    for (const user of [SEED.users.siljeAndersen.id, SEED.users.perOlsen.id]) {
      const assigned = await graph(h.sandbox.url, 'POST', `/users/${user}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
      expect(assigned.status).toBe(200);
    }
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const text = cardText(final);
    expect(text).toMatch(/not enough licences \(CountViolation\)/);
    expect(text).toContain(`through the group ${DEFAULT_LICENCE_GROUP}`);
    expect(action(final, 'plan.retry')).toBeDefined();
    const states = await Promise.all(NEEDING_LICENCE.map(userByUpn));
    const failed = states.filter((u) => u.licenseAssignmentStates.some((s: any) => s.error === 'CountViolation'));
    expect(failed).toHaveLength(1);
    expect(states.filter((u) => u.licenseAssignmentStates.some((s: any) => s.state === 'Active'))).toHaveLength(6);

    // A seat is freed; "Retry failed" asks Entra to process the member again and completes the plan.
    await graph(h.sandbox.url, 'POST', `/users/${SEED.users.perOlsen.id}/assignLicense`, { addLicenses: [], removeLicenses: [SEED.skus.sales] });
    const retry = await chat.execute(ADMIN, 'plan.retry', action(final, 'plan.retry').data, cardActivityId);
    expect(retry.status).toBe(200);
    await h.bot.runner.settled(String(action(final, 'plan.retry').data.planId));
    const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
    const retried = cardText(updates.at(-1)!.activity.attachments[0].content);
    expect(retried).toContain('Applied: all 9 salespeople are set up.');
    const after = await Promise.all(NEEDING_LICENCE.map(userByUpn));
    expect(after.filter((u) => u.licenseAssignmentStates.some((s: any) => s.state === 'Active'))).toHaveLength(7);
  });

  it('with an environment security group, the licence group joins it and its members are admitted', async () => {
    await reset({ groupBasedLicensing: true, environmentSecurityGroup: true });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain(`the group ${DEFAULT_LICENCE_GROUP} added to the environment's security group Contoso Sales Access, so its members are admitted`);
    expect(text).not.toContain('added to the security group Contoso Sales Access (the Sales environment admits only its members)');
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 9 salespeople are set up.');
    const group = await licenceGroup();
    const env = (await tenant()).graph.groups.find((g: any) => g.id === SEED.environmentGroupId);
    expect(env.members).toContain(group.id);
    for (const upn of NEEDING_LICENCE) expect(await salesUserOf((await userByUpn(upn)).id)).toEqual([expect.objectContaining({ isdisabled: false })]);
  });

  it('without Microsoft Entra ID P1, plans per user and says why; group mode asked for anyway is refused with the reason and changes nothing', async () => {
    await reset({});
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    expect(inputValues(card).licensing).toBeUndefined(); // no choice offered
    const before = await rawTenantState(h);
    const refused = (await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(card), ...action(card, 'salespeople.plan').data, licensing: 'group' }, cardActivityId)).body.value;
    expect(cardText(refused)).toContain('The salespeople cannot be licensed through a group: group-based licensing needs Microsoft Entra ID P1 or P2');
    expect(await rawTenantState(h)).toBe(before);

    const plan = (await salespeoplePlan(chat, refused, cardActivityId)).body.value;
    const text = cardText(plan);
    expect(text).toContain('Licensing: each salesperson on their own — group-based licensing needs Microsoft Entra ID P1 or P2');
    expect(text).toContain('7 × the licence Dynamics 365 for Sales Enterprise Edition');
  });

  it('fails at the group step, naming the permission, when the app lacks Group.Create', async () => {
    await reset({ groupBasedLicensing: true });
    await fetch(`${h.sandbox.url}/_sandbox/app`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ graphRoles: [...SEED.app.graphRoles, 'LicenseAssignment.ReadWrite.All'] }) });
    await h.restartBot();
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toMatch(/application permission Group\.Create/);
    expect(await licenceGroup()).toBeUndefined();
    await reset({ groupBasedLicensing: true });
    await h.restartBot(); // later tests get tokens with the app's full roles again
  });

  it('refuses a licence group name Graph cannot take, and a name that is not a security group', async () => {
    await reset({ groupBasedLicensing: true });
    await graph(h.sandbox.url, 'POST', '/groups', { displayName: 'Sales team', mailEnabled: true, mailNickname: 'salesteam', securityEnabled: false, groupTypes: ['Unified'] });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const before = await rawTenantState(h);
    const submit = (licenceGroup: string) => chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(card), ...action(card, 'salespeople.plan').data, licenceGroup }, cardActivityId);
    expect(cardText((await submit('   ')).body.value)).toContain('cannot be a group name: use 1 to 256 characters');
    expect(cardText((await submit('Sales team')).body.value)).toContain('Sales team is not a security group, and licences can be given only to security groups');
    expect(await rawTenantState(h)).toBe(before);
  });
});
