import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { isHealingStorage, type DamagedRecord } from './damage';
import { CREATE_ONLY } from './fileStorage';

/**
 * What takes the place of a damaged record under keys starting with a prefix (e.g. a run marked
 * failed): undefined leaves the key absent. Gets the damaged text, to salvage what it can.
 */
export type Repair = (key: string, damage: DamagedRecord) => Promise<object | undefined>;

type Stored<T> = (T & { eTag?: string }) | undefined;

/**
 * Typed records (plans, approvals, runs) over the bot's Storage, with eTag-guarded updates:
 * `update` reads, applies a pure change and writes only if nobody wrote in between, retrying on
 * conflict. A change that returns `undefined` leaves the record as it is.
 *
 * A record the storage found damaged (moved aside) reads as absent, or as what a registered
 * repair puts in its place.
 */
export class RecordStore {
  private readonly repairs: { prefix: string; repair: Repair; stored?: (value: object) => void }[] = [];

  constructor(private readonly storage: Storage) {}

  /**
   * Registers what replaces a damaged record whose key starts with `prefix`; `stored` is told
   * once the replacement is written (by this reader, not by a concurrent one).
   */
  repairDamaged(prefix: string, repair: Repair, stored?: (value: object) => void): void {
    this.repairs.push({ prefix, repair, stored });
  }

  private async readOne<T>(key: string): Promise<Stored<T>> {
    if (!isHealingStorage(this.storage)) return (await this.storage.read([key]))[key] as Stored<T>;
    const { items, damaged } = await this.storage.readChecked([key]);
    if (items[key] || !damaged[key]) return items[key] as Stored<T>;
    const registered = this.repairs.find((r) => key.startsWith(r.prefix));
    const replacement = registered ? await registered.repair(key, damaged[key]) : undefined;
    if (!replacement) return undefined;
    try {
      await this.storage.write({ [key]: { ...replacement, eTag: CREATE_ONLY } });
      if (registered?.stored) setImmediate(() => registered.stored!(replacement));
    } catch (error) {
      // Another reader repaired it first: theirs is read below.
      if (!/etag/i.test(String((error as Error).message))) throw error;
    }
    return (await this.storage.read([key]))[key] as Stored<T>;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const item = await this.readOne<T>(key);
    if (!item) return undefined;
    const { eTag: _eTag, ...value } = item;
    return value as T;
  }

  /** Create only: false when a record already exists under the key. */
  async create<T extends object>(key: string, value: T): Promise<boolean> {
    const result = await this.update<T>(key, (current) => (current === undefined ? value : undefined));
    return result.changed;
  }

  async put<T extends object>(key: string, value: T): Promise<void> {
    await this.storage.write({ [key]: { ...value, eTag: '*' } });
  }

  /**
   * `known`: the record as this caller last read or wrote it, with the eTag `update` gave back.
   * Where the storage can tell a record's eTag cheaply (TaggedStorage) and it is still that one,
   * `change` gets `known.value` instead of the record being read and parsed again: a run's
   * journal, megabytes at 20,000 salespeople, is saved hundreds of times. The eTag of the value
   * written comes back (TaggedStorage only) for the next call.
   */
  async update<T extends object>(
    key: string,
    change: (current: T | undefined) => T | undefined,
    attempts = 20,
    known?: { value: T; eTag: string },
  ): Promise<{ value: T | undefined; changed: boolean; eTag?: string }> {
    const tagged = isTaggedStorage(this.storage) ? this.storage : undefined;
    for (let attempt = 1; ; attempt++) {
      let eTag: string | undefined;
      let current: T | undefined;
      if (known && attempt === 1 && tagged && (await tagged.eTagOf(key)) === known.eTag) {
        eTag = known.eTag;
        current = { ...known.value };
      } else {
        const stored = await this.readOne<T>(key);
        eTag = stored?.eTag;
        if (stored) {
          const { eTag: _eTag, ...rest } = stored;
          current = rest as T;
        }
      }
      const next = change(current);
      if (next === undefined) return { value: current, changed: false };
      try {
        // A new record must not exist yet: a stale eTag makes a concurrent creation conflict.
        if (tagged) {
          const written = randomUUID();
          await tagged.writeTagged(key, next, eTag ?? CREATE_ONLY, written);
          return { value: next, changed: true, eTag: written };
        }
        await this.storage.write({ [key]: { ...next, eTag: eTag ?? CREATE_ONLY } });
        return { value: next, changed: true };
      } catch (error) {
        if (attempt >= attempts || !/etag/i.test(String((error as Error).message))) throw error;
      }
    }
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete([key]);
  }

  /** Records under a key prefix, in key order (see FileStorage.list and BlobStorage.list for which keys list). */
  async list<T>(prefix: string, options: { last?: number } = {}): Promise<T[]> {
    const listing = this.storage as Storage & Partial<ListingStorage>;
    if (typeof listing.list !== 'function') throw new Error('Storage: this storage cannot list records');
    return (await listing.list(prefix, options)) as T[];
  }
}

/** A storage that can tell a record's eTag without reading it, and write one with an eTag the writer chooses (FileStorage). */
export interface TaggedStorage {
  eTagOf(key: string): Promise<string | undefined>;
  writeTagged(key: string, value: object, ifMatch: string, next: string): Promise<void>;
}

function isTaggedStorage(storage: Storage): storage is Storage & TaggedStorage {
  const s = storage as Partial<TaggedStorage>;
  return typeof s.eTagOf === 'function' && typeof s.writeTagged === 'function';
}

/** A storage that can list records by key prefix (both of the bot's storages can). */
export interface ListingStorage {
  list(prefix: string, options?: { last?: number }): Promise<Record<string, unknown>[]>;
}
