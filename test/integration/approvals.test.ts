import { randomUUID } from 'node:crypto';
import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf } from '../helpers/cards';
import { dataverse, rawTenantState, resetTenant, startSetup } from '../helpers/flows';
import { salesUserWithRoles } from '../helpers/tenant';
import { cardText, type TeamsConversation, type TeamsUser } from '../helpers/teams';

const KARI: TeamsUser = { id: '29:kari', name: 'Kari Hansen', aadObjectId: SEED.users.kariHansen.id };
const LARS: TeamsUser = { id: '29:lars', name: 'Lars Johansen', aadObjectId: SEED.users.larsJohansen.id };
const SILJE: TeamsUser = { id: '29:silje', name: 'Silje Andersen', aadObjectId: SEED.users.siljeAndersen.id };
const ROLES = SEED.dataverse.roles.root;


/** A group chat with the admin, two approvers and a colleague who is neither. */
function groupChat(h: Harness): TeamsConversation {
  const chat = h.conversation({ type: 'groupChat' });
  h.connector.members.set(chat.id, [ADMIN, KARI, LARS, SILJE]);
  return chat;
}

/** Ingrid makes the Part 1 plan in the chat; returns its card (her view) and the card message id. */
async function makePlan(h: Harness, chat: TeamsConversation) {
  const { cardActivityId } = await startSetup(h, chat);
  const plan = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.salesManager }, cardActivityId);
  return { plan: plan.body.value, cardActivityId, planId: String(action(plan.body.value, 'plan.cancel').data.planId), digest: String(action(plan.body.value, 'plan.cancel').data.digest) };
}

/** The state shown beside a part's title on the status card. */
function partState(card: any, title: string): string | undefined {
  for (const container of card.body.filter((b: any) => b.type === 'Container')) {
    const [left, right] = container.items[0].columns;
    if (left.items[0].text === title) return right.items[0].text;
  }
  return undefined;
}

const invokeText = (response: { body: any }) => (response.body.type === 'application/vnd.microsoft.activity.message' ? response.body.value : cardText(response.body.value));

