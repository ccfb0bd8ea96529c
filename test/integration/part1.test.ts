import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { graph, graphUser, salesUserWithRoles } from '../helpers/tenant';
import { approveAndWait as approveAndWaitFlow, continuePlan, startSetup, resetTenant } from '../helpers/flows';
import { t } from '../../src/i18n';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const ROLES = SEED.dataverse.roles;

/** "set up" → environment card → Continue, as a user accepting the defaults. Returns the Part 1 card. */
async function startPart1(chat: TeamsConversation, between?: () => Promise<void>) {
  if (!between) {
    const { card, cardActivityId } = await startSetup(h, chat);
    return { adminCard: card, cardActivityId };
  }
  await chat.say(ADMIN, 'set up');
  const envCard = h.connector.cards().at(-1)!;
  const cardActivityId = h.connector.activities.at(-1)!.activityId!;
  expect(cardText(envCard)).toContain('Which environments?');
  await between();
  const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), deployment: 'online' }, cardActivityId);
  expect(saved.status).toBe(200);
  return { adminCard: saved.body.value, cardActivityId };
}

async function planFor(chat: TeamsConversation, upn: string, roleIds: string[], cardActivityId: string) {
  const response = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: upn, nonAdminRoleIds: roleIds.join(',') }, cardActivityId);
  expect(response.status).toBe(200);
  return response.body.value;
}

const approveAndWait = (chat: TeamsConversation, planCard: any, cardActivityId: string) => approveAndWaitFlow(h, chat, planCard, cardActivityId);

function roleIdsHeld(user: Awaited<ReturnType<typeof salesUserWithRoles>>) {
  return (user?.systemuserroles_association ?? []).map((r) => r.roleid).sort();
}

