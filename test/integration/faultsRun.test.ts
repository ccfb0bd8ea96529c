import type { Plan, Run } from '../../src/setup/plan';
import { failureReason } from '../../src/provisioning/run/outcomes';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText } from '../helpers/teams';
import { action } from '../helpers/cards';
import { openPart3, salespeoplePlan } from '../helpers/flows';
import { expectExactSalespeople } from '../helpers/salespeopleState';

/**
 * A 300-salespeople run while one request in ten is answered 429 or 503, has its connection
 * reset, or is processed with its answer lost; and Dynamics 365 Sales unavailable for the first
 * of its requests. Every failure is in the journal and on the card with its reason, "Retry failed"
 * completes them, and the tenant ends with each change made once.
 */

const N = 300;
const SETTINGS = { latencyMs: 0, syncDelayMs: 100, licensePropagationMs: 100 };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sandboxSettings: SETTINGS });
});
afterAll(async () => {
  await h.close();
});

const control = (path: string, method: string, body?: unknown) =>
  fetch(`${h.sandbox.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

it('rides out 10 % faults and lost answers, reports every failure, and ends with each change once', async () => {
  await control('reset', 'POST', { seed: { syntheticSalespeople: N }, settings: SETTINGS });
  h.connector.clear();
  const chat = h.conversation();
  const { card, cardActivityId } = await openPart3(h, chat);
  const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
  const approve = action(plan, 'plan.approve');
  const planId = String(approve.data.planId);

  // From approval on: 2.5 % each of 429, 503, reset and lost, and Sales refusing its first six requests.
  await control('stats', 'DELETE');
  expect((await control('settings', 'PATCH', { faults: { rate429: 0.025, rate503: 0.025, rateReset: 0.025, rateLost: 0.025, retryAfterSeconds: 0 }, faultSeed: 7 })).status).toBe(200);
  expect((await control('faults', 'POST', { kind: '503', service: 'dataverse', count: 6, retryAfterSeconds: 0 })).status).toBe(201);
  // Each kind at least once, whatever the random draws over this run's (batched, so few) requests.
  for (const rule of [
    { kind: '429', service: 'graph', count: 1, retryAfterSeconds: 0 },
    { kind: 'reset', service: 'graph', method: 'GET', count: 1 },
    { kind: 'lost', service: 'graph', method: 'POST', count: 1 },
  ]) expect((await control('faults', 'POST', rule)).status).toBe(201);
  expect((await chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId)).status).toBe(200);
  await h.bot.runner.settled(planId);

  const stats = (await (await control('stats', 'GET')).json());
  for (const kind of ['429', '503', 'reset', 'lost']) expect(stats.faults[kind]).toBeGreaterThan(0);
  const stored = (await h.bot.records.get<Plan>(`plan:${planId}`))!;
  const run = (await h.bot.records.get<Run>(`run:${planId}`))!;
  expect(run.status).toBe('failed');
  // No silent drops: every action has an outcome, every failure a code and a reason.
  const outcomes = Object.entries(run.journal);
  expect(outcomes).toHaveLength(stored.actions.length);
  expect(outcomes.filter(([, o]) => o.status !== 'done' && o.status !== 'failed')).toEqual([]);
  const failed = outcomes.filter(([, o]) => o.status === 'failed') as [string, Extract<Run['journal'][string], { status: 'failed' }>][];
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.filter(([, o]) => !o.code || failureReason(o, 'en').trim().length < 10)).toEqual([]);
  const own = failed.filter(([, o]) => o.code !== 'blocked');
  expect(own.length).toBeGreaterThan(0);
  // Later steps for a user whose step failed say why they were not attempted.
  const blocked = failed.filter(([, o]) => o.code === 'blocked');
  expect(blocked.length).toBeGreaterThan(0);
  expect(blocked.filter(([, o]) => !failureReason(o, 'en').startsWith('Not attempted'))).toEqual([]);

  // The card lists each failure with its reason, page by page.
  const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
  const final = updates.at(-1)!.activity.attachments[0].content;
  expect(cardText(final)).toContain(`of ${own.length.toLocaleString('en-GB')}`);
  let listed = '';
  for (let page = 1; page <= Math.ceil(own.length / 25); page++) {
    listed += cardText((await chat.execute(ADMIN, 'salespeople.failures', { planId, page }, cardActivityId)).body.value);
  }
  const byKey = new Map(stored.actions.map((a) => [a.key, a]));
  const missing = own.filter(([key, o]) => !listed.includes(`${byKey.get(key)!.target.userPrincipalName}: ${failureReason(o, 'en')}`)).map(([key]) => key);
  expect(missing).toEqual([]);

  // "Retry failed" (faults still on) completes them.
  const retry = await chat.execute(ADMIN, 'plan.retry', action(final, 'plan.retry').data, cardActivityId);
  expect(retry.status).toBe(200);
  await h.bot.runner.settled(planId);
  const after = (await h.bot.records.get<Run>(`run:${planId}`))!;
  expect(Object.entries(after.journal).filter(([, o]) => o.status !== 'done')).toEqual([]);
  const last = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId).at(-1)!;
  expect(cardText(last.activity.attachments[0].content)).toContain('Applied: all');

  await control('settings', 'PATCH', { faults: { rate429: 0, rate503: 0, rateReset: 0, rateLost: 0 } });
  await expectExactSalespeople(h.sandbox.url, N);
  const state = (await (await control('state', 'GET')).json());
  const couplings = state.bc.environments[0].couplings as { salespersonId: string }[];
  expect(new Set(couplings.map((c) => c.salespersonId)).size).toBe(couplings.length);
  expect(couplings.length).toBe(stored.actions.filter((a) => a.type === 'coupleSalesperson').length);
}, 120_000);
