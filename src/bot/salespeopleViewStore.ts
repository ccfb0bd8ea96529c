import { randomUUID } from 'node:crypto';
import { LruMap } from '../lru';
import type { SalespeopleView } from '../setup/salespeopleView';
import { salespeopleObservationKey, salespeopleViewKey } from '../storage/keys';
import type { RecordStore } from '../storage/records';

/**
 * A conversation's salespeople view in two records: what was observed (the rows, thousands of
 * them, and what the plan needs of the tenant), written once per observation under its own id and
 * never changed; and how the admin looks at it (selection, filter, page, usage location, …), a
 * small record naming the observation it belongs to. A card action reads and writes only the
 * small one; the observation comes from memory when this instance has it (an observation's record
 * never changes, so its id is all a cached copy needs to be right), else from storage once.
 *
 * Several instances on one storage see the same view: the small record says which observation is
 * current, and every observation it can name is kept (the one before it and the one before that
 * as well, for a turn that read the view just before another instance observed anew).
 *
 * A view stored as one record (before the split) still loads as it is, and is stored as two
 * records the next time it is written.
 */

/** How the admin looks at the list: the small record (everything but the observation). */
type LookRecord = Omit<SalespeopleView, ObservedField> & {
  /** Earlier observations of this conversation still kept (newest first); older ones are deleted. */
  earlier?: string[];
};

type ObservedField = 'observation' | 'rows' | 'coupling' | 'observedAt';

/** What was observed, under its own id. */
type ObservationRecord = Pick<SalespeopleView, ObservedField | 'conversationId' | 'environmentKey' | 'observationId'>;

/** A view as stored before the split: one record with the rows in it (and no observation id). */
type OneRecordView = Omit<SalespeopleView, 'observationId'>;

/** Observations kept besides the current one (a turn may still name one of these). */
const KEEP_EARLIER = 2;
/**
 * Observations held in memory: at 5,000 salespeople one is about 2 MB of heap (with what the list
 * works out from it once, salespeopleView.ts), so a dozen conversations (several admins at once,
 * each with the whole list in view) stay well inside the bot's memory. Rows and observation are
 * shared by every turn that reads them: nothing may change them in place.
 */
export const CACHED_OBSERVATIONS = 12;

const isOneRecord = (stored: LookRecord | OneRecordView): stored is OneRecordView => Array.isArray((stored as Partial<OneRecordView>).rows);

const OBSERVED: readonly ObservedField[] = ['observation', 'rows', 'coupling', 'observedAt'];

export class SalespeopleViewStore {
  private readonly cache = new LruMap<string, ObservationRecord>(CACHED_OBSERVATIONS);
  /** The earlier observations each conversation's small record listed when last read or written here. */
  private readonly earlier = new LruMap<string, string[]>(1000);

  constructor(private readonly records: RecordStore) {}

  async get(conversationId: string): Promise<SalespeopleView | undefined> {
    // A read can fall between another instance's new observation and its deleting an old one:
    // the small record is read again (it names a newer observation then).
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.records.get<LookRecord | OneRecordView>(salespeopleViewKey(conversationId));
      if (!stored) return undefined;
      if (isOneRecord(stored)) return { ...stored, observationId: randomUUID() };
      const { earlier = [], ...look } = stored;
      this.earlier.set(conversationId, earlier);
      const observed = await this.observation(conversationId, look.observationId);
      if (observed) return { ...look, observedAt: observed.observedAt, observation: observed.observation, rows: observed.rows, ...(observed.coupling ? { coupling: observed.coupling } : {}) };
    }
    return undefined;
  }

  async put(view: SalespeopleView): Promise<void> {
    const { conversationId, observationId } = view;
    const key = salespeopleObservationKey(conversationId, observationId);
    let earlier = this.earlier.get(conversationId);
    if (!this.cache.has(key)) {
      // A new observation (or one loaded from a one-record view): its record first, so that the
      // small record never names an observation that is not stored.
      const record: ObservationRecord = { conversationId, environmentKey: view.environmentKey, observationId, observedAt: view.observedAt, observation: view.observation, rows: view.rows, ...(view.coupling ? { coupling: view.coupling } : {}) };
      await this.records.put(key, record);
      this.cache.set(key, record);
      // The observation the small record names now becomes an earlier one.
      const current = await this.look(conversationId);
      earlier = current ? [current.observationId, ...(current.earlier ?? [])] : [];
    } else if (earlier === undefined) {
      earlier = (await this.look(conversationId))?.earlier ?? [];
    }
    const others = [...new Set(earlier)].filter((id) => id !== observationId);
    const kept = others.slice(0, KEEP_EARLIER);
    const look = Object.fromEntries(Object.entries(view).filter(([field]) => !(OBSERVED as readonly string[]).includes(field))) as Omit<SalespeopleView, ObservedField>;
    await this.records.put(salespeopleViewKey(conversationId), { ...look, earlier: kept } satisfies LookRecord);
    this.earlier.set(conversationId, kept);
    // Older observations no record names any more. A delete that fails only leaves a record behind.
    await Promise.all(others.slice(KEEP_EARLIER).map((id) => this.records.delete(salespeopleObservationKey(conversationId, id)).catch(() => undefined)));
  }

  /** The small record as stored now (none for a one-record view: it names no observation of its own). */
  private async look(conversationId: string): Promise<LookRecord | undefined> {
    const stored = await this.records.get<LookRecord | OneRecordView>(salespeopleViewKey(conversationId));
    return stored && !isOneRecord(stored) ? stored : undefined;
  }

  private async observation(conversationId: string, observationId: string): Promise<ObservationRecord | undefined> {
    const key = salespeopleObservationKey(conversationId, observationId);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const stored = await this.records.get<ObservationRecord>(key);
    if (stored) this.cache.set(key, stored);
    return stored;
  }
}
