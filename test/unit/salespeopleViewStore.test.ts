import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreItems } from 'botbuilder';
import { SalespeopleViewStore } from '../../src/bot/salespeopleViewStore';
import type { SalespeopleView } from '../../src/setup/salespeopleView';
import type { SalespersonRow } from '../../src/setup/salespeopleMatch';
import { FileStorage } from '../../src/storage/fileStorage';
import { RecordStore } from '../../src/storage/records';
import { salespeopleObservationKey, salespeopleViewKey } from '../../src/storage/keys';

/**
 * The salespeople view's two records: the observation once per observation, the admin's way of
 * looking at it on every card action; two bot instances on one storage; a view stored as one
 * record before the split.
 */

const GUID = (n: number) => `${String(n).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
const CONVERSATION = 'a:1';

function rows(n: number): SalespersonRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: GUID(i),
    code: `S${String(i).padStart(5, '0')}`,
    displayName: `Selger ${i}`,
    email: `sales${i}@contoso.no`,
    phoneNo: '',
    jobTitle: '',
    status: i % 3 === 0 ? 'noAccount' : 'unlicensed',
  }));
}

function view(observationId: string, overrides: Partial<SalespeopleView> = {}): SalespeopleView {
  return {
    conversationId: CONVERSATION,
    environmentKey: 'env',
    observationId,
    observedAt: '2026-01-15T08:00:00.000Z',
    observation: { company: { id: GUID(9999), name: 'CRONUS Norge AS' }, skus: [], country: 'NO', securityGroup: { id: GUID(8888), displayName: 'Sales', nonMembers: [GUID(1), GUID(2)] } },
    rows: rows(300),
    selection: { mode: 'allMissing' },
    filter: { status: 'all', search: '' },
    page: 0,
    usageLocation: 'NO',
    couple: true,
    ...overrides,
  };
}

/** Storage that remembers which keys were written and deleted. */
class Watched extends FileStorage {
  written: string[] = [];
  deleted: string[] = [];
  override async write(changes: StoreItems): Promise<void> {
    this.written.push(...Object.keys(changes));
    return super.write(changes);
  }
  override async delete(keys: string[]): Promise<void> {
    this.deleted.push(...keys);
    return super.delete(keys);
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bc-salespeople-view-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A bot instance's store (its own memory) over the shared directory. */
const instance = (storage = new Watched(dir)) => ({ storage, store: new SalespeopleViewStore(new RecordStore(storage)) });

describe('the salespeople view in two records', () => {
  it('a card action writes only the small record; the observation was written once, when it was observed', async () => {
    const { storage, store } = instance();
    await store.put(view('o1'));
    expect(storage.written).toEqual([salespeopleObservationKey(CONVERSATION, 'o1'), salespeopleViewKey(CONVERSATION)]);
    storage.written = [];
    const loaded = (await store.get(CONVERSATION))!;
    await store.put({ ...loaded, selection: { mode: 'picked', ids: [GUID(1), GUID(4)] }, page: 3 });
    await store.put({ ...loaded, filter: { status: 'unlicensed', search: '7' } });
    expect(storage.written).toEqual([salespeopleViewKey(CONVERSATION), salespeopleViewKey(CONVERSATION)]);
    // The small record holds no rows.
    const small = (await storage.read([salespeopleViewKey(CONVERSATION)]))[salespeopleViewKey(CONVERSATION)] as Record<string, unknown>;
    expect(small).not.toHaveProperty('rows');
    expect(small).not.toHaveProperty('observation');
    expect(JSON.stringify(small).length).toBeLessThan(1000);
  });

  it('a second bot instance sees the same selection, filter and rows; and the first sees what the second changed', async () => {
    const one = instance();
    const two = instance(new Watched(dir));
    const picked: SalespeopleView['selection'] = { mode: 'picked', ids: [GUID(1), GUID(2), GUID(299)] };
    await one.store.put(view('o1', { selection: picked, filter: { status: 'unlicensed', search: 'Selger 2' }, page: 2, usageLocation: 'SE', couple: false, licensing: 'perUser' }));
    const seen = (await two.store.get(CONVERSATION))!;
    expect(seen).toEqual(view('o1', { selection: picked, filter: { status: 'unlicensed', search: 'Selger 2' }, page: 2, usageLocation: 'SE', couple: false, licensing: 'perUser' }));

    await two.store.put({ ...seen, selection: { mode: 'picked', ids: [] } });
    expect((await one.store.get(CONVERSATION))!.selection).toEqual({ mode: 'picked', ids: [] });
    // The second instance observes anew; the first (whose memory holds the old observation) gets the new rows.
    await two.store.put(view('o2', { rows: rows(5), selection: { mode: 'picked', ids: [] } }));
    const after = (await one.store.get(CONVERSATION))!;
    expect(after.observationId).toBe('o2');
    expect(after.rows).toHaveLength(5);
    expect(after.selection).toEqual({ mode: 'picked', ids: [] });
  });

  it('keeps the current observation and the two before it, and deletes older ones', async () => {
    const { storage, store } = instance();
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) {
      await store.put(view(id));
      const loaded = (await store.get(CONVERSATION))!;
      await store.put({ ...loaded, page: 1 });
    }
    expect(storage.deleted.sort()).toEqual([salespeopleObservationKey(CONVERSATION, 'o1'), salespeopleObservationKey(CONVERSATION, 'o2')]);
    const files = readdirSync(dir).filter((name) => name.startsWith('salespeople_observation'));
    expect(files).toHaveLength(3);
    // Another instance that read the view just before the newest observation still finds the one it read.
    const other = new SalespeopleViewStore(new RecordStore(new FileStorage(dir)));
    const records = new RecordStore(new FileStorage(dir));
    expect(await records.get(salespeopleObservationKey(CONVERSATION, 'o4'))).toBeDefined();
    expect((await other.get(CONVERSATION))!.observationId).toBe('o5');
  });

  it('a view stored as one record before the split loads as it was, selection included, and is stored as two records when next written', async () => {
    const records = new RecordStore(new FileStorage(dir));
    const { observationId: _none, ...oneRecord } = view('unused', { observedAt: '2025-12-01T07:30:00.000Z', selection: { mode: 'picked', ids: [GUID(7), GUID(8)] }, page: 4 });
    await records.put(salespeopleViewKey(CONVERSATION), oneRecord);

    const { storage, store } = instance();
    const loaded = (await store.get(CONVERSATION))!;
    expect({ ...loaded, observationId: 'x' }).toEqual({ ...oneRecord, observationId: 'x' });
    await store.put({ ...loaded, page: 5 });
    expect(storage.written).toEqual([salespeopleObservationKey(CONVERSATION, loaded.observationId), salespeopleViewKey(CONVERSATION)]);
    const small = await records.get<Record<string, unknown>>(salespeopleViewKey(CONVERSATION));
    expect(small).not.toHaveProperty('rows');

    const again = (await instance().store.get(CONVERSATION))!;
    expect(again).toEqual({ ...oneRecord, observationId: loaded.observationId, page: 5 });
  });

  it('a view whose observation is gone reads as absent (observed anew), not as an empty list', async () => {
    const { store } = instance();
    await store.put(view('o1'));
    const records = new RecordStore(new FileStorage(dir));
    await records.delete(salespeopleObservationKey(CONVERSATION, 'o1'));
    expect(await instance().store.get(CONVERSATION)).toBeUndefined();
  });
});
