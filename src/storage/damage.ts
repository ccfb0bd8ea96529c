import type { Storage, StoreItems } from 'botbuilder';
import { AppError } from '../errors';
import { t, type Locale, type StringKey } from '../i18n';

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

const STORAGE_CAUSES: Record<string, StringKey> = {
  ENOSPC: 'storageCauseNoSpace',
  EDQUOT: 'storageCauseQuota',
  EROFS: 'storageCauseReadOnly',
  EACCES: 'storageCauseNoAccess',
  EPERM: 'storageCauseNoAccess',
  EIO: 'storageCauseIo',
  EMFILE: 'storageCauseOpenFiles',
};

/** Why a storage operation failed, as a short code a journal can keep: an errno code, `HTTP <status>`, or '' (unknown). */
export function storageCauseCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && STORAGE_CAUSES[code]) return code;
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (typeof status === 'number') return `HTTP ${status}`;
  return typeof code === 'string' ? code : '';
}

/** A cause code (storageCauseCode) in words an operator can act on, in `locale` (the error code, no paths). */
export function storageCauseIn(locale: Locale, code: string): string {
  const key = STORAGE_CAUSES[code];
  if (key) return `${t(locale, key)} (${code})`;
  const status = /^HTTP (\d+)$/.exec(code)?.[1];
  if (status) return t(locale, 'storageCauseStatus', { status });
  return code ? t(locale, 'storageCauseCode', { code }) : t(locale, 'storageCauseUnknown');
}

/** Why a storage operation failed, in words an operator can act on (the error code, no paths). */
export function storageCause(error: unknown): string {
  return storageCauseIn('en', storageCauseCode(error));
}

/** A write the bot's storage refused, as an error whose message can be shown to the user. */
export function storageFailure(error: unknown, what: string): AppError {
  return new AppError('storage_unavailable', `Could not save ${what}: ${storageCause(error)}.`, { cause: error });
}