describe('Part 1: the administrator account, from card to applied roles', () => {
  it('walks from "set up" to applied roles; the result is read back from the sandbox Dataverse API', async () => {
    const chat = h.conversation();
    const { adminCard, cardActivityId } = await startPart1(chat);
    expect(findById(adminCard, 'userPrincipalName')?.value).toBe(SEED.admin.upn); // prefilled from the Teams user
    expect(findById(adminCard, 'nonAdminRoleIds')?.value).toBe(ROLES.root.salesManager); // Sales Manager preselected
    expect(cardText(adminCard)).toContain('System Administrator');

    const plan = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    const text = cardText(plan);
    expect(text).toContain('Give ingrid.berg@contoso.no the role System Customizer');
    expect(text).toContain('Give ingrid.berg@contoso.no the role Sales Manager');
    expect(text).not.toContain('role System Administrator');

    const { immediate, final } = await approveAndWait(chat, plan, cardActivityId);
    expect(cardText(immediate)).toMatch(/Approved by Ingrid Berg at .* applying/);
    expect(cardText(final)).toContain('Applied: all 2 changes done.');
    expect(action(final, 'plan.continue')).toBeDefined();

    const user = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    expect(user?._businessunitid_value).toBe(SEED.dataverse.businessUnits.root);
    expect(roleIdsHeld(user)).toEqual([ROLES.root.systemAdministrator, ROLES.root.systemCustomizer, ROLES.root.salesManager].sort());

    // Part 1 again: nothing to change, no action planned.
    const again = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    expect(cardText(again)).toContain('Nothing to change: ingrid.berg@contoso.no already has everything Part 1 needs.');
    expect(() => action(again, 'plan.approve')).toThrow();
    const { record, next } = await continuePlan(h, chat, again, cardActivityId);
    expect(cardText(next)).toContain('Part 2 of 3 — the integration account');
    expect(h.connector.texts().at(-1)).toContain('Part 1 is done');
    // The empty plan's card stays, saying there was nothing to change, with nothing left to press.
    expect(cardText(record)).toContain('Nothing to change');
    expect(() => action(record, 'plan.continue')).toThrow();
  });

  it.each([
    ['en', 'en-US'],
    ['nb', 'nb-NO'],
  ] as const)('keeps the applied plan card as the record of what was done, with Part 2 below it (%s)', async (locale, teamsLocale) => {
    const chat = h.conversation({ locale: teamsLocale });
    const { cardActivityId } = await startPart1(chat);
    const plan = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    // The sentence above the changes, up to the environment's name.
    const proposed = t(locale, 'planIntro', { environment: '|' }).split('|')[0];
    const applied = t(locale, 'planIntroApplied', { environment: '|' }).split('|')[0];
    expect(cardText(plan)).toContain(proposed);
    const { final } = await approveAndWait(chat, plan, cardActivityId);
    // Once applied, the card says what was done, not what would be done after approval.
    expect(cardText(final)).toContain(applied);
    expect(cardText(final)).not.toContain(proposed);

    const { record, next, nextActivityId, posted } = await continuePlan(h, chat, final, cardActivityId);
    // The answer to "Continue" is the same plan card in its applied state: its changes, each done, and no Continue.
    expect(cardText(record)).toContain(applied);
    expect(cardText(record)).toContain(t(locale, 'planStateDone', { count: 2 }));
    expect(cardText(record)).toContain(t(locale, 'actionAssignRole', { user: SEED.admin.upn, role: 'System Customizer' }));
    expect(cardText(record).match(new RegExp(t(locale, 'outcomeDone'), 'g'))).toHaveLength(2);
    expect(actionsOf(record)).toEqual([]);
    // Part 2 is a new message below it, and the plan card's message was not overwritten with it.
    expect(posted).toBe(1);
    expect(nextActivityId).not.toBe(cardActivityId);
    expect(cardText(next)).toContain(t(locale, 'pathTitle'));
    const overwritten = h.connector.activities.filter((a) => a.activityId === cardActivityId && cardText(a.activity).includes(t(locale, 'pathTitle')));
    expect(overwritten).toEqual([]);
  });

  it('assigns the copies of the roles in the user\'s own business unit', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat);
    const lars = SEED.users.larsJohansen;
    const plan = await planFor(chat, lars.upn, [ROLES.root.salesManager], cardActivityId);
    const { final } = await approveAndWait(chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 3 changes done.');
    const user = await salesUserWithRoles(h.sandbox.url, lars.id);
    expect(user?._businessunitid_value).toBe(SEED.dataverse.businessUnits.salgVest);
    expect(roleIdsHeld(user)).toEqual([ROLES.salgVest.systemAdministrator, ROLES.salgVest.systemCustomizer, ROLES.salgVest.salesManager].sort());
    expect(user!.systemuserroles_association.every((r) => r._businessunitid_value === SEED.dataverse.businessUnits.salgVest)).toBe(true);
  });

  it('licenses an unlicensed admin, adds her to the environment (waiting out userNotLicensed) and assigns the roles', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat);
    const silje = SEED.users.siljeAndersen;
    const plan = await planFor(chat, silje.upn, [ROLES.root.salesManager], cardActivityId);
    const text = cardText(plan);
    expect(text).toContain(`Assign the licence Dynamics 365 for Sales Enterprise Edition to ${silje.upn}`);
    expect(text).toContain(`Add ${silje.upn} to the Sales environment`);
    const { final } = await approveAndWait(chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 5 changes done.');
    const entra = await graphUser(h.sandbox.url, silje.id);
    expect(entra.assignedLicenses.map((l: any) => l.skuId)).toContain(SEED.skus.sales);
    const user = await salesUserWithRoles(h.sandbox.url, silje.id);
    expect(user?.isdisabled).toBe(false);
    expect(roleIdsHeld(user)).toEqual([ROLES.root.systemAdministrator, ROLES.root.systemCustomizer, ROLES.root.salesManager].sort());
  });

  it('refuses, naming the SKUs, when no Sales licence has a free seat — and changes nothing', async () => {
    // Use up every free Sales-capable seat through Graph, as other admins would.
    const skus = (await graph(h.sandbox.url, 'GET', '/subscribedSkus')).body.value as any[];
    let n = 0;
    for (const sku of skus.filter((s) => s.skuPartNumber.startsWith('DYN365'))) {
      for (let free = sku.prepaidUnits.enabled - sku.consumedUnits; free > 0; free--) {
        const created = await graph(h.sandbox.url, 'POST', '/users', {
          accountEnabled: true, displayName: `Filler ${n}`, mailNickname: `filler${n}`, userPrincipalName: `filler${n}@contoso.no`,
          usageLocation: 'NO', passwordProfile: { password: 'Xy!9fillerPass#2026' },
        });
        n++;
        expect((await graph(h.sandbox.url, 'POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }], removeLicenses: [] })).status).toBe(200);
      }
    }
    // Let the sandbox's background sync bring the licensed fillers into Sales first: it changes state by itself.
    await new Promise((r) => setTimeout(r, 300));
    await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    const before = await h.tenantState();
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat);
    const refused = await planFor(chat, SEED.users.siljeAndersen.upn, [ROLES.root.salesManager], cardActivityId);
    const text = cardText(refused);
    expect(text).toMatch(/No Sales-capable licence has a free seat \(free seats: .*Dynamics 365 Plan 1 Enterprise Edition \(0\).*Dynamics 365 for Sales Enterprise Edition \(0\)/);
    expect(() => action(refused, 'plan.approve')).toThrow();
    expect(await h.tenantState()).toEqual(before);
  });

  it('refuses an empty non-admin role choice on the card and on the server', async () => {
    const chat = h.conversation();
    const { adminCard, cardActivityId } = await startPart1(chat);
    const input = findById(adminCard, 'nonAdminRoleIds')!;
    expect(input.isRequired).toBe(true);
    expect(input.errorMessage).toBe('Choose at least one non-administrative role.');
    const before = await h.tenantState();
    const refused = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: '' }, cardActivityId);
    expect(cardText(refused.body.value)).toContain('Choose at least one non-administrative role, such as Sales Manager.');
    expect(() => action(refused.body.value, 'plan.approve')).toThrow();
    const tampered = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.root.systemAdministrator }, cardActivityId);
    expect(cardText(tampered.body.value)).toContain('is not a non-administrative role of this environment');
    expect(await h.tenantState()).toEqual(before);
  });

  it('applies once when the same Approve invoke is delivered twice', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat);
    const plan = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    const approve = action(plan, 'plan.approve');
    await fetch(`${h.sandbox.url}/_sandbox/stats`, { method: 'DELETE' });
    const [first, second] = await Promise.all([
      chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId),
      chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await h.bot.runner.settled(String(approve.data.planId));
    const third = await chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId);
    expect(cardText(third.body.value)).toContain('Applied: all 2 changes done.');
    const run = await h.bot.records.get<any>(`run:${approve.data.planId}`);
    expect(Object.values(run.journal).map((o: any) => o.note)).toEqual([undefined, undefined]);
    const user = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    expect(roleIdsHeld(user)).toHaveLength(3);
  });

  it('resumes at the same step with the same data after the bot restarts between steps', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat, () => h.restartBot());
    await h.restartBot();
    h.connector.clear();
    await chat.say(ADMIN, 'fortsett');
    const resumedAdmin = h.connector.cards().at(-1)!;
    expect(cardText(resumedAdmin)).toContain('Part 1 of 3');
    const plan = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    await h.restartBot();
    h.connector.clear();
    await chat.say(ADMIN, 'resume');
    const resumedPlan = h.connector.cards().at(-1)!;
    expect(action(resumedPlan, 'plan.approve').data).toEqual(action(plan, 'plan.approve').data);
    const { final } = await approveAndWait(chat, resumedPlan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 2 changes done.');
  });

  it('cancel leaves the tenant untouched and the plan can no longer be approved', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await startPart1(chat);
    const plan = await planFor(chat, SEED.admin.upn, [ROLES.root.salesManager], cardActivityId);
    const before = await h.tenantState();
    const cancelled = await chat.execute(ADMIN, 'plan.cancel', action(plan, 'plan.cancel').data, cardActivityId);
    expect(cardText(cancelled.body.value)).toMatch(/Cancelled by Ingrid Berg/);
    const late = await chat.execute(ADMIN, 'plan.approve', action(plan, 'plan.approve').data, cardActivityId);
    expect(cardText(late.body.value)).toMatch(/Cancelled by Ingrid Berg/);
    expect(await h.tenantState()).toEqual(before);
  });
});
