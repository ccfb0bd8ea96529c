import { SEED } from '../../src/sandbox';
import { t } from '../../src/i18n';
import type { AuditRecord } from '../../src/approvals/audit';
import type { Approval } from '../../src/approvals/approval';
import { MAX_RETRIES } from '../../src/provisioning/run/runner';
import type { Run } from '../../src/setup/plan';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf } from '../helpers/cards';
import { rawTenantState, resetTenant, startSetup } from '../helpers/flows';
import { salesUserWithRoles } from '../helpers/tenant';
import { cardText, type TeamsConversation, type TeamsUser } from '../helpers/teams';

/**
 * Approvals that always run exactly once, and an audit trail that holds every decision and an
 * exact account of every refusal, under load: the bot driven over HTTP as Teams drives it.
 */

const KARI: TeamsUser = { id: '29:kari', name: 'Kari Hansen', aadObjectId: SEED.users.kariHansen.id };
const LARS: TeamsUser = { id: '29:lars', name: 'Lars Johansen', aadObjectId: SEED.users.larsJohansen.id };
const SILJE: TeamsUser = { id: '29:silje', name: 'Silje Andersen', aadObjectId: SEED.users.siljeAndersen.id };
const OYSTEIN: TeamsUser = { id: '29:oystein', name: 'Øystein Bakke', aadObjectId: SEED.users.oysteinBakke.id };
const ROLES = SEED.dataverse.roles.root;
const ACTION_SETTINGS = { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 };

/** The bot's clock for plans, approvals and the audit trail: a fixed minute, moved by the tests. */
const BASE = Date.parse('2026-03-02T09:00:00.000Z');
let offset = 0;
const clock = () => new Date(BASE + offset);

function groupChat(h: Harness): TeamsConversation {
  const chat = h.conversation({ type: 'groupChat' });
  h.connector.members.set(chat.id, [ADMIN, KARI, LARS, SILJE, OYSTEIN]);
  return chat;
}

/** Ingrid's Part 1 plan in the chat (Sales Manager as the non-admin role, unless another is given). */
async function makePlan(h: Harness, chat: TeamsConversation, nonAdminRoleIds: string = ROLES.salesManager, cardActivityId?: string) {
  const card = cardActivityId ?? (await startSetup(h, chat)).cardActivityId;
  const plan = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds }, card);
  const cancel = action(plan.body.value, 'plan.cancel');
  return { plan: plan.body.value, cardActivityId: card, planId: String(cancel.data.planId), digest: String(cancel.data.digest) };
}

/** "Request approval": the base card posted to the chat, and its message id. */
async function requestApproval(h: Harness, chat: TeamsConversation, planId: string, digest: string, cardActivityId: string) {
  await chat.execute(ADMIN, 'approval.request', { planId, digest }, cardActivityId);
  return h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id).at(-1)!.activityId!;
}

const invokeText = (response: { body: any }) => (response.body.type === 'application/vnd.microsoft.activity.message' ? response.body.value : cardText(response.body.value));
const trail = (h: Harness) => h.bot.records.list<AuditRecord>('audit:r:');
const count = (records: AuditRecord[]) => records.reduce((sum, r) => sum + (r.count ?? 1), 0);
const lastCard = (h: Harness, activityId: string) => h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === activityId).at(-1)?.activity.attachments[0].content;

