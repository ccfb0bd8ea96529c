import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { StoreItems } from 'botbuilder';
import { corruptSuffix, parseRecord, type CheckedRead, type DamagedRecord, type HealingStorage, type StorageReport } from './damage';

/** eTag value that makes a write succeed only when no record exists yet (If-None-Match: *). */
export const CREATE_ONLY = '*new*';

/** A record's last member when it is its eTag (as `write` puts it): `…,"eTag":"<value>"}`. */
const ETAG_TAIL = /[,{]"eTag":"([0-9A-Za-z-]+)"\}$/;

const TEMPORARY = /\.(\d+)\.[0-9a-f-]{36}\.tmp$/;

/** Temporary files this process is writing now (any FileStorage instance): never stale. */
const inFlight = new Set<string>();

type Loaded = { item?: Record<string, unknown>; damaged?: DamagedRecord };

/**
 * Bot Framework `Storage` over local JSON files, one file per key, with eTag-guarded writes:
 * a write whose `eTag` is set (and not "*") succeeds only if it matches the stored one.
 * Writes are atomic and durable (temporary file, flushed to disk, then renamed; the temporary
 * file is removed when any step fails) and serialised per key within the process.
 *
 * A file that does not parse as a JSON object is moved aside (`<name>.corrupt-<timestamp>`, kept
 * for the operator), reported by key, and the key reads as absent, so one damaged record never
 * stops the bot or a chat.
 */
export class FileStorage implements HealingStorage {
  private readonly locks = new Map<string, Promise<unknown>>();
  private swept?: Promise<void>;

  constructor(
    private readonly directory: string,
    private readonly report: StorageReport = {},
  ) {}

  /** File names: readable, bounded, and distinct per key (the hash tells apart keys that read alike). */
  static fileName(key: string): string {
    const readable = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    return `${readable}.${hash}.json`;
  }

  private file(key: string): string {
    return path.join(this.directory, FileStorage.fileName(key));
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

  private async raw(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Reads a record; a damaged one is set aside. `locked`: the caller holds the key's lock. */
  private async load(key: string, locked: boolean): Promise<Loaded> {
    const raw = await this.raw(key);
    if (raw === undefined) return {};
    const item = parseRecord(raw);
    if (item) return { item };
    return locked ? this.setAside(key) : this.withLock(key, () => this.setAside(key));
  }

  /** Under the key's lock: read again (a write may have replaced the file) and move it aside if still damaged. */
  private async setAside(key: string): Promise<Loaded> {
    const raw = await this.raw(key);
    if (raw === undefined) return {};
    const item = parseRecord(raw);
    if (item) return { item };
    const file = this.file(key);
    const movedTo = `${file}${corruptSuffix()}`;
    try {
      await rename(file, movedTo);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    this.report.onDamaged?.({ key, movedTo });
    return { damaged: { key, movedTo, raw } };
  }

  async readChecked(keys: string[]): Promise<CheckedRead> {
    const result: CheckedRead = { items: {}, damaged: {} };
    await Promise.all(
      keys.map(async (key) => {
        const { item, damaged } = await this.load(key, false);
        if (item !== undefined) result.items[key] = item;
        if (damaged) result.damaged[key] = damaged;
      }),
    );
    return result;
  }

  async read(keys: string[]): Promise<StoreItems> {
    return (await this.readChecked(keys)).items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.ready();
    await Promise.all(Object.entries(changes).map(([key, change]) => this.withLock(key, () => this.writeOne(key, change as object, randomUUID()))));
  }

  /** `write` of one record that gives it the eTag `next` (so the writer knows it without reading the record back). */
  async writeTagged(key: string, value: object, ifMatch: string, next: string): Promise<void> {
    await this.ready();
    await this.withLock(key, () => this.writeOne(key, { ...value, eTag: ifMatch }, next));
  }

  /** The stored record's eTag, from its last bytes (see storedETag); undefined when absent or not shown there. */
  async eTagOf(key: string): Promise<string | undefined> {
    return this.storedETag(key);
  }

  private async ready(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    this.swept ??= this.removeStaleTemporaryFiles();
    await this.swept;
  }

  /** Under the key's lock: the eTag check, then the record with eTag `next` (written last). */
  private async writeOne(key: string, change: object, next: string): Promise<void> {
    const wanted = (change as { eTag?: string }).eTag;
    if (wanted === CREATE_ONLY) {
      if ((await this.load(key, true)).item !== undefined) throw new Error(`Storage: eTag conflict for key "${key}" (exists)`);
    } else if (wanted !== undefined && wanted !== '*' && (await this.storedETag(key)) !== wanted) {
      const current = (await this.load(key, true)).item;
      if (current !== undefined && current.eTag !== wanted) {
        throw new Error(`Storage: eTag conflict for key "${key}"`);
      }
    }
    // The eTag goes last (storedETag reads it from the tail).
    const { eTag: _previous, ...fields } = change as { eTag?: string };
    await this.replace(this.file(key), JSON.stringify({ ...fields, eTag: next }));
  }

  /**
   * The eTag of the stored record as its last bytes show it (this storage writes the eTag last),
   * without reading and parsing the whole record: a run's journal is megabytes at 20,000
   * salespeople and is saved hundreds of times. Undefined when the tail does not show one (a
   * record written otherwise, or damaged): the caller then reads the record as before.
   */
  private async storedETag(key: string): Promise<string | undefined> {
    let handle;
    try {
      handle = await open(this.file(key), 'r');
    } catch {
      return undefined;
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 128);
      const tail = Buffer.alloc(length);
      await handle.read(tail, 0, length, size - length);
      return ETAG_TAIL.exec(tail.toString('latin1'))?.[1];
    } catch {
      return undefined;
    } finally {
      await handle.close();
    }
  }

  /** Temporary file, written and flushed (fsync), then renamed over the record; never left behind. */
  private async replace(file: string, body: string): Promise<void> {
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    inFlight.add(temporary);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    } finally {
      inFlight.delete(temporary);
    }
    await this.syncDirectory();
  }

  /** The rename itself is made durable by flushing the directory (not supported everywhere). */
  private async syncDirectory(): Promise<void> {
    try {
      const handle = await open(this.directory, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Some platforms (Windows) cannot open or flush a directory; the file itself was flushed.
    }
  }

  /** Temporary files of processes that no longer run (a crash between write and rename). */
  private async removeStaleTemporaryFiles(): Promise<void> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const match = TEMPORARY.exec(name);
        const file = path.join(this.directory, name);
        if (!match || inFlight.has(file)) return;
        // Another live process may be writing it; this process's own pid (reused after a
        // restart, as in a container) counts only for files it is writing now.
        if (Number(match[1]) !== process.pid && processAlive(Number(match[1]))) return;
        await rm(file, { force: true }).catch(() => undefined);
      }),
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