describe('approvals in a group chat, with the two-person rule', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { APPROVAL_TWO_PERSON: 'true' } });
  });
  afterAll(async () => h.close());
  beforeEach(() => resetTenant(h));

  it('only approvers see the buttons; a non-approver and the requester are refused; an approver decides for everyone', async () => {
    const chat = groupChat(h);
    const { plan, cardActivityId, planId, digest } = await makePlan(h, chat);
    // The requester may not approve her own plan: she requests approval instead.
    expect(actionsOf(plan).map((a) => a.verb)).toEqual(['approval.request', 'plan.cancel']);
    const requested = await chat.execute(ADMIN, 'approval.request', { planId, digest }, cardActivityId);
    expect(invokeText(requested)).toContain('Sent for approval in this chat.');
    const posted = h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id).at(-1)!;
    const base = posted.activity.attachments[0].content;
    expect(actionsOf(base)).toEqual([]); // everyone sees the plan and its status, no buttons
    expect(base.refresh.userIds.sort()).toEqual([KARI.id, LARS.id].sort()); // the pending approvers, not the requester
    expect(cardText(base)).toContain('Waiting for approval.');

    // User-specific views through the refresh.
    // Silje is neither admin nor approver: no view of her own, she keeps the base card.
    expect(invokeText(await chat.execute(SILJE, 'plan.view', { planId }, posted.activityId))).toMatch(/only an approver can decide/i);
    const kariView = (await chat.execute(KARI, 'plan.view', { planId }, posted.activityId)).body.value;
    expect(actionsOf(kariView).map((a) => a.verb)).toEqual(['plan.approve']);
    expect(kariView.actions.find((a: any) => a.type === 'Action.ShowCard').card.actions[0].verb).toBe('plan.reject');

    const before = await rawTenantState(h);
    const silje = await chat.execute(SILJE, 'plan.approve', { planId, digest }, posted.activityId);
    expect(invokeText(silje)).toMatch(/only an approver can decide/i);
    const own = await chat.execute(ADMIN, 'plan.approve', { planId, digest }, posted.activityId);
    expect(invokeText(own)).toContain('The two-person rule is on');
    expect(await rawTenantState(h)).toBe(before);
    expect(await h.bot.records.get(`run:${planId}`)).toBeUndefined();

    const approved = await chat.execute(KARI, 'plan.approve', { planId, digest }, posted.activityId);
    expect(invokeText(approved)).toMatch(/Approved by Kari Hansen at .* applying/);
    await h.bot.runner.settled(planId);
    // The base card and the requester's card were updated for everyone; the final one has no buttons and no pending approvers.
    const finalBase = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === posted.activityId).at(-1)!.activity.attachments[0].content;
    expect(cardText(finalBase)).toContain('Applied: all 2 changes done.');
    expect(finalBase.refresh.userIds).toEqual([]);
    expect(actionsOf(finalBase).map((a) => a.verb)).toEqual(['plan.continue']);
    const requesterCard = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId).at(-1)!.activity.attachments[0].content;
    expect(cardText(requesterCard)).toContain('Applied: all 2 changes done.');
    const user = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    expect((user?.systemuserroles_association ?? []).map((r) => r.roleid).sort()).toEqual([ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager].sort());

    // A second approver arriving late sees who decided and when.
    const late = await chat.execute(LARS, 'plan.approve', { planId, digest }, posted.activityId);
    expect(invokeText(late)).toMatch(/Already approved by Kari Hansen at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // Everything is on record, in order.
    const personal = h.conversation();
    h.connector.clear();
    await personal.say(ADMIN, 'audit');
    const audit = cardText(h.connector.cards().at(-1)).split('\n').filter((l) => / · /.test(l) || /^(plan|action|run|access|approval)\./.test(l));
    const events = audit.map((l) => l.split(' · ')[0]).reverse();
    const sequence = events.filter((e) => ['plan.requested', 'approval.refused', 'access.refused', 'plan.approved', 'action.done', 'run.completed'].includes(e));
    expect(sequence).toEqual(['plan.requested', 'access.refused', 'access.refused', 'approval.refused', 'plan.approved', 'action.done', 'action.done', 'run.completed']);
  });

  it('a rejected plan never runs, and says why', async () => {
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    await chat.execute(ADMIN, 'approval.request', { planId, digest }, cardActivityId);
    const posted = h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id).at(-1)!;
    const before = await rawTenantState(h);
    const noComment = await chat.execute(KARI, 'plan.reject', { planId, digest, comment: '   ' }, posted.activityId);
    expect(invokeText(noComment)).toContain('Say why the plan is rejected.');
    const rejected = await chat.execute(KARI, 'plan.reject', { planId, digest, comment: 'Wrong environment' }, posted.activityId);
    expect(invokeText(rejected)).toMatch(/Rejected by Kari Hansen at .*: Wrong environment\. Nothing was changed\./);
    const after = await chat.execute(LARS, 'plan.approve', { planId, digest }, posted.activityId);
    expect(invokeText(after)).toMatch(/Already rejected by Kari Hansen/);
    expect(await h.bot.records.get(`run:${planId}`)).toBeUndefined();
    expect(await rawTenantState(h)).toBe(before);
  });

  it('refuses tampered card data: another conversation\'s plan, a made-up plan, a changed digest', async () => {
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    await chat.execute(ADMIN, 'approval.request', { planId, digest }, cardActivityId);
    const elsewhere = groupChat(h);
    const before = await rawTenantState(h);
    const posted = h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id).at(-1)!.activityId;
    expect(invokeText(await elsewhere.execute(KARI, 'plan.approve', { planId, digest }, 'some-card'))).toBe('That plan is not known in this conversation. Nothing was changed.');
    expect(invokeText(await chat.execute(KARI, 'plan.approve', { planId: randomUUID(), digest }, posted))).toBe('That plan is not known in this conversation. Nothing was changed.');
    const changed = await chat.execute(KARI, 'plan.approve', { planId, digest: digest.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, posted);
    expect(invokeText(changed)).toContain('This plan is no longer current');
    // Extra data cannot change what runs: only the stored plan's actions exist.
    expect(await rawTenantState(h)).toBe(before);
    const approved = await chat.execute(KARI, 'plan.approve', { planId, digest, actions: [{ type: 'assignRole', params: { roleId: ROLES.systemAdministrator } }] }, posted);
    expect(invokeText(approved)).toContain('Approved by Kari Hansen');
    await h.bot.runner.settled(planId);
    const run = await h.bot.records.get<any>(`run:${planId}`);
    expect(Object.keys(run.journal).sort()).toEqual([`assignRole:${SEED.admin.id}:${ROLES.salesManager}`, `assignRole:${SEED.admin.id}:${ROLES.systemCustomizer}`].sort());
  });
});

