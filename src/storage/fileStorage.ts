import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Storage, StoreItems } from 'botbuilder';

/** eTag value that makes a write succeed only when no record exists yet (If-None-Match: *). */
export const CREATE_ONLY = '*new*';

/**
 * Bot Framework `Storage` over local JSON files, one file per key, with eTag-guarded writes:
 * a write whose `eTag` is set (and not "*") succeeds only if it matches the stored one.
 * Writes are atomic (temporary file + rename) and serialised per key within the process.
 */
export class FileStorage implements Storage {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly directory: string) {}

  private file(key: string): string {
    const readable = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    return path.join(this.directory, `${readable}.${hash}.json`);
  }

  private async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  private async load(key: string): Promise<Record<string, unknown> | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const item = await this.load(key);
        if (item !== undefined) items[key] = item;
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await Promise.all(
      Object.entries(changes).map(([key, change]) =>
        this.withLock(key, async () => {
          const wanted = (change as { eTag?: string }).eTag;
          if (wanted === CREATE_ONLY) {
            if ((await this.load(key)) !== undefined) throw new Error(`Storage: eTag conflict for key "${key}" (exists)`);
          } else if (wanted !== undefined && wanted !== '*') {
            const current = await this.load(key);
            if (current !== undefined && current.eTag !== wanted) {
              throw new Error(`Storage: eTag conflict for key "${key}"`);
            }
          }
          const stored = { ...(change as object), eTag: randomUUID() };
          const file = this.file(key);
          const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
          await writeFile(temporary, JSON.stringify(stored), 'utf8');
          await rename(temporary, file);
        }),
      ),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.withLock(key, () => rm(this.file(key), { force: true }))));
  }

  /**
   * The records whose key starts with `prefix`, in key order (the last `last` only, when given).
   * File names keep a key's first 60 characters readable, so this serves keys of one fixed
   * length made of letters, digits, `-`, `_` and `:` (the audit trail's); other keys cannot be
   * listed. Unreadable files are skipped.
   */
  async list(prefix: string, options: { last?: number } = {}): Promise<Record<string, unknown>[]> {
    const readable = prefix.replace(/[^A-Za-z0-9_-]+/g, '_');
    if (readable.length >= 60) throw new Error('Storage: a listed prefix must be shorter than 60 characters');
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((name) => name.startsWith(readable) && name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    if (options.last !== undefined) names = names.slice(Math.max(0, names.length - options.last));
    const items = await Promise.all(
      names.map(async (name) => {
        try {
          const { eTag: _eTag, ...value } = JSON.parse(await readFile(path.join(this.directory, name), 'utf8')) as Record<string, unknown>;
          return value;
        } catch {
          return undefined;
        }
      }),
    );
    return items.filter((item): item is Record<string, unknown> => item !== undefined);
  }
}
