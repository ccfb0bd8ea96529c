import type { Storage, StoreItems } from 'botbuilder';
import type { CheckedRead, HealingStorage } from '../../src/storage/damage';

/**
 * The bot's storage with writes that fail as on a full disk (ENOSPC), for tests: injected through
 * StartOptions.wrapStorage. `full` makes every write fail; `beforeWrite` can hold or trip a write.
 */
export class FaultyStorage implements HealingStorage {
  full = false;
  failedWrites = 0;
  beforeWrite?: (changes: StoreItems) => Promise<void> | void;

  constructor(private readonly inner: HealingStorage) {}

  static wrap(faulty: { current?: FaultyStorage }) {
    return (storage: HealingStorage): Storage => (faulty.current = new FaultyStorage(storage));
  }

  readChecked(keys: string[]): Promise<CheckedRead> {
    return this.inner.readChecked(keys);
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }

  async write(changes: StoreItems): Promise<void> {
    await this.beforeWrite?.(changes);
    if (this.full) {
      this.failedWrites++;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    await this.inner.write(changes);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}