describe('approvals decided at once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());
  beforeEach(() => resetTenant(h));

  it('parallel approvals from two approvers and a doubled one give exactly one run', async () => {
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    await chat.execute(ADMIN, 'approval.request', { planId, digest }, cardActivityId);
    const posted = h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id).at(-1)!.activityId;
    const responses = await Promise.all([
      chat.execute(KARI, 'plan.approve', { planId, digest }, posted),
      chat.execute(LARS, 'plan.approve', { planId, digest }, posted),
      chat.execute(KARI, 'plan.approve', { planId, digest }, posted),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.bot.runner.settled(planId);
    const texts = responses.map(invokeText);
    expect(texts.filter((text) => /Already approved by/.test(text))).toHaveLength(2);
    const records = (await h.bot.records.list<any>('audit:r:')).filter((r) => r.planId === planId);
    expect(records.filter((r) => r.event === 'plan.approved')).toHaveLength(1);
    expect(records.filter((r) => r.event === 'run.completed')).toHaveLength(1);
    expect(records.filter((r) => r.event === 'action.done').map((r) => r.outcome)).toEqual(['done', 'done']); // nothing was "already" there: applied once
  });

  it('the welcome card reports an integration user given System Administrator by hand as failing, with the way to fix it', async () => {
    await dataverse(h, `systemusers(${SEED.dataverse.systemUsers.bcIntegrationApp})/systemuserroles_association/$ref`, {
      method: 'POST', body: JSON.stringify({ '@odata.id': `${h.sandbox.url}/dataverse/api/data/v9.2/roles(${ROLES.systemAdministrator})` }),
    });
    const chat = h.conversation();
    await chat.say(ADMIN, 'help');
    const card = h.connector.cards().at(-1);
    const text = cardText(card);
    expect(partState(card, '2. Integration account')).toBe('⚠️ Needs work');
    expect(text).toContain('holds System Administrator (not allowed for the integration account)');
    const setUp = actionsOf(card).find((a) => a.title === 'Set up Part 2');
    expect(setUp).toMatchObject({ verb: 'setup.goto', data: { part: 'integration' } });
    const goto = await chat.execute(ADMIN, setUp!.verb, setUp!.data);
    expect(cardText(goto.body.value)).toContain('Which environments?'); // no environment remembered yet: that comes first
  });
});

describe('approval expiry', () => {
  let h: Harness;
  // The bot's clock for plans and approvals, moved past the expiry by the test (never slept on).
  let now = Date.parse('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    h = await startHarness({
      env: { APPROVAL_EXPIRY_HOURS: '1' },
      start: { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 }, now: () => new Date(now) },
    });
  });
  afterAll(async () => h.close());
  beforeEach(() => resetTenant(h));

  it('an expired request cannot be approved and shows why its buttons are gone', async () => {
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    now += 60 * 60_000 + 1_000;
    const before = await rawTenantState(h);
    const late = await chat.execute(KARI, 'plan.approve', { planId, digest }, cardActivityId);
    expect(invokeText(late)).toContain('This request expired at');
    expect(actionsOf(late.body.value)).toEqual([]);
    expect(await h.bot.records.get(`run:${planId}`)).toBeUndefined();
    expect(await rawTenantState(h)).toBe(before);
  });
});
