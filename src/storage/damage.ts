import type { Storage, StoreItems } from 'botbuilder';
import { AppError } from '../errors';

/**
 * A stored record that could not be parsed. The storage moves it aside (kept for the operator
 * under `movedTo`) and treats the key as absent; the raw text goes only to repairs that can
 * salvage something from it (never to a log line: it may hold anything).
 */
export interface DamagedRecord {
  key: string;
  movedTo: string;
  raw: string;
}

export interface StorageReport {
  /** A record was moved aside. Called once per damaged version found. */
  onDamaged?: (damage: Omit<DamagedRecord, 'raw'>) => void;
}

/** A read that also tells which of the keys were found damaged (and moved aside) on this read. */
export interface CheckedRead {
  items: StoreItems;
  damaged: Record<string, DamagedRecord>;
}

/** Storage that can tell a damaged record from a missing one. FileStorage and BlobStorage do. */
export interface HealingStorage extends Storage {
  readChecked(keys: string[]): Promise<CheckedRead>;
}

export function isHealingStorage(storage: Storage): storage is HealingStorage {
  return typeof (storage as Partial<HealingStorage>).readChecked === 'function';
}

/** A stored record is a JSON object; anything else (truncated text, `null`, an array) is damage. */
export function parseRecord(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The suffix of a record kept aside: sortable, and without characters file systems refuse. */
export function corruptSuffix(now: Date = new Date()): string {
  return `.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

const STORAGE_CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the storage device',
  EDQUOT: 'the storage quota is used up',
  EROFS: 'the storage is read-only',
  EACCES: 'the bot may not write to its storage',
  EPERM: 'the bot may not write to its storage',
  EIO: 'the storage device reported an input/output error',
  EMFILE: 'too many open files',
};

/** Why a storage operation failed, in words an operator can act on (the error code, no paths). */
export function storageCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && STORAGE_CAUSES[code]) return `${STORAGE_CAUSES[code]} (${code})`;
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (typeof status === 'number') return `the storage service answered HTTP ${status}`;
  return code ? `storage error ${code}` : 'the storage did not accept the write';
}

/** A write the bot's storage refused, as an error whose message can be shown to the user. */
export function storageFailure(error: unknown, what: string): AppError {
  return new AppError('storage_unavailable', `Could not save ${what}: ${storageCause(error)}.`, { cause: error });
}