describe('with the two-person rule', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { APPROVAL_TWO_PERSON: 'true' }, start: { actionSettings: ACTION_SETTINGS, now: clock } });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await resetTenant(h);
    jest.restoreAllMocks();
  });

  it('300 parallel refusals and one approval: the approval runs once; the trail holds it and exactly 300 refusals in two records', async () => {
    offset = 0;
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    const posted = await requestApproval(h, chat, planId, digest, cardActivityId);
    const before = await trail(h);

    const attempts = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? OYSTEIN : SILJE));
    const refusals = attempts.map((user) => chat.execute(user, 'plan.approve', { planId, digest }, posted));
    const approval = chat.execute(KARI, 'plan.approve', { planId, digest }, posted);
    const answers = await Promise.all([...refusals.slice(0, 150), approval, ...refusals.slice(150)]);
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(answers.filter((a) => invokeText(a) === t('en', 'securityNotApprover'))).toHaveLength(300);
    expect(invokeText(await approval)).toMatch(/Approved by Kari Hansen at .* applying/);
    await h.bot.runner.settled(planId);

    // The approval ran once: both changes applied (not found "already" there), one completed run.
    const run = (await h.bot.records.get<Run>(`run:${planId}`))!;
    expect(run.status).toBe('completed');
    const user = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    expect((user?.systemuserroles_association ?? []).map((r) => r.roleid).sort()).toEqual([ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager].sort());

    const ids = new Set(before.map((r) => r.id));
    const added = (await trail(h)).filter((r) => !ids.has(r.id));
    const ofPlan = added.filter((r) => r.planId === planId);
    expect(ofPlan.filter((r) => r.event === 'plan.approved')).toEqual([expect.objectContaining({ actor: { aadObjectId: KARI.aadObjectId, name: KARI.name }, outcome: 'approved' })]);
    expect(ofPlan.filter((r) => r.event === 'action.done').map((r) => r.outcome)).toEqual(['done', 'done']);
    expect(ofPlan.filter((r) => r.event === 'run.completed')).toHaveLength(1);
    // An exact account of the refusals: one record per person, conversation and reason, counted.
    const refused = added.filter((r) => r.event === 'access.refused');
    expect(refused.map((r) => [r.actor?.name, r.subject, r.outcome, r.conversationId, r.count]).sort()).toEqual(
      [
        [OYSTEIN.name, 'plan.approve', 'not an approver', chat.id, 100],
        [SILJE.name, 'plan.approve', 'not an approver', chat.id, 200],
      ].sort(),
    );
    expect(count(refused)).toBe(300);

    // A minute later the same refusal is a new record; the earlier one keeps its count.
    offset = 60_000;
    await chat.execute(SILJE, 'plan.approve', { planId, digest }, posted);
    const later = (await trail(h)).filter((r) => r.event === 'access.refused' && r.actor?.name === SILJE.name && !ids.has(r.id));
    expect(later.map((r) => r.count)).toEqual([200, 1]);

    // The audit command shows them in order, with their counts.
    const personal = h.conversation();
    h.connector.clear();
    await personal.say(ADMIN, 'audit');
    const lines = cardText(h.connector.cards().at(-1)).split('\n').filter((l) => / · /.test(l));
    expect(lines[0]).toMatch(/^access\.refused · Silje Andersen · plan\.approve · not an approver$/);
    expect(lines.some((l) => /^access\.refused · Silje Andersen · plan\.approve · not an approver · ×200$/.test(l))).toBe(true);
  });

  it('an approval whose audit entry cannot be written still runs, once', async () => {
    offset = 0;
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    const posted = await requestApproval(h, chat, planId, digest, cardActivityId);
    const create = h.bot.records.create.bind(h.bot.records);
    jest.spyOn(h.bot.records, 'create').mockImplementation(async (key: string, value: any) => {
      if (key.startsWith('audit:r:') && value.event === 'plan.approved') throw new Error('disk full');
      return create(key, value);
    });
    const approved = await chat.execute(KARI, 'plan.approve', { planId, digest }, posted);
    expect(invokeText(approved)).toMatch(/Approved by Kari Hansen/);
    await h.bot.runner.settled(planId);
    expect((await h.bot.records.get<Run>(`run:${planId}`))?.status).toBe('completed');
    expect(cardText(lastCard(h, posted))).toContain('Applied: all 2 changes done.');
  });

  it('a plan approved while its run could not start runs at once when approved again, on "resume", and at start-up', async () => {
    offset = 0;
    const cases = ['approve again', 'resume', 'restart'] as const;
    for (const how of cases) {
      await resetTenant(h);
      const chat = groupChat(h);
      const { cardActivityId, planId, digest } = await makePlan(h, chat);
      const posted = await requestApproval(h, chat, planId, digest, cardActivityId);
      const start = jest.spyOn(h.bot.runner, 'start').mockRejectedValueOnce(new Error('storage unavailable'));
      const approved = await chat.execute(KARI, 'plan.approve', { planId, digest }, posted);
      expect(invokeText(approved)).toContain(t('en', 'approvalRunDeferred'));
      start.mockRestore();
      expect((await h.bot.records.get<Approval>(`approval:${planId}`))?.status).toBe('approved');
      expect(await h.bot.records.get(`run:${planId}`)).toBeUndefined();

      if (how === 'approve again') {
        const again = await chat.execute(LARS, 'plan.approve', { planId, digest }, posted);
        expect(invokeText(again)).toMatch(/Already approved by Kari Hansen/);
      } else if (how === 'resume') {
        await chat.say(ADMIN, 'resume');
      } else {
        await h.restartBot();
      }
      await h.bot.runner.settled(planId);
      const run = await h.bot.records.get<Run>(`run:${planId}`);
      expect([how, run?.status]).toEqual([how, 'completed']);
      // It reports where it was approved.
      expect(run?.report.activityId).toBe(posted);
      expect(cardText(lastCard(h, posted))).toContain('Applied: all 2 changes done.');
      expect([how, await h.bot.records.list('approved:')]).toEqual([how, []]);
    }
  });

  it('a newer plan for the same step supersedes the older: its cards say so, its approval is refused and audited, only the newer one runs', async () => {
    offset = 0;
    const chat = groupChat(h);
    const older = await makePlan(h, chat);
    const olderPosted = await requestApproval(h, chat, older.planId, older.digest, older.cardActivityId);
    const before = await rawTenantState(h);

    // Ingrid changes her mind: Sales Manager becomes Salesperson, on the same Part 1 card.
    const newer = await makePlan(h, chat, ROLES.salesperson, older.cardActivityId);
    expect(newer.planId).not.toBe(older.planId);
    // Every posted copy of the older card says it was replaced, for everyone, without buttons.
    const replaced = lastCard(h, olderPosted);
    expect(cardText(replaced)).toMatch(/Replaced at .* by a newer plan for the same step \(made by Ingrid Berg\)/);
    expect(actionsOf(replaced)).toEqual([]);
    expect(replaced.refresh.userIds).toEqual([]);

    // The approvers' copy of the older plan refuses, with a clear message, and it is on record.
    const refused = await chat.execute(KARI, 'plan.approve', { planId: older.planId, digest: older.digest }, olderPosted);
    expect(invokeText(refused)).toContain(t('en', 'approvalSuperseded'));
    expect(actionsOf(refused.body.value)).toEqual([]);
    expect(await rawTenantState(h)).toBe(before);
    expect(await h.bot.records.get(`run:${older.planId}`)).toBeUndefined();
    const records = (await trail(h)).filter((r) => r.planId === older.planId);
    expect(records.map((r) => [r.event, r.outcome])).toEqual(
      expect.arrayContaining([
        ['plan.superseded', 'superseded'],
        ['approval.refused', 'superseded'],
      ]),
    );

    // The newer one runs.
    const newerPosted = await requestApproval(h, chat, newer.planId, newer.digest, newer.cardActivityId);
    expect(invokeText(await chat.execute(KARI, 'plan.approve', { planId: newer.planId, digest: newer.digest }, newerPosted))).toMatch(/Approved by Kari Hansen/);
    await h.bot.runner.settled(newer.planId);
    const user = await salesUserWithRoles(h.sandbox.url, SEED.admin.id);
    const roles = (user?.systemuserroles_association ?? []).map((r) => r.roleid);
    expect(roles).toContain(ROLES.salesperson);
    expect(roles).not.toContain(ROLES.salesManager);
    expect(await h.bot.records.get(`run:${older.planId}`)).toBeUndefined();
    // Still refused afterwards.
    expect(invokeText(await chat.execute(LARS, 'plan.approve', { planId: older.planId, digest: older.digest }, olderPosted))).toContain(t('en', 'approvalSuperseded'));
  });

  it('"cancel" typed by another admin does not cancel the requester\'s plan: refused, audited; typed by the requester it cancels, on record, on every card', async () => {
    offset = 0;
    const chat = groupChat(h);
    const { cardActivityId, planId, digest } = await makePlan(h, chat);
    const posted = await requestApproval(h, chat, planId, digest, cardActivityId);
    h.connector.clear();

    for (const word of ['cancel', 'avbryt']) {
      await chat.say(KARI, word);
      expect(h.connector.texts().at(-1)).toBe(t('en', 'cancelNotRequester', { user: 'Ingrid Berg' }));
    }
    expect((await h.bot.records.get<Approval>(`approval:${planId}`))?.status).toBe('pending');
    const refusals = (await trail(h)).filter((r) => r.planId === planId && r.event === 'plan.refused');
    expect(refusals).toEqual([expect.objectContaining({ actor: { aadObjectId: KARI.aadObjectId, name: KARI.name }, subject: 'cancel', outcome: 'not the requester', count: 2 })]);
    // The card's Cancel checks the same.
    const viaCard = await chat.execute(KARI, 'plan.cancel', { planId, digest }, cardActivityId);
    expect(invokeText(viaCard)).toContain(t('en', 'planCancelOnlyRequester'));
    // The setup goes on: the plan is still there to approve.
    h.connector.clear();
    await chat.say(ADMIN, 'cancel');
    expect(h.connector.texts().at(-1)).toBe(t('en', 'cancelled'));
    const approval = (await h.bot.records.get<Approval>(`approval:${planId}`))!;
    expect([approval.status, approval.decidedBy?.name]).toEqual(['cancelled', 'Ingrid Berg']);
    expect(cardText(lastCard(h, posted))).toMatch(/Cancelled by Ingrid Berg/);
    expect((await trail(h)).filter((r) => r.planId === planId && r.event === 'plan.cancelled').map((r) => [r.actor?.name, r.subject])).toEqual([['Ingrid Berg', 'cancel']]);
    expect(invokeText(await chat.execute(KARI, 'plan.approve', { planId, digest }, posted))).toMatch(/Already decided by Ingrid Berg/);
  });
});

