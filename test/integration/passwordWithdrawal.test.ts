import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, inputValues } from '../helpers/cards';
import { approveAndWait, completePart1, resetTenant } from '../helpers/flows';
import { ManualClock } from '../helpers/clock';
import { cardText, type SentActivity } from '../helpers/teams';

/**
 * The dedicated integration user's password message is withdrawn from the chat itself (an
 * update of that exact message, which every device and reader sees), when the requester says it
 * is stored and otherwise after 10 minutes, also across a restart. Time is the harness's clock.
 */

const clock = new ManualClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ captureLogs: true, start: { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 }, clock } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const UPN = 'bc-sync@contoso.no';
const MINUTE = 60_000;

/** Part 1, then Part 2's dedicated user approved and created: the password message the requester got. */
async function passwordShown() {
  const chat = h.conversation();
  const { cardActivityId } = await completePart1(h, chat);
  const form = (await chat.execute(ADMIN, 'integration.path', { path: 'dedicated' }, cardActivityId)).body.value;
  const values = { ...inputValues(form), localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', skuId: SEED.skus.sales };
  const plan = (await chat.execute(ADMIN, 'integration.plan', values, cardActivityId)).body.value;
  const { final } = await approveAndWait(h, chat, plan, cardActivityId);
  expect(cardText(final)).toContain('Applied: all 3 changes done.');
  const messages = h.connector.activities.filter((a) => a.method === 'POST' && cardText(a.activity).includes(`Password for ${UPN}`));
  expect(messages).toHaveLength(1);
  const message = messages[0];
  const card = message.activity.attachments[0].content;
  const password: string = card.body.find((b: any) => b.type === 'RichTextBlock').inlines[0].text;
  expect(password).toHaveLength(20);
  return { chat, message, card, password };
}

/** Updates and deletions of one message, as the connector received them. */
const changesOf = (message: SentActivity) =>
  h.connector.activities.filter((a) => (a.method === 'PUT' || a.method === 'DELETE') && a.conversationId === message.conversationId && a.activityId === message.activityId);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

function expectWithdrawn(message: SentActivity, password: string, text: string) {
  const changes = changesOf(message);
  expect(changes).toHaveLength(1);
  expect(changes[0].method).toBe('PUT');
  const updated = changes[0].activity;
  // The message as everyone sees it: one card, no password, no refresh for some users only.
  expect(updated.attachments).toHaveLength(1);
  const card = updated.attachments[0].content;
  expect(card.refresh).toBeUndefined();
  expect(JSON.stringify(updated)).not.toContain(password);
  expect(cardText(card)).toContain(text);
  expect(card.actions ?? []).toHaveLength(0);
}

describe('the password message', () => {
  it('is updated without the password for everyone when the requester says it is stored', async () => {
    const { chat, message, card, password } = await passwordShown();
    expect(changesOf(message)).toHaveLength(0);
    const stored = await chat.execute(ADMIN, 'secret.stored', action(card, 'secret.stored').data, message.activityId);
    expect(stored.status).toBe(200);
    expect(cardText(stored.body.value)).not.toContain(password);
    expectWithdrawn(message, password, 'was shown once and has been removed from this card');
    // Nothing left to withdraw later.
    await clock.advance(15 * MINUTE);
    expect(changesOf(message)).toHaveLength(1);
    // Where the message is was kept, never the password.
    for (const file of filesUnder(h.stateDir)) expect(readFileSync(file, 'utf8')).not.toContain(password);
    expect(h.logs.join('\n')).not.toContain(password);
  }, 60_000);

  it('is withdrawn automatically 10 minutes after it was shown when nobody confirms', async () => {
    const { message, password } = await passwordShown();
    await clock.advance(9 * MINUTE);
    expect(changesOf(message)).toHaveLength(0);
    await clock.advance(MINUTE + 30_000);
    expectWithdrawn(message, password, 'was shown for 10 minutes and has been removed from this card');
    await clock.advance(30 * MINUTE);
    expect(changesOf(message)).toHaveLength(1);
    for (const file of filesUnder(h.stateDir)) expect(readFileSync(file, 'utf8')).not.toContain(password);
  }, 60_000);

  it('is withdrawn after a restart: the due time was stored, and start-up sweeps what fell due while the bot was down', async () => {
    const { message, password } = await passwordShown();
    await h.bot.close();
    expect(clock.scheduled).toBe(0); // the stopped bot checks nothing
    await clock.advance(11 * MINUTE);
    expect(changesOf(message)).toHaveLength(0);
    await h.restartBot();
    expectWithdrawn(message, password, 'was shown for 10 minutes and has been removed from this card');
  }, 60_000);

  it('is withdrawn on time after a restart before its time is up (the periodic check of the new process)', async () => {
    const { message, password } = await passwordShown();
    await h.restartBot();
    expect(changesOf(message)).toHaveLength(0);
    await clock.advance(10 * MINUTE + 30_000);
    expectWithdrawn(message, password, 'was shown for 10 minutes');
  }, 60_000);
});
