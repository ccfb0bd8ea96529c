import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { SEED } from '../../src/sandbox';
import { guidFrom } from '../../src/sandbox/seed';
import { SalespeopleViewStore } from '../../src/bot/salespeopleViewStore';
import { FileStorage } from '../../src/storage/fileStorage';
import { RecordStore } from '../../src/storage/records';
import { salespeopleObservationKey, salespeopleViewKey } from '../../src/storage/keys';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, findById, inputValues } from '../helpers/cards';
import { openPart3, resetTenant } from '../helpers/flows';
import { cardText, TeamsConversation } from '../helpers/teams';

/**
 * Part 3's list as several bot instances see it on one storage: the selection an admin made
 * through one instance is the selection the next card action finds through another, and a list
 * stored the way it was before the observation had a record of its own still loads.
 */

let h: Harness;
let second: RunningBot;
beforeAll(async () => {
  h = await startHarness();
  second = await startBot(h.config, createLogger({ level: 'silent' }), { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 } });
});
afterAll(async () => {
  await second.close();
  await h.close();
});
beforeEach(() => resetTenant(h));

const salespersonId = (code: string) => guidFrom(`bc-salesperson:${code}`);
const data = (card: any, extra: Record<string, unknown> = {}) => ({ ...inputValues(card), ...extra });

describe('Part 3 across bot instances', () => {
  it('a second instance sees the selection made through the first, and the first sees what the second changed', async () => {
    const one = h.conversation();
    const two = new TeamsConversation({ botUrl: second.url, connector: h.connector, tenantId: SEED.tenantId, conversationId: one.id });
    const { card, cardActivityId } = await openPart3(h, one);
    const filtered = (await one.execute(ADMIN, 'salespeople.page', data(card, { status: 'unlicensed', page: 0, pageIds: action(card, 'salespeople.plan').data.pageIds }), cardActivityId)).body.value;
    const picked = (await one.execute(ADMIN, 'salespeople.page', data(filtered, { picked: salespersonId('HP'), page: 0, pageIds: action(filtered, 'salespeople.plan').data.pageIds }), cardActivityId)).body.value;
    expect(cardText(picked)).toContain('Selected: 7, picked by hand.');

    // Through the other instance: a page action without ticks shows the same list, filter and selection.
    const seen = (await two.execute(ADMIN, 'salespeople.page', { page: 0 }, cardActivityId)).body.value;
    expect(cardText(seen)).toContain('Selected: 7, picked by hand.');
    expect(findById(seen, 'picked')!.choices.map((c: any) => c.title.split(' · ')[0])).toEqual(['ØB', 'MN', 'HP']);
    expect(findById(seen, 'picked')!.value).toBe(findById(picked, 'picked')!.value);

    const none = (await two.execute(ADMIN, 'salespeople.select', data(seen, { mode: 'none' }), cardActivityId)).body.value;
    expect(cardText(none)).toContain('Selected: 0, picked by hand.');
    const hege = (await two.execute(ADMIN, 'salespeople.page', data(none, { picked: salespersonId('HP'), page: 0, pageIds: action(none, 'salespeople.plan').data.pageIds }), cardActivityId)).body.value;
    expect(cardText(hege)).toContain('Selected: 1, picked by hand.');

    // Back on the first instance (which holds the observation in memory): the second's change counts.
    const back = (await one.execute(ADMIN, 'salespeople.page', { page: 0 }, cardActivityId)).body.value;
    expect(cardText(back)).toContain('Selected: 1, picked by hand.');
    const plan = (await one.execute(ADMIN, 'salespeople.plan', { ...inputValues(back), ...action(back, 'salespeople.plan').data }, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('for 1 salespeople');
    expect(cardText(plan)).toContain('HP · hege@contoso.no');
  });

  it('a list stored as one record (before the observation had its own) loads as it was, selection included', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const picked = (await chat.execute(ADMIN, 'salespeople.page', data(card, { picked: [salespersonId('KH'), salespersonId('LJ')].join(','), page: 0, pageIds: action(card, 'salespeople.plan').data.pageIds }), cardActivityId)).body.value;
    expect(cardText(picked)).toContain('Selected: 2, picked by hand.');

    // The same list written the old way: one record, observed at another time, no observation of its own.
    const records = new RecordStore(new FileStorage(`${h.stateDir}/bot`));
    const current = (await new SalespeopleViewStore(records).get(chat.id))!;
    const { observationId, ...oneRecord } = { ...current, observedAt: '2025-11-30T06:45:00.000Z' };
    await records.put(salespeopleViewKey(chat.id), oneRecord);
    await records.delete(salespeopleObservationKey(chat.id, observationId));

    for (const bot of [h.conversation({ id: chat.id }), new TeamsConversation({ botUrl: second.url, connector: h.connector, tenantId: SEED.tenantId, conversationId: chat.id })]) {
      const shown = (await bot.execute(ADMIN, 'salespeople.page', { page: 0 }, cardActivityId)).body.value;
      expect(cardText(shown)).toContain('2025-11-30 06:45 UTC');
      expect(cardText(shown)).toContain('Selected: 2, picked by hand.');
      expect(findById(shown, 'picked')!.value).toBe(findById(picked, 'picked')!.value);
    }
    // Written again as two records: the small one names a stored observation.
    const small = (await records.get<Record<string, unknown>>(salespeopleViewKey(chat.id)))!;
    expect(small).not.toHaveProperty('rows');
    expect(await records.get(salespeopleObservationKey(chat.id, small.observationId as string))).toMatchObject({ observedAt: '2025-11-30T06:45:00.000Z' });
  });
});