describe('retry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ start: { actionSettings: ACTION_SETTINGS, now: clock } });
  });
  afterAll(async () => h.close());
  beforeEach(() => resetTenant(h));

  const control = (path: string, method: string, body?: unknown) =>
    fetch(`${h.sandbox.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it(`is audited, open to the requester and approvers only, and bounded to ${MAX_RETRIES} rounds per run`, async () => {
    offset = 0;
    const chat = groupChat(h);
    const { plan, cardActivityId, planId, digest } = await makePlan(h, chat);
    // Dataverse refuses every role assignment: the run fails, and so does every retry.
    expect((await control('faults', 'POST', { kind: '503', service: 'dataverse', method: 'POST', pathContains: 'systemuserroles_association', count: 100_000, retryAfterSeconds: 0 })).status).toBe(201);
    expect((await chat.execute(ADMIN, 'plan.approve', action(plan, 'plan.approve').data, cardActivityId)).status).toBe(200);
    await h.bot.runner.settled(planId);
    expect((await h.bot.records.get<Run>(`run:${planId}`))?.status).toBe('failed');

    // Silje is not an admin: the gate refuses her. Every admin here is an approver: all may retry.
    expect(invokeText(await chat.execute(SILJE, 'plan.retry', { planId, digest }, cardActivityId))).toBe(t('en', 'securityNotAllowed'));
    for (let round = 1; round <= MAX_RETRIES; round++) {
      const who = round % 2 === 0 ? KARI : ADMIN;
      const retried = await chat.execute(who, 'plan.retry', { planId, digest }, cardActivityId);
      expect(retried.status).toBe(200);
      await h.bot.runner.settled(planId);
      const run = (await h.bot.records.get<Run>(`run:${planId}`))!;
      expect([run.status, run.retries]).toEqual(['failed', round]);
    }
    await control('faults', 'DELETE');
    const refused = await chat.execute(ADMIN, 'plan.retry', { planId, digest }, cardActivityId);
    expect(invokeText(refused)).toContain(t('en', 'planRetryLimit', { count: MAX_RETRIES }));
    await h.bot.runner.settled(planId);
    expect((await h.bot.records.get<Run>(`run:${planId}`))?.status).toBe('failed');
    const records = (await trail(h)).filter((r) => r.planId === planId);
    expect(records.filter((r) => r.event === 'plan.retried').map((r) => [r.actor?.name, r.outcome])).toEqual(
      Array.from({ length: MAX_RETRIES }, (_, i) => [i % 2 === 1 ? KARI.name : 'Ingrid Berg', `retry ${i + 1} of ${MAX_RETRIES}`]),
    );
    expect(records.filter((r) => r.event === 'plan.refused').map((r) => [r.subject, r.outcome, r.count ?? 1])).toEqual([['plan.retry', 'retry limit', 1]]);
  });

  it('the run is audited when every card update fails: the audit is written first and does not depend on the cards', async () => {
    offset = 0;
    const chat = groupChat(h);
    const { plan, cardActivityId, planId } = await makePlan(h, chat);
    h.connector.refuseUpdate = () => true;
    h.connector.refusedUpdates = 0;
    try {
      expect((await chat.execute(ADMIN, 'plan.approve', action(plan, 'plan.approve').data, cardActivityId)).status).toBe(200);
      await h.bot.runner.settled(planId);
    } finally {
      h.connector.refuseUpdate = undefined;
    }
    // Teams refused the updates of the plan card: nothing about the run reached it.
    expect(h.connector.refusedUpdates).toBeGreaterThan(0);
    expect(h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId)).toEqual([]);
    expect((await h.bot.records.get<Run>(`run:${planId}`))?.status).toBe('completed');
    // The trail holds the run's start, both changes and its end.
    const records = (await trail(h)).filter((r) => r.planId === planId);
    expect(records.filter((r) => r.event === 'run.started')).toHaveLength(1);
    expect(records.filter((r) => r.event === 'action.done').map((r) => r.outcome)).toEqual(['done', 'done']);
    expect(records.filter((r) => r.event === 'run.completed').map((r) => r.outcome)).toEqual(['completed']);
  });
});
