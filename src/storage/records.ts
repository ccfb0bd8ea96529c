import type { Storage } from 'botbuilder';
import { CREATE_ONLY } from './fileStorage';

/**
 * Typed records (plans, approvals, runs) over the bot's Storage, with eTag-guarded updates:
 * `update` reads, applies a pure change and writes only if nobody wrote in between, retrying on
 * conflict. A change that returns `undefined` leaves the record as it is.
 */
export class RecordStore {
  constructor(private readonly storage: Storage) {}

  async get<T>(key: string): Promise<T | undefined> {
    const items = await this.storage.read([key]);
    const item = items[key] as (T & { eTag?: string }) | undefined;
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

  async update<T extends object>(
    key: string,
    change: (current: T | undefined) => T | undefined,
    attempts = 20,
  ): Promise<{ value: T | undefined; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const items = await this.storage.read([key]);
      const stored = items[key] as (T & { eTag?: string }) | undefined;
      const eTag = stored?.eTag;
      let current: T | undefined;
      if (stored) {
        const { eTag: _eTag, ...rest } = stored;
        current = rest as T;
      }
      const next = change(current);
      if (next === undefined) return { value: current, changed: false };
      try {
        // A new record must not exist yet: a stale eTag makes a concurrent creation conflict.
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

/** A storage that can list records by key prefix (both of the bot's storages can). */
export interface ListingStorage {
  list(prefix: string, options?: { last?: number }): Promise<Record<string, unknown>[]>;
}
