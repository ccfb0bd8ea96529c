import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText } from '../helpers/teams';
import { action } from '../helpers/cards';
import { openPart3, salespeoplePlan } from '../helpers/flows';

/**
 * Progress reaches the plan card at most once per 2.5 s however often the journal is saved
 * (Teams allows 60 messages per 30 s per conversation): counted, not timed, over a run whose
 * slow tenant makes it save its journal many times.
 */

const N = 300;
const SETTINGS = { latencyMs: 100, syncDelayMs: 100, licensePropagationMs: 100 };
const INTERVAL_MS = 2500;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sandboxSettings: SETTINGS });
});
afterAll(async () => {
  await h.close();
});

it('updates the progress card at most once per interval, and at the end', async () => {
  await fetch(`${h.sandbox.url}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: { syntheticSalespeople: N }, settings: SETTINGS }) });
  h.connector.clear();
  const chat = h.conversation();
  const { card, cardActivityId } = await openPart3(h, chat);
  const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
  const approve = action(plan, 'plan.approve');
  const from = h.connector.activities.length;
  const started = Date.now();
  expect((await chat.execute(ADMIN, 'plan.approve', approve.data, cardActivityId)).status).toBe(200);
  await h.bot.runner.settled(String(approve.data.planId));
  const elapsed = Date.now() - started;

  const puts = h.connector.activities.slice(from).filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
  const texts = puts.map((p) => cardText(p.activity.attachments[0].content));
  expect(texts.at(-1)).toContain('Applied: all');
  // Progress was shown while it ran (a card that is not yet the final one).
  expect(texts.slice(0, -1).some((t) => !t.includes('Applied'))).toBe(true);
  // At most one update per interval of the run's length, plus the first, the decision and the end.
  expect(puts.length).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_MS) + 3);
}, 120_000);
