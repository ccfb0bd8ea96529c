import { createHash } from 'node:crypto';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { ContainerClient, RestError } from '@azure/storage-blob';
import type { StoreItems } from 'botbuilder';
import type { Config } from '../config';
import { corruptSuffix, parseRecord, type CheckedRead, type HealingStorage, type StorageReport } from './damage';
import { CREATE_ONLY, FileStorage } from './fileStorage';

/**
 * Bot Framework `Storage` over Azure Blob Storage, one JSON blob per key, with the service's own
 * eTags: a write whose `eTag` is set (and not "*") is sent with If-Match, the CREATE_ONLY marker
 * with If-None-Match: *, so that several bot processes can share plans, approvals, runs and
 * conversation state. A refused condition surfaces as the same "eTag conflict" error FileStorage
 * raises, which RecordStore.update retries on.
 *
 * botbuilder-azure-blobs' BlobsStorage sends every eTag as If-Match, so a create-only write
 * (If-None-Match: *) cannot be expressed with it: the marker would go out as If-Match and fail
 * whether or not the blob exists.
 *
 * A blob that does not parse as a JSON object is copied aside (`<name>.corrupt-<timestamp>`),
 * then removed only if it is still that version (If-Match), reported by key, and read as absent.
 */
export class BlobStorage implements HealingStorage {
  private ready?: Promise<unknown>;

  constructor(
    private readonly container: ContainerClient,
    private readonly report: StorageReport = {},
  ) {}

  static fromConnectionString(connectionString: string, containerName: string, report?: StorageReport): BlobStorage {
    return new BlobStorage(new ContainerClient(connectionString, containerName), report);
  }

  static fromAccountUrl(accountUrl: string, containerName: string, credential: TokenCredential, report?: StorageReport): BlobStorage {
    return new BlobStorage(new ContainerClient(`${accountUrl.replace(/\/$/, '')}/${encodeURIComponent(containerName)}`, credential), report);
  }

  /** Blob names: readable, bounded, and distinct per key (the hash tells apart keys that read alike). */
  static blobName(key: string): string {
    const readable = key.replace(/[^A-Za-z0-9_.:-]+/g, '_').slice(0, 120);
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    return `${readable}.${hash}.json`;
  }

  private initialise(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async readChecked(keys: string[]): Promise<CheckedRead> {
    await this.initialise();
    const result: CheckedRead = { items: {}, damaged: {} };
    await Promise.all(
      keys.map(async (key) => {
        const name = BlobStorage.blobName(key);
        let body: string;
        let etag: string | undefined;
        try {
          // One request: the body and the eTag belong to the same version of the blob.
          const response = await this.container.getBlobClient(name).download();
          if (!response.readableStreamBody) return;
          body = await text(response.readableStreamBody);
          etag = response.etag;
        } catch (error) {
          if (error instanceof RestError && error.statusCode === 404) return;
          throw error;
        }
        const item = parseRecord(body);
        if (item) {
          result.items[key] = { ...item, eTag: etag };
          return;
        }
        const movedTo = `${name}${corruptSuffix()}`;
        await this.container.getBlockBlobClient(movedTo).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
        try {
          // Only the damaged version: a record written in the meantime stays.
          await this.container.getBlobClient(name).delete({ conditions: etag ? { ifMatch: etag } : {} });
        } catch (error) {
          if (!(error instanceof RestError && (error.statusCode === 412 || error.statusCode === 404))) throw error;
        }
        this.report.onDamaged?.({ key, movedTo });
        result.damaged[key] = { key, movedTo, raw: body };
      }),
    );
    return result;
  }

  async read(keys: string[]): Promise<StoreItems> {
    return (await this.readChecked(keys)).items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.initialise();
    await Promise.all(
      Object.entries(changes).map(async ([key, change]) => {
        const { eTag, ...value } = change as { eTag?: string };
        const conditions =
          eTag === CREATE_ONLY ? { ifNoneMatch: '*' } : eTag !== undefined && eTag !== '*' && eTag !== '' ? { ifMatch: eTag } : {};
        const body = JSON.stringify(value);
        try {
          await this.container.getBlockBlobClient(BlobStorage.blobName(key)).upload(body, Buffer.byteLength(body), {
            conditions,
            blobHTTPHeaders: { blobContentType: 'application/json' },
          });
        } catch (error) {
          // 412: If-Match refused; 409 BlobAlreadyExists: If-None-Match: * refused.
          if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409)) {
            throw new Error(`Storage: eTag conflict for key "${key}"${error.statusCode === 409 ? ' (exists)' : ''}`, { cause: error });
          }
          throw error;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await this.initialise();
    await Promise.all(keys.map((key) => this.container.getBlobClient(BlobStorage.blobName(key)).deleteIfExists()));
  }

  /**
   * The records whose key starts with `prefix`, in key order (the last `last` only, when given):
   * blob names keep a key's first 120 characters readable, so keys of one fixed length made of
   * letters, digits, `.`, `_`, `:` and `-` list in key order. A blob deleted meanwhile is skipped.
   * List Blobs filters by name prefix and returns names in alphabetical order, in pages the SDK
   * follows (learn.microsoft.com, "List Blobs" and "Listing Blob storage resources"); the names
   * are sorted here as well, so the order does not rest on that.
   */
  async list(prefix: string, options: { last?: number } = {}): Promise<Record<string, unknown>[]> {
    await this.initialise();
    const readable = prefix.replace(/[^A-Za-z0-9_.:-]+/g, '_');
    if (readable.length >= 120) throw new Error('Storage: a listed prefix must be shorter than 120 characters');
    let names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: readable })) names.push(blob.name);
    names.sort();
    if (options.last !== undefined) names = names.slice(Math.max(0, names.length - options.last));
    const items: (Record<string, unknown> | undefined)[] = [];
    for (let i = 0; i < names.length; i += 20) {
      items.push(
        ...(await Promise.all(
          names.slice(i, i + 20).map(async (name) => {
            try {
              const response = await this.container.getBlobClient(name).download();
              return response.readableStreamBody ? (JSON.parse(await text(response.readableStreamBody)) as Record<string, unknown>) : undefined;
            } catch (error) {
              if (error instanceof RestError && error.statusCode === 404) return undefined;
              if (error instanceof SyntaxError) return undefined;
              throw error;
            }
          }),
        )),
      );
    }
    return items.filter((item): item is Record<string, unknown> => item !== undefined);
  }
}

/**
 * The storage a configuration asks for: local files by default, or the Azure Blob container
 * (shared by every instance) with a connection string or, on Azure, a managed identity.
 */
export function openStorage(config: Config, report: StorageReport = {}): { storage: HealingStorage; shared: boolean; where: string } {
  const chosen = config.storage;
  if (!chosen || chosen.kind === 'file') {
    const directory = path.resolve(config.stateDir, 'bot');
    return { storage: new FileStorage(directory, report), shared: false, where: directory };
  }
  if ('connectionString' in chosen) {
    return { storage: BlobStorage.fromConnectionString(chosen.connectionString, chosen.container, report), shared: true, where: `container ${chosen.container}` };
  }
  const credential = chosen.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: chosen.managedIdentityClientId })
    : new ManagedIdentityCredential();
  return { storage: BlobStorage.fromAccountUrl(chosen.accountUrl, chosen.container, credential, report), shared: true, where: `${chosen.accountUrl} container ${chosen.container}` };
}
